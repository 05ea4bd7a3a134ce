"""Deadlines as rows: created by the incident's events, due per the plan, fulfilled by reports."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from incidents import services as incidents
from tests.incidents.conftest import FACTS
from tests.reporting.deadlines import faxed
from reporting.models import Kind, Obligation, Report
from reporting.services import obligation_waive, report_submit
from reporting.sweep import sweep_due

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(timezone.datetime(2026, 11, 20, 9, 0))


def _ob(incident, kind, sequence=1):
    return Obligation.objects.get(incident=incident, kind=kind, sequence=sequence)


@pytest.mark.parametrize("level, first_limit", [(1, 60), (2, 60), (3, 60), (4, None)])
def test_first_report_is_due_an_hour_after_it_occurred_for_levels_I_to_III(file_incident, level, first_limit):
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        incident = file_incident(proposed_level=level, occurred_at=T0)
    if first_limit is None:  # the plan names no limit for Ⅳ
        assert not Obligation.objects.filter(incident=incident, kind=Kind.FIRST_REPORT).exists()
        return
    ob = _ob(incident, Kind.FIRST_REPORT)
    assert ob.due_at == T0 + timedelta(minutes=60)
    assert ob.status == Obligation.Status.FULFILLED and ob.late_by_seconds is None
    assert ob.report.kind == Kind.FIRST_REPORT and "城关镇" in ob.report.content


def test_a_late_first_report_is_recorded_with_how_late(file_incident):
    with time_machine.travel(T0 + timedelta(hours=2, minutes=5), tick=False):
        incident = file_incident(proposed_level=2, occurred_at=T0)
    ob = _ob(incident, Kind.FIRST_REPORT)
    assert ob.status == Obligation.Status.FULFILLED
    assert ob.late_by_seconds == 65 * 60


def test_discovered_later_still_counts_from_occurrence_and_shows_both(file_incident):
    """Rule 1: the station's discovery time does not start the clock; the record shows both."""
    with time_machine.travel(T0 + timedelta(hours=5, minutes=30), tick=False):
        incident = file_incident(proposed_level=2, occurred_at=T0, discovered_at=T0 + timedelta(hours=5))
    ob = _ob(incident, Kind.FIRST_REPORT)
    assert ob.starts_at == T0 and ob.late_by_seconds == 4.5 * 3600
    assert ob.discovered_due_at == T0 + timedelta(hours=6) and ob.late_from_discovery_seconds is None


def test_upward_report_is_due_30_minutes_after_the_bureau_receives_it(file_incident, cast):
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        incident = file_incident(proposed_level=1, occurred_at=T0)
    ob = _ob(incident, Kind.UPWARD_REPORT)
    assert ob.due_at == T0 + timedelta(minutes=50) and ob.owner_unit.code == "office"
    with time_machine.travel(T0 + timedelta(minutes=55), tick=False):
        report = report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="书面上报",
                               facts=FACTS)
        faxed(cast["office"], report)
    ob.refresh_from_db()
    assert ob.status == Obligation.Status.FULFILLED and ob.late_by_seconds == 5 * 60 and ob.report == report
    assert {c.code for c in report.recipients.all()} == {"county_government", "city_bureau"}


def test_an_office_registered_incident_makes_the_station_owe_the_first_report(cast, categories):
    with time_machine.travel(T0, tick=False):
        incident = incidents.incident_file(actor=cast["office"], station=cast["station1"].memberships.get().unit, draft=True,
                                           title="12315转来:某超市销售过期食品", category=categories["food_safety"])
    ob = _ob(incident, Kind.FIRST_REPORT)
    assert ob.owner_unit.code == "chengguan" and ob.due_at == T0 + timedelta(hours=1)
    assert ob.status == Obligation.Status.PENDING


@pytest.mark.parametrize("level, days", [(1, 1), (2, 3), (3, 7), (4, 7)])
def test_progress_reports_follow_a_fixed_schedule_over_many_periods(file_incident, to_state, cast, level, days):
    with time_machine.travel(T0, tick=False):
        incident = to_state(file_incident(proposed_level=level), "active")
    period = timedelta(days=days)
    first = _ob(incident, Kind.PROGRESS_REPORT, 1)
    assert first.due_at == T0 + period
    # Report a little late in period 1, miss period 2 entirely, report early in period 3.
    with time_machine.travel(T0 + period + timedelta(hours=2), tick=False):
        report_submit(actor=cast["office"], incident=incident, kind=Kind.PROGRESS_REPORT, content="续报一")
    assert _ob(incident, Kind.PROGRESS_REPORT, 1).late_by_seconds == 7200
    assert _ob(incident, Kind.PROGRESS_REPORT, 2).due_at == T0 + 2 * period  # anchored, no drift
    with time_machine.travel(T0 + 2 * period + timedelta(seconds=1), tick=False):
        sweep_due(now=T0 + 2 * period + timedelta(seconds=1))
    assert _ob(incident, Kind.PROGRESS_REPORT, 2).status == Obligation.Status.OVERDUE
    assert _ob(incident, Kind.PROGRESS_REPORT, 3).due_at == T0 + 3 * period
    with time_machine.travel(T0 + 2 * period + timedelta(hours=1), tick=False):
        report_submit(actor=cast["office"], incident=incident, kind=Kind.PROGRESS_REPORT, content="续报二")
    # The overdue period 2 is the oldest open one: the report fulfils it, late.
    assert _ob(incident, Kind.PROGRESS_REPORT, 2).status == Obligation.Status.FULFILLED
    assert _ob(incident, Kind.PROGRESS_REPORT, 3).status == Obligation.Status.PENDING


