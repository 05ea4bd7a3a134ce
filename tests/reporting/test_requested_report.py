"""催报 / 要求续报 (issue 11, docs/deadlines.md rule 16): the city bureau asks a county for a report by
a deadline; the county office owes it like any deadline (reminded, overdue, escalated, counted) until a
report of the office reaches the city. Time is moved with time-machine."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services
from incidents.models import IncidentEvent
from reporting.models import Kind, Notification, Obligation, Outbox, ReportingRule
from reporting.requests import report_request
from reporting.services import report_submit
from roles.models import Contact, Unit
from tests.incidents.conftest import FACTS, intake
from tests.reporting.deadlines import T0, at, ob, record, sweep

pytestmark = pytest.mark.django_db
S = Obligation.Status


@pytest.fixture
def reported(counties, categories):
    """An incident of the first county, reported upward at T0 (so the city sees it)."""
    people = counties
    incident = at(T0 - timedelta(minutes=20), services.incident_file, actor=people["station1"],
                  station=Unit.objects.get(code="chengguan"),
                  **intake(category=categories["food_safety"], occurred_at=T0 - timedelta(minutes=40)))
    at(T0, report_submit, actor=people["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="情况", facts=FACTS)
    return people, incident


def test_rule_16_the_citys_request_is_the_county_offices_deadline_and_a_miss_stays(reported):
    people, incident = reported
    due = T0 + timedelta(hours=2)
    obligation = at(T0 + timedelta(minutes=5), report_request, actor=people["city_office"], incident=incident,
                    message="请于11时前续报伤员救治情况", due_at=due)
    assert (obligation.kind, obligation.owner_unit.code, obligation.due_at, obligation.status) == (
        Kind.REQUESTED_REPORT, "office", due, S.PENDING)
    event = IncidentEvent.objects.get(incident=incident, kind=IncidentEvent.Kind.REPORT_REQUESTED)
    assert event.actor == people["city_office"] and event.data["city"] == Unit.objects.get(code="zhengzhou").pk
    # The county's office hears at once; the other county's does not.
    assert Notification.objects.filter(user=people["office"], step="report_requested").exists()
    assert not Notification.objects.filter(user=people["xz_office"]).exists()
    # Past the deadline the sweep marks it overdue and tells the owner (the office) …
    sweep(due + timedelta(minutes=1))
    assert ob(incident, Kind.REQUESTED_REPORT).status == S.OVERDUE
    assert Outbox.objects.filter(obligation=obligation, step=Outbox.Step.OVERDUE).exists()
    # … and a report of the office that reaches the city answers it, late.
    at(due + timedelta(minutes=30), report_submit, actor=people["office"], incident=incident, kind=Kind.UPWARD_REPORT,
       content="续报伤员情况", facts=FACTS)
    answered = ob(incident, Kind.REQUESTED_REPORT)
    assert answered.status == S.FULFILLED and answered.late_by_seconds == 30 * 60
    summary, failures = record(people["city_office"])
    assert summary["office"]["late"] >= 1 and answered in failures


def test_rule_16_without_a_deadline_the_policy_table_gives_it(reported):
    people, incident = reported
    first = at(T0, report_request, actor=people["city_office"], incident=incident, message="请续报")
    assert first.due_at == T0 + timedelta(minutes=60)
    ReportingRule.objects.filter(kind=Kind.REQUESTED_REPORT).update(limit_minutes=90)
    second = at(T0, report_request, actor=people["city_office"], incident=incident, message="再次催报")
    assert (second.sequence, second.due_at) == (2, T0 + timedelta(minutes=90))


def test_rule_16_only_a_report_that_reaches_the_city_answers(reported):
    people, incident = reported
    at(T0, report_request, actor=people["city_office"], incident=incident, message="请续报", due_at=T0 + timedelta(hours=1))
    at(T0 + timedelta(minutes=10), report_submit, actor=people["office"], incident=incident, kind=Kind.UPWARD_REPORT,
       content="只报县政府", facts=FACTS, recipients=[Contact.objects.get(code="county_government")])
    assert ob(incident, Kind.REQUESTED_REPORT).status == S.PENDING
    at(T0 + timedelta(minutes=20), report_submit, actor=people["office"], incident=incident, kind=Kind.UPWARD_REPORT,
       content="报市局", facts=FACTS, recipients=[Contact.objects.get(code="city_bureau")])
    assert ob(incident, Kind.REQUESTED_REPORT).status == S.FULFILLED


def test_rule_16_bad_requests_change_nothing_and_only_the_city_may_ask(reported, api):
    people, incident = reported
    with pytest.raises(ValidationError) as bad:
        at(T0, report_request, actor=people["city_office"], incident=incident, message="", due_at=T0 - timedelta(minutes=1))
    assert set(bad.value.message_dict) == {"message", "due_at"}
    for who in ("office", "director", "station1"):
        with pytest.raises(PermissionDenied):
            at(T0, report_request, actor=people[who], incident=incident, message="x")
    assert not Obligation.objects.filter(incident=incident, kind=Kind.REQUESTED_REPORT).exists()
    assert not IncidentEvent.objects.filter(incident=incident, kind=IncidentEvent.Kind.REPORT_REQUESTED).exists()
    # Over the API: the city 201, the county 403 (it sees the incident), the other county 404.
    body = {"message": "请续报", "due_at": (T0 + timedelta(days=400)).isoformat()}
    assert api("city_office").post(f"/api/incidents/{incident.pk}/request-report/", body, format="json").status_code == 400
    body["due_at"] = None
    assert api("office").post(f"/api/incidents/{incident.pk}/request-report/", body, format="json").status_code == 403
    assert api("xz_office").post(f"/api/incidents/{incident.pk}/request-report/", body, format="json").status_code == 404
    created = api("city_office").post(f"/api/incidents/{incident.pk}/request-report/", body, format="json")
    assert created.status_code == 201 and created.json()["kind"] == "requested_report"
    assert created.json()["unit"] == "office"


def test_the_city_asks_on_the_incident_page(reported, login):
    people, incident = reported
    city = login("city_office")
    page = city.get(f"/incidents/{incident.pk}/")
    assert page.status_code == 200 and "request-report" in page.content.decode()
    response = city.post(f"/reporting/incidents/{incident.pk}/request-report/",
                         {"request-message": "请续报", "request-due_at": ""})
    assert response.status_code == 302
    assert Obligation.objects.filter(incident=incident, kind=Kind.REQUESTED_REPORT).count() == 1
    assert "request-report" not in login("office").get(f"/incidents/{incident.pk}/").content.decode()
    assert login("office").post(f"/reporting/incidents/{incident.pk}/request-report/",
                                {"request-message": "x"}).status_code == 403
