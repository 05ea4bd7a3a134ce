"""Obligations about subjects other than incidents (reporting.subjects; design.md, one deadline engine)."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reporting import obligations as rules
from reporting.models import Kind, Obligation
from reporting.models.obligations import SUBJECT_FIELDS
from reporting.subjects import register, subject_field

pytestmark = pytest.mark.django_db


def test_incident_is_a_subject():
    assert SUBJECT_FIELDS[0] == "incident"


def test_a_row_without_a_subject_is_refused(bureau):
    now = timezone.now()
    office = bureau.children.get(code="office")
    with pytest.raises(IntegrityError), transaction.atomic():
        Obligation.objects.create(kind=Kind.MEASURE, owner_unit=office, starts_at=now,
                                  due_at=now + datetime.timedelta(hours=1))


def test_create_for_needs_exactly_one_subject(bureau):
    now = timezone.now()
    office = bureau.children.get(code="office")
    with pytest.raises(ValueError):
        rules.create_for(kind=Kind.MEASURE, owner_unit=office, starts_at=now, due_at=now)
    with pytest.raises(ValueError):
        rules.create_for(kind=Kind.MEASURE, owner_unit=office, starts_at=now, due_at=now, nothing=1)
    assert not Obligation.objects.exists()


def test_register_refuses_a_field_that_is_not_a_subject():
    with pytest.raises(ValueError):
        register("report", label=str, url=str)


def test_an_incidents_obligation_names_its_incident(file_incident):
    incident = file_incident(proposed_level=2)
    obligation = Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)
    assert subject_field(obligation) == "incident"
    assert incident.reference in obligation.subject_label
    assert obligation.subject_url == f"/incidents/{incident.pk}/"


def test_the_report_form_offers_only_kinds_of_report():
    """Deadline kinds of other subjects (a resource's check, a roster gap …) are not reports one can write."""
    from reporting.views import ReportForm

    offered = {kind for kind, _label in ReportForm.base_fields["kind"].choices}
    assert offered == {Kind.UPWARD_REPORT, Kind.PROGRESS_REPORT, Kind.FINAL_REPORT, Kind.AFTER_ACTION_REPORT}


def test_the_obligations_api_counts_the_rows_it_pages_through(file_incident, api, cast, monkeypatch):
    """Issue 13: /api/obligations/ counts its two halves apart (incidents' obligations, other
    subjects'; reporting.selectors.obligation_visibility): the count is that of the rows the pages
    hold, for the office (both halves), a station (its incidents only) and with filters."""
    from common.pagination import KeysFirstPagination
    from duty import roster
    from roles.models import Unit

    monkeypatch.setattr(KeysFirstPagination, "page_size", 2)  # several pages of a few rows
    file_incident()
    file_incident(station_user="station2")
    start = timezone.now() + datetime.timedelta(days=3)
    roster.shift_create(actor=cast["office"], bureau=Unit.objects.get(code="bureau"), starts_at=start,
                        ends_at=start + datetime.timedelta(hours=8))  # nobody on it: a roster gap of the office
    for user, query in [("office", {}), ("office", {"kind": Kind.ROSTER_GAP}), ("office", {"status": "pending"}),
                        ("station1", {}), ("station2", {"status": "pending"})]:
        client, ids, page = api(user), [], 1
        while page:
            data = client.get("/api/obligations/", {**query, "page": page}).json()
            ids += [row["id"] for row in data["results"]]
            page = page + 1 if data["next"] else None
        assert data["count"] == len(ids) == len(set(ids)), (user, query)
        if user == "office" and not query:
            assert Obligation.objects.filter(incident=None, kind=Kind.ROSTER_GAP).values("pk").get()["pk"] in ids
            assert len(ids) > 2
        if user.startswith("station"):
            assert not Obligation.objects.filter(pk__in=ids, incident=None).exists()