def test_a_level_change_re_anchors_the_schedule(file_incident, to_state, cast):
    with time_machine.travel(T0, tick=False):
        incident = to_state(file_incident(proposed_level=3), "active")
    assert _ob(incident, Kind.PROGRESS_REPORT, 1).due_at == T0 + timedelta(days=7)
    changed = T0 + timedelta(days=2)
    with time_machine.travel(changed, tick=False):
        incidents.incident_change_level(actor=cast["director"], incident=incident, level=1, reason="疫情扩散")
    assert _ob(incident, Kind.PROGRESS_REPORT, 1).status == Obligation.Status.WAIVED
    assert _ob(incident, Kind.PROGRESS_REPORT, 2).due_at == changed + timedelta(days=1)


def test_the_end_stops_progress_reports_and_starts_the_final_report(file_incident, to_state, cast):
    with time_machine.travel(T0, tick=False):
        incident = to_state(file_incident(proposed_level=4), "active")
    ended = T0 + timedelta(days=3)
    with time_machine.travel(ended, tick=False):
        incidents.incident_summary_submit(actor=cast["deputy"], incident=incident, summary="处置总结")
        incidents.incident_approve_end(actor=cast["director"], incident=incident)
        incidents.incident_end(actor=cast["deputy"], incident=incident, summary="处置完毕")
    assert _ob(incident, Kind.PROGRESS_REPORT, 1).status == Obligation.Status.WAIVED
    final = _ob(incident, Kind.FINAL_REPORT)
    # Ⅳ: eight days by the calendar, ending at 24:00 of the 8th day after the end day (11-23 → 12-01 24:00).
    assert final.due_at == timezone.make_aware(timezone.datetime(2026, 12, 2, 0, 0))
    after_action = _ob(incident, Kind.AFTER_ACTION_REPORT)  # 30 days by default (a rule in the policy table)
    assert after_action.due_at == timezone.make_aware(timezone.datetime(2026, 12, 24, 0, 0))


def test_final_report_within_four_days_for_levels_I_to_III(file_incident, to_state, cast):
    with time_machine.travel(T0, tick=False):
        incident = to_state(file_incident(proposed_level=2), "ended")
    # Ended 11-20 09:00: the 20th does not count, the four days end at 24:00 on the 24th.
    assert _ob(incident, Kind.FINAL_REPORT).due_at == timezone.make_aware(timezone.datetime(2026, 11, 25, 0, 0))


def test_waiving_needs_the_leader_and_a_reason(file_incident, to_state, cast):
    incident = to_state(file_incident(proposed_level=2), "verified")
    ob = _ob(incident, Kind.UPWARD_REPORT)
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        obligation_waive(actor=cast["office"], obligation=ob, reason="已决定不启动")
    with pytest.raises(ValidationError):
        obligation_waive(actor=cast["director"], obligation=ob, reason=" ")
    obligation_waive(actor=cast["director"], obligation=ob, reason="已电话报告县政府,领导小组同意")
    ob.refresh_from_db()
    assert ob.status == Obligation.Status.WAIVED and ob.waived_by == cast["director"] and ob.next_alert_at is None
    assert ob.waived_at is not None and ob.overdue_at is None  # before the deadline: not a miss


def test_reports_are_immutable_and_corrections_point_back(file_incident, cast):
    incident = file_incident(proposed_level=2)
    report = report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="初次上报", facts=FACTS)
    report.content = "改过的"
    with pytest.raises(ValueError):
        report.save()
    fix = report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="更正:伤者12人",
                        corrects=report, facts=FACTS)
    assert fix.corrects == report and Report.objects.get(pk=report.pk).content == "初次上报"


def test_only_the_office_writes_reports_to_the_government(file_incident, cast):
    from django.core.exceptions import PermissionDenied

    incident = file_incident(proposed_level=2)
    with pytest.raises(PermissionDenied):
        report_submit(actor=cast["station1"], incident=incident, kind=Kind.UPWARD_REPORT, content="x")
    assert not Report.objects.filter(kind=Kind.UPWARD_REPORT).exists()
