"""Issue 10, kind 1: one calendar window (common.timebounds) at every door where a person types a
date or a time — the intake form and API, drafts, measures' due times, delegations, list filters
and the accountability period. Outside it: a clear message, a 400 on the API, nothing stored.
Years 0001 (a BC date once in UTC, unreadable by psycopg2), 1926 (lateness overflows its
column), 9999 (a day later does not exist) and a far future, on PostgreSQL in CI."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.timebounds import earliest, validate_day, validate_happened, validate_planned
from incidents import services
from incidents.models import Incident, Measure
from reporting.models import Obligation
from roles.models import Delegation, Unit
from roles.services import delegation_create
from tests.incidents.conftest import intake

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
COUNTS = {"dead": 0, "injured": 0, "missing": 0, "source": "station"}  # the rest of a valid intake form


def far_future():
    return timezone.localtime() + timedelta(days=3 * 365)


# (label, text typed into a datetime-local input, ISO 8601 sent to the API)
def bad_times():
    future = far_future()
    return [
        ("year 0001", "0001-01-01T00:00", "0001-01-01T00:00:00+08:00"),
        ("year 1926", "1926-06-03T09:30", "1926-06-03T09:30:00+08:00"),
        ("year 9999", "9999-12-31T23:59", "9999-12-31T23:59:59+08:00"),
        ("far future", future.strftime("%Y-%m-%dT%H:%M"), future.isoformat()),
    ]


BAD = [label for label, _t, _i in bad_times()]


def _bad(label):
    return next(row for row in bad_times() if row[0] == label)


def _nothing_outside_the_window():
    """No stored time a person typed lies outside the window (the board, lists and tasks read them)."""
    low = earliest()
    for field in ("occurred_at", "discovered_at"):
        assert not Incident.objects.filter(**{f"{field}__lt": low}).exists()
    assert not Measure.objects.filter(due_at__lt=low).exists()
    assert not Obligation.objects.filter(due_at__lt=low).exists()
    assert not Delegation.objects.filter(starts_at__lt=low).exists()


def test_the_rule_itself():
    now = timezone.now()
    validate_happened(now + timedelta(minutes=9))  # a clock a little ahead in the field
    validate_happened(earliest())
    validate_planned(now + timedelta(days=300))
    validate_day(timezone.localdate())
    for check, value in [
        (validate_happened, earliest() - timedelta(seconds=1)),
        (validate_happened, now + timedelta(minutes=11)),
        (validate_planned, now + timedelta(days=400)),
        (validate_planned, datetime(1926, 6, 3, tzinfo=SHANGHAI)),
        (validate_day, datetime(9999, 12, 31).date()),
        (validate_day, datetime(1, 1, 1).date()),
    ]:
        with pytest.raises(ValidationError):
            check(value)


@pytest.mark.parametrize("label", BAD)
def test_intake_form_refuses_the_time_and_stores_nothing(cast, categories, login, label):
    _label, typed, _iso = _bad(label)
    before = Incident.objects.count()
    response = login("station1").post("/incidents/new/", {
        "title": "日期录入错误", "category": categories["food_safety"].pk, "occurred_at": typed,
        "location": "城关镇", "description": "测试", "proposed_level": 4, **COUNTS,
    })
    assert response.status_code == 200  # the form again, with the error next to the field
    errors = response.context["form"].errors
    assert list(errors) == ["occurred_at"]
    assert any(word in " ".join(errors["occurred_at"]) for word in ("2000", "将来", "未来"))
    assert Incident.objects.count() == before
    _nothing_outside_the_window()


@pytest.mark.parametrize("label", BAD)
def test_intake_api_answers_400_and_stores_nothing(cast, categories, api, label):
    _label, _typed, iso = _bad(label)
    before = Incident.objects.count()
    body = {"title": "日期录入错误", "category": "food_safety", "occurred_at": iso, "location": "城关镇",
            "description": "测试", "proposed_level": 4}
    response = api("station1").post("/api/incidents/", body, format="json")
    assert response.status_code == 400, response.content
    assert "occurred_at" in response.json()
    response = api("station1").post("/api/incidents/", {**body, "occurred_at": timezone.now().isoformat(),
                                                        "discovered_at": iso}, format="json")
    assert response.status_code == 400 and "discovered_at" in response.json()
    assert Incident.objects.count() == before
    _nothing_outside_the_window()


@pytest.mark.parametrize("label", BAD)
def test_a_draft_cannot_be_moved_out_of_the_window(cast, file_incident, api, login, label):
    _label, typed, iso = _bad(label)
    draft = file_incident(draft=True)
    response = api("station1").post(f"/api/incidents/{draft.pk}/update-draft/", {"occurred_at": iso}, format="json")
    assert response.status_code == 400 and "occurred_at" in response.json()
    response = login("station1").post(f"/incidents/{draft.pk}/edit/", {
        "title": draft.title, "category": draft.category_id, "occurred_at": typed, "location": draft.location,
        "description": draft.description, "proposed_level": draft.proposed_level, **COUNTS})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["occurred_at"]
    assert Incident.objects.get(pk=draft.pk).occurred_at == draft.occurred_at


def test_the_services_enforce_the_window_for_every_caller(cast, categories):
    """The API and management commands call the services: they check it again."""
    station = Unit.objects.get(code="chengguan")
    for when in (datetime(1926, 6, 3, 9, 30, tzinfo=SHANGHAI), far_future()):
        with pytest.raises(ValidationError) as caught:
            services.incident_file(actor=cast["station1"], station=station, **intake(occurred_at=when,
                                                                                   category=categories["food_safety"]))
        assert "occurred_at" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        delegation_create(actor=cast["director"], acting=cast["deputy"], starts_at=timezone.now(),
                          ends_at=datetime(9999, 12, 31, tzinfo=SHANGHAI), reason="外出")
    assert "ends_at" in caught.value.message_dict
    assert not Incident.objects.exists() and not Delegation.objects.exists()


@pytest.mark.parametrize("label", BAD)
def test_a_measure_due_time_outside_the_window_is_refused(cast, file_incident, to_state, api, login, label):
    _label, typed, iso = _bad(label)
    incident = to_state(file_incident(proposed_level=4), "active")
    before = Measure.objects.count()
    response = api("deputy").post(f"/api/incidents/{incident.pk}/add-measure/",
                                  {"title": "专项检查", "owner_unit": "chengguan", "due_at": iso}, format="json")
    assert response.status_code == 400 and "due_at" in response.json()
    response = login("deputy").post(f"/incidents/{incident.pk}/add_measure/", {
        "add_measure-title": "专项检查", "add_measure-owner_unit": Unit.objects.get(code="chengguan").pk,
        "add_measure-due_at": typed})
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        services.measure_add(actor=cast["deputy"], incident=incident, title="专项检查",
                             owner_unit=Unit.objects.get(code="chengguan"),
                             due_at=datetime(1926, 6, 3, tzinfo=SHANGHAI))
    assert Measure.objects.count() == before
    _nothing_outside_the_window()


@pytest.mark.parametrize("label", BAD)
def test_a_delegation_outside_the_window_is_refused(cast, login, label):
    _label, typed, _iso = _bad(label)
    ok = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    for starts, ends in ((typed, ok), (ok, typed)):
        response = login("director").post("/org/delegations/", {"acting": cast["deputy"].pk, "starts_at": starts,
                                                                  "ends_at": ends, "reason": "外出学习"})
        assert response.status_code in (200, 400)
        assert response.context["form"].errors
    assert not Delegation.objects.exists()


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "1926-06-03T09:30:00+08:00", "9999-12-31T23:59:59-14:00",
                                   "9999-12-31T23:59:59+08:00"])
def test_list_filters_outside_the_window(cast, api, login, value):
    for name in ("received_after", "received_before"):
        response = api("office").get("/api/incidents/", {name: value})
        assert response.status_code == 400 and name in response.json()
        assert login("office").get("/incidents/", {name: value}).status_code == 200  # ignored on the page


@pytest.mark.parametrize("start,end", [("2026-01-01", "9999-12-31"), ("0001-01-01", "2026-01-31"),
                                       ("1926-01-01", "1926-12-31"), ("2026-03-01", "2026-02-01")])
def test_an_accountability_period_outside_the_window_is_a_400_with_a_message(cast, login, start, end):
    client = login("office")
    page = client.get("/reporting/accountability/", {"start": start, "end": end})
    assert page.status_code == 400
    assert page.context["form"].errors
    for download in ("/reporting/accountability.xlsx", "/reporting/accountability.pdf"):
        assert client.get(download, {"start": start, "end": end}).status_code == 400
