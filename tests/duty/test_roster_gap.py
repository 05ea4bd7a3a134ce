"""The roster gap with moved time (issue 14, docs/deadlines.md rule 21): a shift without a leader or
without staff is the office's deadline, due at the shift's start; the sweep marks it overdue; filling
it fulfils it; cancelling waives it. And what goes to "the office" reaches the people on duty first."""

import pytest

from duty import roster
from duty.gaps import SHIFT_CANCELLED, SHIFT_MOVED
from reporting import delivery
from reporting.models import Kind, Obligation, Outbox
from reporting.subjects import subject_label, subject_url
from reporting.sweep import sweep_due
from roles.models import Unit
from tests.duty.conftest import T0, at

pytestmark = pytest.mark.django_db
S = Obligation.Status


def _gaps(shift):
    return list(Obligation.objects.filter(shift=shift, kind=Kind.ROSTER_GAP).order_by("sequence"))


def _recipients(obligation, step):
    return set(Outbox.objects.filter(obligation=obligation, step=step).values_list("channel", "recipient"))


def test_a_gap_is_the_offices_deadline_due_at_the_start_and_filling_fulfils_it(plan, cast, clock):
    shift = plan(at(2, 8), at(3, 8), leader="director", staff=())
    [gap] = _gaps(shift)
    assert (gap.owner_unit.code, gap.status, gap.starts_at, gap.due_at) == ("office", S.PENDING, T0, at(2, 8))
    assert gap.incident_id is None
    assert subject_label(gap).startswith("值班 2026-12-02 08:00") and subject_url(gap) == f"/duty/shifts/{shift.pk}/"

    clock.move_to(at(2, 8, 30))
    result = sweep_due(now=at(2, 8, 30))
    gap.refresh_from_db()
    assert gap.pk in result.marked_overdue and gap.status == S.OVERDUE and gap.overdue_at == at(2, 8)
    assert ("in_app", str(cast["office"].pk)) in _recipients(gap, Outbox.Step.OVERDUE)
    # The shift under way (the gap itself) has a leader on duty: the overdue notice reaches him too.
    assert ("in_app", str(cast["director"].pk)) in _recipients(gap, Outbox.Step.OVERDUE)

    roster.shift_update(actor=cast["office"], shift=shift, staff=[cast["food"]])
    gap.refresh_from_db()
    assert gap.status == S.FULFILLED and gap.fulfilled_at == at(2, 8, 30) and gap.late_by_seconds == 30 * 60
    assert gap.missed is False and gap.overdue_at == at(2, 8)  # late, and the record keeps it


def test_filled_before_the_start_is_on_time(plan, cast, clock):
    shift = plan(at(2, 8), at(3, 8), leader=None, staff=("office",))
    clock.move_to(at(2, 7))
    assert sweep_due(now=at(2, 7)).marked_overdue == []
    roster.shift_update(actor=cast["office"], shift=shift, leader=cast["deputy"])
    [gap] = _gaps(shift)
    assert gap.status == S.FULFILLED and gap.late_by_seconds is None


def test_a_staffed_shift_owes_nothing_and_emptying_it_opens_a_new_row(plan, cast, clock):
    shift = plan(at(2, 8), at(3, 8))
    assert _gaps(shift) == []
    clock.move_to(at(1, 12))
    roster.shift_update(actor=cast["office"], shift=shift, staff=[])
    [gap] = _gaps(shift)
    assert (gap.starts_at, gap.due_at, gap.sequence) == (at(1, 12), at(2, 8), 1)  # counted from when it is known
    roster.shift_update(actor=cast["office"], shift=shift, staff=[cast["office"]])
    roster.shift_update(actor=cast["office"], shift=shift, leader=None)
    assert [(g.sequence, g.status) for g in _gaps(shift)] == [(1, S.FULFILLED), (2, S.PENDING)]


def test_cancelling_the_shift_waives_its_gap_with_the_systems_reason(plan, cast):
    shift = plan(at(2, 8), at(3, 8), staff=())
    roster.shift_delete(actor=cast["office"], shift=shift)
    [gap] = _gaps(shift)
    assert gap.status == S.WAIVED and gap.waived_reason_key == SHIFT_CANCELLED and gap.overdue_at is None
    assert "取消" in gap.waived_reason


def test_moving_the_start_earlier_tightens_later_waives_and_counts_anew(plan, cast):
    shift = plan(at(2, 8), at(3, 8), staff=())
    roster.shift_update(actor=cast["office"], shift=shift, starts_at=at(2, 6))
    [gap] = _gaps(shift)
    assert gap.due_at == at(2, 6)
    roster.shift_update(actor=cast["office"], shift=shift, starts_at=at(2, 10))
    first, second = _gaps(shift)
    assert (first.status, first.waived_reason_key, first.due_at) == (S.WAIVED, SHIFT_MOVED, at(2, 6))
    assert (second.status, second.due_at) == (S.PENDING, at(2, 10))


def test_a_gap_known_after_the_start_is_born_overdue(plan, cast, clock):
    shift = plan(at(1, 8), at(2, 8))  # under way at T0
    roster.shift_update(actor=cast["office"], shift=shift, leader=None)
    [gap] = _gaps(shift)
    assert gap.status == S.OVERDUE and gap.overdue_at == at(1, 8)


