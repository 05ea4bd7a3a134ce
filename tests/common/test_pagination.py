"""Deep pages read their keys first (common.pagination, issue 13): the same pages as Django's
Paginator, in the same order, with a constant number of queries."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.pagination import KeysFirstPagination, KeysFirstPaginator
from incidents.selectors import incident_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve(cast, file_incident):
    ours = [file_incident("station1", title=f"城关镇事件{n}") for n in range(9)]
    theirs = [file_incident("station2", title=f"白沙镇事件{n}") for n in range(3)]
    return ours, theirs


@pytest.mark.parametrize("who", ["office", "station1"])
def test_every_page_holds_what_django_s_paginator_holds(twelve, cast, monkeypatch, who):
    monkeypatch.setattr(KeysFirstPaginator, "DEEP", 4)  # from the second page on, keys first
    plain, keys_first = Paginator(incident_list(cast[who]), 4), KeysFirstPaginator(incident_list(cast[who]), 4)
    assert keys_first.num_pages == plain.num_pages == 3
    for number in plain.page_range:
        assert [i.pk for i in keys_first.page(number)] == [i.pk for i in plain.page(number)], number
    # A station never gets another station's incidents on any page.
    if who == "station1":
        seen = {i.pk for number in keys_first.page_range for i in keys_first.page(number)}
        assert seen == {i.pk for i in twelve[0]}


def test_a_deep_page_costs_two_queries_whatever_its_depth(twelve, cast, monkeypatch):
    monkeypatch.setattr(KeysFirstPaginator, "DEEP", 2)
    paginator = KeysFirstPaginator(incident_list(cast["office"]), 2)
    paginator.count  # noqa: B018  (counted once, as Django's paginator does)
    for number in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            rows = list(paginator.page(number))
        assert len(rows) == 2 and len(queries) == 2, [q["sql"] for q in queries]
        assert all(row.category and row.station for row in rows)  # select_related kept


def test_the_api_s_deep_pages_are_the_same_rows_in_the_same_order(twelve, api, monkeypatch):
    monkeypatch.setattr(KeysFirstPagination, "page_size", 5)
    client = api("office")
    shallow = [row["id"] for page in (1, 2, 3) for row in client.get("/api/incidents/", {"page": page}).json()["results"]]
    monkeypatch.setattr(KeysFirstPaginator, "DEEP", 1)
    deep = [row["id"] for page in (1, 2, 3) for row in client.get("/api/incidents/", {"page": page}).json()["results"]]
    assert deep == shallow and len(deep) == 12
    assert client.get("/api/incidents/", {"page": 4}).status_code == 404  # past the end, as before
