"""Issue 13, bounded pages: every list that grows with the data is paginated or capped with a "see
all" link, and the page's SQL count does not grow with its rows (home pages of each role, the
notifications, the accountability record, the incident page's timeline, reports and deadlines,
the dashboard's next 24 hours, and the API lists)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.lists import HOME_LIST_LIMIT
from incidents.models import Incident, IncidentEvent, Measure
from reporting.models import Kind, Notification, Obligation, Report
from roles.models import Unit
from tests.incidents.conftest import categories, file_incident, to_state  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.django_db


def _get(client, url, data=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200, url
    body = response.content.decode() if not response.streaming else ""
    return len(ctx.captured_queries), body


@pytest.fixture
def fill(cast, categories):
    """fill(n): n more incidents in each list of every role's home page (bulk-created rows: the pages
    are what is tested), and as many open deadlines and measures owed by the chengguan station."""
    state = {"round": 0}

    def _fill(n):
        station = Unit.objects.get(code="chengguan")
        now = timezone.now()
        tag = state["round"]
        state["round"] += 1
        made = Incident.objects.bulk_create([
            Incident(title=f"{status}-{tag}-{i}", station=station, status=status, created_by=cast["station1"],
                     received_at=None if status == "draft" else now, proposed_level=2,
                     level=2 if status == "active" else None, category=categories["food_safety"])
            for status in ("draft", "submitted", "verified", "active") for i in range(n)])
        active = next(i for i in made if i.status == "active")
        Obligation.objects.bulk_create([
            Obligation(incident=active, kind=Kind.PROGRESS_REPORT, sequence=1000 * (tag + 1) + i, owner_unit=station,
                       starts_at=now, due_at=now + timedelta(hours=1, minutes=i)) for i in range(n)])
        Measure.objects.bulk_create([
            Measure(incident=active, title=f"措施{tag}-{i}", owner_unit=station, due_at=now + timedelta(hours=i))
            for i in range(n)])

    return _fill


@pytest.mark.parametrize("user, lists", [
    ("office", ["inbox", "active"]),
    ("director", ["awaiting-decision", "active"]),
    ("station1", ["station-to-do", "owed", "my-measures"]),
])
def test_each_home_page_caps_its_lists_and_links_to_all(fill, login, user, lists):
    client = login(user)
    fill(2)
    few, _body = _get(client, "/")
    fill(HOME_LIST_LIMIT + 5)
    many, body = _get(client, "/")
    assert many == few
    for list_id in lists:
        start = body.index(f'id="{list_id}"')
        section = body[start:body.index("</section>", start)]
        assert f"{HOME_LIST_LIMIT}+</span>" in section, list_id
        assert len(re.findall(r'href="/incidents/\d+/', section)) == HOME_LIST_LIMIT, list_id
        assert re.search(r'href="/(incidents/\?status=|reporting/board/)', section), list_id  # see all


def test_the_incident_lists_see_all_link_shows_them(fill, login):
    fill(HOME_LIST_LIMIT + 1)
    body = login("office").get("/").content.decode()
    link = re.search(r'href="(/incidents/\?status=submitted[^"]*)"', body).group(1).replace("&amp;", "&")
    listed = login("office").get(link).content.decode()
    assert "submitted-0-0" in listed and "verified-0-0" not in listed


def test_notifications_come_a_page_at_a_time(cast, login):
    def notify(n):
        Notification.objects.bulk_create([Notification(user=cast["station1"], step="overdue", title=f"提醒{i}")
                                          for i in range(n)])

    client = login("station1")
    notify(3)
    few, _body = _get(client, "/reporting/notifications/")
    notify(120)
    many, body = _get(client, "/reporting/notifications/")
    assert many == few
    assert body.count("list-group-item list-group-item-warning") == 50
    assert "page=2" in body and "1 / 3" in body
    _count, last = _get(client, "/reporting/notifications/", {"page": 3})
    assert last.count("list-group-item list-group-item-warning") == 23


def test_the_accountability_record_pages_its_late_and_missed(cast, file_incident, login):
    incident = file_incident()
    station = Unit.objects.get(code="chengguan")
    now = timezone.now()

    def missed(n, offset):
        Obligation.objects.bulk_create([
            Obligation(incident=incident, kind=Kind.PROGRESS_REPORT, sequence=offset + i, owner_unit=station,
                       starts_at=now - timedelta(hours=3), due_at=now - timedelta(hours=2), status="overdue",
                       overdue_at=now - timedelta(hours=2)) for i in range(n)])

    client = login("office")
    # A period around today (Asia/Shanghai), not the default month: two hours ago may be last month.
    today = timezone.localdate()
    period = {"start": (today - timedelta(days=1)).isoformat(), "end": (today + timedelta(days=1)).isoformat()}
    missed(3, 100)
    few, _body = _get(client, "/reporting/accountability/", period)
    missed(80, 200)
    many, body = _get(client, "/reporting/accountability/", period)
    assert many == few
    details = body[body.index("<h2 class=\"h6 mt-4\">"):]
    assert details.count("<tr><td>") == 50 and "page=2" in details
    total = int(re.search(r'<span class="badge text-bg-secondary">(\d+)</span></h2>', details).group(1))
    assert total > 80
    _count, second = _get(client, "/reporting/accountability/", {**period, "page": 2})
    second = second[second.index("<h2 class=\"h6 mt-4\">"):]
    assert second.count("<tr><td>") == total - 50


def test_the_incident_page_shows_the_latest_events_reports_and_deadlines(file_incident, to_state, cast, login):
    incident = to_state(file_incident(), "active", level=2)
    station = Unit.objects.get(code="chengguan")
    now = timezone.now()

    def grow(n, tag):
        IncidentEvent.objects.bulk_create([
            IncidentEvent(incident=incident, kind=IncidentEvent.Kind.COMMENTED, actor=cast["office"],
                          message=f"批注{tag}-{i}", at=now + timedelta(seconds=i)) for i in range(n)])
        reports = Report.objects.bulk_create([
            Report(incident=incident, kind=Kind.PROGRESS_REPORT, sequence=1000 * tag + i, content=f"进展{tag}-{i}",
                   author=cast["station1"], unit=station) for i in range(n)])
        Obligation.objects.bulk_create([
            Obligation(incident=incident, kind=Kind.PROGRESS_REPORT, sequence=1000 * tag + i, owner_unit=station,
                       starts_at=now, due_at=now + timedelta(days=1, minutes=i), status="fulfilled",
                       fulfilled_at=now, report=report) for i, report in enumerate(reports)])

    client = login("office")
    grow(2, 1)
    few, _body = _get(client, f"/incidents/{incident.pk}/")
    grow(120, 2)
    many, body = _get(client, f"/incidents/{incident.pk}/")
    # Never more queries with more rows; fewer is possible: only the page's events are formatted, and
    # a page of comments names no unit or person to look up (incidents.timeline.MergedTimeline).
    assert many <= few
    assert "批注2-119" in body and "批注2-0" not in body  # the newest events, the last page
    assert len(re.findall(r"批注\d-\d+", body)) <= 50
    assert "events=1#timeline" in body  # the first page is one click away
    assert len(re.findall(r"进展\d-\d+", body)) <= 20 and "进展2-119" in body
    _count, first = _get(client, f"/incidents/{incident.pk}/", {"events": 1})
    assert "批注1-0" in first and "批注2-119" not in first


def test_the_dashboard_lists_the_most_urgent_and_counts_them_all(cast, file_incident, api):
    from emergency.dashboards import DUE_ITEMS

    incident = file_incident()
    station = Unit.objects.get(code="chengguan")
    now = timezone.now()

    def due(n, offset):
        Obligation.objects.bulk_create([
            Obligation(incident=incident, kind=Kind.PROGRESS_REPORT, sequence=offset + i, owner_unit=station,
                       starts_at=now, due_at=now + timedelta(minutes=30 + 10 * i)) for i in range(n)])

    client = api("office")
    client.get("/api/dashboard/due-next-24-hours/")  # the user's roles are read once, then remembered
    due(2, 100)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/dashboard/due-next-24-hours/")
    due(120, 200)
    with CaptureQueriesContext(connection) as many:
        data = client.get("/api/dashboard/due-next-24-hours/").json()
    assert len(many.captured_queries) == len(few.captured_queries)
    pending = Obligation.objects.filter(status="pending", due_at__gte=now, due_at__lt=now + timedelta(hours=24))
    assert data["total"] == sum(data["values"]) == pending.count()
    assert len(data["items"]) == DUE_ITEMS
    assert [item["due_at"] for item in data["items"]] == sorted(item["due_at"] for item in data["items"])


@pytest.mark.parametrize("url", ["/api/incidents/", "/api/obligations/"])
@pytest.mark.parametrize("user", ["office", "station1"])
def test_the_api_lists_are_paginated_with_a_constant_query_count(fill, api, url, user):
    client = api(user)
    client.get(url)  # the user's roles are read once, then remembered
    fill(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    fill(60)
    with CaptureQueriesContext(connection) as many:
        data = client.get(url).json()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert set(data) >= {"count", "next", "results"} and len(data["results"]) == 50 and data["count"] > 50
    assert client.get(url, {"page": 2}).json()["results"]


def test_the_merge_form_asks_for_a_reference_instead_of_listing_every_incident(fill, file_incident, login):
    fill(30)
    duplicate, kept = file_incident(title="重复报告"), file_incident(title="保留的报告")
    client = login("office")
    page = client.get(f"/incidents/{duplicate.pk}/").content.decode()
    form = page[page.index('id="id_merge-into"') - 200:page.index('id="id_merge-into"') + 300]
    assert "<select" not in form and "<option" not in form
    year = int(kept.reference.split("-")[0])
    refused = client.post(f"/incidents/{duplicate.pk}/merge/", {"merge-into": f"{year - 1}-{kept.pk:05d}",
                                                                "merge-reason": "重复"})
    assert refused.status_code == 400 and Incident.objects.get(pk=duplicate.pk).status == "submitted"
    done = client.post(f"/incidents/{duplicate.pk}/merge/", {"merge-into": kept.reference, "merge-reason": "重复"})
    assert done.status_code == 302
    assert Incident.objects.get(pk=duplicate.pk).merged_into_id == kept.pk