def test_the_gap_shows_on_the_board_and_the_shift_page(plan, cast, login):
    shift = plan(at(2, 8), at(3, 8), staff=())
    board = login("office").get("/reporting/board/").content.decode()
    assert "值班空缺" in board and f"/duty/shifts/{shift.pk}/" in board
    assert "值班空缺期限" in login("station1").get(f"/duty/shifts/{shift.pk}/").content.decode()


# ---------------------------------------------------------------- the people on duty hear first


@pytest.fixture
def overdue_of_a_station(cast, county):
    """A deadline of 城关所 (owner), due at 10:00 on 1 December: overdue notices go to the station and the office."""
    from reporting.obligations import create_for

    # Any subject will do: a gap of a shift far ahead, owed by the station rather than the office.
    later = roster.shift_create(actor=cast["office"], bureau=county, starts_at=at(20), ends_at=at(21))
    return create_for(kind=Kind.ROSTER_GAP, owner_unit=Unit.objects.get(code="chengguan"), starts_at=T0,
                      due_at=at(1, 10), shift=later)


def test_an_overdue_notice_goes_to_the_people_on_duty(plan, cast, clock, overdue_of_a_station):
    cast["deputy"].email = "deputy@example.gov.cn"
    cast["deputy"].save()
    plan(at(1, 8), at(2, 8), leader="deputy", staff=("station2",))  # neither is in the station or the office
    clock.move_to(at(1, 10, 1))
    sweep_due(now=at(1, 10, 1))
    got = _recipients(overdue_of_a_station, Outbox.Step.OVERDUE)
    assert {("in_app", str(cast["station2"].pk)), ("in_app", str(cast["deputy"].pk)),
            ("email", "deputy@example.gov.cn"), ("in_app", str(cast["office"].pk)),
            ("in_app", str(cast["station1"].pk))} <= got
    reminders = {r for step in (Outbox.Step.REMINDER_HALF, Outbox.Step.REMINDER_SOON)
                 for r in _recipients(overdue_of_a_station, step)}
    assert ("in_app", str(cast["station2"].pk)) not in reminders  # reminders stay with the owner


def test_nobody_on_duty_the_office_as_before(cast, clock, overdue_of_a_station):
    clock.move_to(at(1, 10, 1))
    sweep_due(now=at(1, 10, 1))
    got = _recipients(overdue_of_a_station, Outbox.Step.OVERDUE)
    assert {r for _c, r in got} == {str(cast["office"].pk), str(cast["station1"].pk)}


def test_the_offices_robot_message_names_who_is_on_duty(plan, cast, clock, overdue_of_a_station):
    Unit.objects.filter(code="office").update(robot_webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    plan(at(1, 8), at(2, 8), leader="deputy", staff=("station2", "food"))
    clock.move_to(at(1, 10, 1))
    sweep_due(now=at(1, 10, 1))
    rows = list(Outbox.objects.filter(obligation=overdue_of_a_station, channel="webhook", step=Outbox.Step.OVERDUE)
                .select_related("obligation__owner_unit"))
    assert rows
    assert "值班：food、station2（带班领导：deputy）" in delivery.robot_text(rows)
    clock.move_to(at(2, 9))  # that shift is over and none follows: no line
    assert "值班" not in delivery.robot_text(rows).split("\n")[-1]


# ---------------------------------------------------------------- a day with no shift at all


def test_uncovered_days_ahead_become_gap_shifts_once(plan, county, cast, clock, settings):
    from duty.gaps import UNCOVERED, coverage_check
    from duty.models import Shift

    plan(at(1, 8), at(2, 8))                        # today, and tomorrow until 08:00
    plan(at(3, 8), at(4, 8), leader="deputy")       # the day after: 08:00 on
    made = coverage_check(now=T0, days_ahead=2)     # checks 2 and 3 December (local)
    assert [(s.starts_at, s.ends_at) for s in made] == [(at(2, 8), at(3, 0)), (at(3, 0), at(3, 8))]
    assert all(s.note == UNCOVERED and s.leader is None and s.created_by is None for s in made)
    gaps = [_gaps(s)[0] for s in made]
    assert [(g.owner_unit.code, g.starts_at, g.due_at) for g in gaps] == [("office", T0, at(2, 8)), ("office", T0, at(3, 0))]
    assert coverage_check(now=T0, days_ahead=2) == []  # covered now
    assert coverage_check(now=T0, days_ahead=0) == []
    # The office fills one: fulfilled, like any gap.
    roster.shift_update(actor=cast["office"], shift=made[0], leader=cast["director"], staff=[cast["food"]])
    assert _gaps(made[0])[0].status == S.FULFILLED
    assert Shift.objects.planned().count() == 4


def test_a_bureau_that_keeps_no_roster_is_not_checked(cast, county, clock):
    from duty.gaps import coverage_check

    assert coverage_check(now=T0, days_ahead=3) == []


def test_the_beat_task_reads_the_setting(plan, clock, settings):
    from duty.tasks import roster_coverage_check

    plan(at(1, 8), at(2, 8))
    settings.DUTY_ROSTER_DAYS_AHEAD = 1
    assert roster_coverage_check() == 1   # 2 December from 08:00 to midnight
    settings.DUTY_ROSTER_DAYS_AHEAD = 0
    assert roster_coverage_check() == 0
