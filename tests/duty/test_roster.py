"""The roster's services and selectors (issue 14): planning shifts (office only, no overlaps, a past
shift frozen), who is on duty at the boundaries (local midnight, stored UTC), the handover."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duty import roster
from duty.models import Handover, Shift
from duty.roster_selectors import on_duty_names, on_duty_now
from roles.models import Unit
from tests.duty.conftest import T0, at

pytestmark = pytest.mark.django_db


def test_the_office_plans_a_shift_stored_in_utc(plan, cast):
    shift = plan(at(2, 0), at(3, 0), staff=("office", "food"))
    shift.refresh_from_db()
    assert shift.starts_at == datetime.datetime(2026, 12, 1, 16, 0, tzinfo=datetime.timezone.utc)
    assert shift.leader == cast["director"]
    assert {u.username for u in shift.staff.all()} == {"office", "food"}
    assert shift.created_by == cast["office"]


@pytest.mark.parametrize("who", ["station1", "director", "food", "outsider"])
def test_only_the_office_plans(cast, county, clock, who):
    with pytest.raises(PermissionDenied) as refused:
        roster.shift_create(actor=cast[who], bureau=county, starts_at=at(2), ends_at=at(3))
    assert "办公室" in str(refused.value)
    assert not Shift.objects.exists()


def test_another_countys_office_may_not_plan_this_one(counties, county, clock):
    with pytest.raises(PermissionDenied):
        roster.shift_create(actor=counties["xz_office"], bureau=county, starts_at=at(2), ends_at=at(3))


def test_shifts_of_a_bureau_do_not_overlap(plan):
    plan(at(2, 8), at(3, 8))
    with pytest.raises(ValidationError) as refused:
        plan(at(3, 7), at(4, 8))
    assert "starts_at" in refused.value.message_dict
    assert Shift.objects.count() == 1
    plan(at(3, 8), at(4, 8))  # touching is not overlapping: [start, end)


@pytest.mark.parametrize("start, end, field", [
    (at(3), at(2), "ends_at"),                      # ends before it starts
    (at(2), at(6), "ends_at"),                      # longer than MAX_SHIFT
    (at(1, 0), at(1, 8), "ends_at"),                # over already
    (at(2), at(3, month=12).replace(year=2028), "ends_at"),  # beyond the calendar window
])
def test_bad_times_are_refused_by_field(plan, start, end, field):
    with pytest.raises(ValidationError) as refused:
        plan(start, end)
    assert field in refused.value.message_dict
    assert not Shift.objects.exists()


def test_people_must_work_in_the_bureau(counties, plan):
    with pytest.raises(ValidationError) as refused:
        plan(at(2), at(3), leader="xz_director")
    assert "leader" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        plan(at(2), at(3), staff=("office", "outsider"))
    assert "staff" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        plan(at(2), at(3), leader="director", staff=("director",))
    assert "staff" in refused.value.message_dict


def test_a_past_shift_is_frozen_and_a_started_one_keeps_its_start(plan, cast, clock):
    shift = plan(at(1, 8), at(2, 8))  # under way at T0 (09:00)
    with pytest.raises(ValidationError):
        roster.shift_update(actor=cast["office"], shift=shift, starts_at=at(1, 10))
    roster.shift_update(actor=cast["office"], shift=shift, staff=[cast["food"]])  # people may change
    with pytest.raises(ValidationError):
        roster.shift_delete(actor=cast["office"], shift=shift)  # started: not deleted
    clock.move_to(at(2, 8))
    with pytest.raises(ValidationError) as refused:
        roster.shift_update(actor=cast["office"], shift=shift, note="补记")
    assert "past shift" in str(refused.value) or "过去" in str(refused.value)
    shift.refresh_from_db()
    assert shift.note == "" and [u.username for u in shift.staff.all()] == ["food"]


def test_deleting_cancels_and_frees_the_slot(plan, cast):
    shift = plan(at(2), at(3))
    roster.shift_delete(actor=cast["office"], shift=shift)
    shift.refresh_from_db()
    assert shift.cancelled_at == T0 and shift.cancelled_by == cast["office"]
    assert not Shift.objects.planned().exists()
    plan(at(2), at(3))  # the slot is free again


def test_a_station_may_not_change_or_delete(plan, cast):
    shift = plan(at(2), at(3))
    with pytest.raises(PermissionDenied):
        roster.shift_update(actor=cast["station1"], shift=shift, note="x")
    with pytest.raises(PermissionDenied):
        roster.shift_delete(actor=cast["station1"], shift=shift)
    assert Shift.objects.planned().count() == 1


# ---------------------------------------------------------------- who is on duty: the boundaries


def test_on_duty_at_local_midnight_and_the_changeover(plan, county):
    first = plan(at(2, 0), at(3, 0), leader="director", staff=("office",))
    second = plan(at(3, 0), at(4, 0), leader="deputy", staff=("food",))
    assert on_duty_now(county, at(1, 23, 59)) is None
    assert on_duty_now(county, at(2, 0)) == first  # local midnight = 16:00 UTC the day before
    assert on_duty_now(county, datetime.datetime(2026, 12, 1, 16, 0, tzinfo=datetime.timezone.utc)) == first
    assert on_duty_now(county, at(2, 23, 59)) == first
    assert on_duty_now(county, at(3, 0)) == second  # the changeover belongs to the incoming shift
    assert on_duty_now(county, at(4, 0)) is None


def test_on_duty_names_in_one_query(plan, county, cast):
    plan(at(1, 8), at(2, 8), leader="director", staff=("office", "food"))
    with CaptureQueriesContext(connection) as queries:
        [found] = on_duty_names([county.pk], T0)
    assert len(queries.captured_queries) == 1
    assert found.leader == "director" and sorted(found.staff) == ["food", "office"] and not found.gap
    assert on_duty_names([county.pk], at(2, 8)) == []


def test_a_shift_without_staff_shows_as_a_gap(plan, county):
    plan(at(1, 8), at(2, 8), leader="director", staff=())
    [found] = on_duty_names([county.pk], T0)
    assert found.gap and found.staff == []


# ---------------------------------------------------------------- handover


@pytest.fixture
def two_shifts(plan):
    out = plan(at(1, 8), at(2, 8), leader="director", staff=("office",))
    incoming = plan(at(2, 8), at(3, 8), leader="deputy", staff=("food",))
    return out, incoming


def test_handover_lists_what_is_open_and_only_the_incoming_shift_acknowledges(two_shifts, cast, clock):
    out, incoming = two_shifts
    handover = roster.handover_record(actor=cast["office"], shift_out=out, open_items="城关所回电待复")
    assert handover.shift_in == incoming and handover.recorded_by == cast["office"]
    assert set(handover.open_snapshot) == {"obligations", "obligations_total", "incidents", "incidents_total"}
    for who in ("director", "office", "station1"):  # the outgoing shift and others may not
        with pytest.raises(PermissionDenied):
            roster.handover_acknowledge(actor=cast[who], handover=handover)
    clock.move_to(at(2, 8, 5))
    roster.handover_acknowledge(actor=cast["food"], handover=handover)
    handover.refresh_from_db()
    assert handover.acknowledged_by == cast["food"] and handover.acknowledged_at == at(2, 8, 5)
    with pytest.raises(ValidationError):
        roster.handover_acknowledge(actor=cast["deputy"], handover=handover)


def test_handover_is_recorded_once_by_the_outgoing_shift_or_the_office(two_shifts, cast):
    out, _incoming = two_shifts
    with pytest.raises(PermissionDenied):
        roster.handover_record(actor=cast["station1"], shift_out=out, open_items="x")
    with pytest.raises(ValidationError):
        roster.handover_record(actor=cast["director"], shift_out=out, open_items="  ")
    roster.handover_record(actor=cast["director"], shift_out=out, open_items="无")
    with pytest.raises(ValidationError):
        roster.handover_record(actor=cast["office"], shift_out=out, open_items="再次")
    assert Handover.objects.count() == 1


def test_no_handover_without_a_next_shift_or_before_the_start(plan, cast):
    last = plan(at(1, 8), at(2, 8))
    with pytest.raises(ValidationError):
        roster.handover_record(actor=cast["office"], shift_out=last, open_items="无")
    future = plan(at(2, 8), at(3, 8))
    with pytest.raises(ValidationError):
        roster.handover_record(actor=cast["office"], shift_out=future, open_items="无")


def test_the_snapshot_lists_the_bureaus_open_deadlines(two_shifts, plan, cast):
    out, _incoming = two_shifts
    plan(at(5, 8), at(6, 8), staff=())  # a gap ahead: the office's open deadline
    handover = roster.handover_record(actor=cast["office"], shift_out=out, open_items="见清单")
    snapshot = handover.open_snapshot
    assert snapshot["obligations_total"] == 1 and snapshot["incidents_total"] == 0
    [row] = snapshot["obligations"]
    assert row["kind"] == "roster_gap" and row["subject"].startswith("值班 2026-12-05 08:00") and not row["overdue"]


def test_a_city_bureaus_people_are_its_own_not_its_counties(counties):
    from duty.roster_selectors import bureau_people

    city = Unit.objects.get(code="zhengzhou")
    assert set(bureau_people(city).values_list("username", flat=True)) == {"city_office"}
    county = Unit.objects.get(code="bureau")
    assert {"office", "director", "station1"} <= set(bureau_people(county).values_list("username", flat=True))
    assert "xz_office" not in set(bureau_people(county).values_list("username", flat=True))
