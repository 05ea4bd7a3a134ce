"""The rule book (docs/deadlines.md), rules 7–11, 13 and 14: measures, after-action, merges, the record, the end, one test or more per rule, moving
time with time-machine. Each test names its rule; the rule book names the test."""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from incidents import services as incidents
from incidents.models import Incident, IncidentEvent, Measure
from reporting.models import Kind, Obligation, Outbox
from reporting.services import obligation_waive, report_submit
from roles.models import Unit
from tests.incidents.conftest import FACTS
from tests.reporting.deadlines import S, T0, faxed
from tests.reporting.deadlines import at as _at
from tests.reporting.deadlines import ob as _ob
from tests.reporting.deadlines import record as _record
from tests.reporting.deadlines import sweep as _sweep

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- rule 7: measures are obligations


def test_rule_7_measures_are_obligations_escalated_to_the_commander(file_incident, to_state, cast):
    incident = _at(T0, to_state, _at(T0, file_incident, proposed_level=1, occurred_at=T0), "active")
    rows = Obligation.objects.filter(incident=incident, kind=Kind.MEASURE)
    timed = Measure.objects.filter(incident=incident).exclude(due_at=None)
    assert {(o.measure_id, o.due_at, o.owner_unit_id) for o in rows} == {(m.pk, m.due_at, m.owner_unit_id) for m in timed}
    assembly = rows.get(measure__title__contains="集结")
    assert assembly.due_at == T0 + timedelta(hours=1) and assembly.owner_unit.code == "office"
    _sweep(T0 + timedelta(hours=1, minutes=31))
    assembly.refresh_from_db()
    assert assembly.status == S.OVERDUE
    escalated = set(Outbox.objects.filter(obligation=assembly, step=Outbox.Step.ESCALATION).values_list("channel", "recipient"))
    assert (Outbox.Channel.IN_APP, str(cast["deputy"].pk)) in escalated  # the HQ commander
    assert (Outbox.Channel.IN_APP, str(cast["director"].pk)) not in escalated
    _at(T0 + timedelta(hours=2), incidents.measure_update, actor=cast["office"], measure=assembly.measure,
        status="done", completion_note="已集结")
    assembly.refresh_from_db()
    assert assembly.status == S.FULFILLED and assembly.late_by_seconds == 3600
    assert assembly in _record(cast["office"])[1]


def test_rule_7_the_end_cancels_only_measures_not_yet_due(file_incident, to_state, cast):
    incident = _at(T0, to_state, _at(T0, file_incident, proposed_level=1, occurred_at=T0), "active")
    _at(T0 + timedelta(hours=2), to_state, incident, "ended")
    assembly = Measure.objects.get(incident=incident, title__contains="集结")
    meeting = Measure.objects.get(incident=incident, title__contains="会议")
    assert assembly.status == Measure.Status.OPEN and meeting.status == Measure.Status.CANCELLED
    assert _ob(incident, Kind.MEASURE, meeting.obligations.get().sequence).status == S.WAIVED
    missed = assembly.obligations.get()
    assert missed.status == S.OVERDUE and missed.overdue_at == T0 + timedelta(hours=1)
    _at(T0 + timedelta(hours=3), incidents.measure_update, actor=cast["office"], measure=assembly, status="done",
        completion_note="补报:已集结")
    missed.refresh_from_db()
    assert missed.status == S.FULFILLED and missed.late_by_seconds == 2 * 3600


# ---------------------------------------------------------------- rule 8: after-action report


def test_rule_8_the_after_action_report_is_owed_by_the_team_and_does_not_close_while_the_final_is_owed(
        file_incident, to_state, cast):
    incident = _at(T0, to_state, _at(T0, file_incident, proposed_level=3, occurred_at=T0), "ended")
    after = _ob(incident, Kind.AFTER_ACTION_REPORT)
    assert after.owner_unit.code == "office"  # until the team is named
    assert after.due_at == timezone.make_aware(datetime.datetime(2026, 12, 21, 0, 0))  # 30 days, editable
    _at(T0 + timedelta(days=1), incidents.incident_team_name, actor=cast["deputy"], incident=incident, leader=cast["food"])
    after.refresh_from_db()
    assert after.owner_unit.code == "food_coordination"
    from tests.incidents.conftest import AFTER_ACTION

    _at(T0 + timedelta(days=2), incidents.incident_after_action_file, actor=cast["food"], incident=incident, **AFTER_ACTION)
    after.refresh_from_db()
    assert after.status == S.FULFILLED and after.report.kind == Kind.AFTER_ACTION_REPORT
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.ENDED  # the final report is still owed
    _at(T0 + timedelta(days=3), report_submit, actor=cast["office"], incident=incident, kind=Kind.FINAL_REPORT,
        content="书面报告")
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.CLOSED


# ---------------------------------------------------------------- rule 9: merging keeps the earliest clock


def test_rule_9_merging_keeps_the_earliest_clock_and_the_duplicate_s_miss(file_incident, cast):
    duplicate = _at(T0 + timedelta(minutes=50), file_incident, proposed_level=2, occurred_at=T0, title="家长来电")
    survivor = _at(T0 + timedelta(hours=2), file_incident, proposed_level=2, occurred_at=T0 + timedelta(minutes=40))
    assert _ob(survivor, Kind.UPWARD_REPORT).due_at == T0 + timedelta(hours=2, minutes=30)
    _sweep(T0 + timedelta(hours=2, minutes=5))  # the duplicate's upward report is overdue (due 09:50 + 30 min)
    _at(T0 + timedelta(hours=2, minutes=10), incidents.incident_merge, actor=cast["office"], incident=duplicate,
        into=survivor, reason="同一事件")
    first = _ob(survivor, Kind.FIRST_REPORT)
    assert first.due_at == T0 + timedelta(hours=1) and first.late_by_seconds == 3600  # from the earliest occurrence
    upward = _ob(survivor, Kind.UPWARD_REPORT)
    assert upward.due_at == T0 + timedelta(minutes=80) and upward.status == S.OVERDUE  # from the earliest receipt
    missed = _ob(duplicate, Kind.UPWARD_REPORT)
    assert missed.status == S.OVERDUE and missed.next_alert_at is None  # kept, but nothing more is sent
    report = _at(T0 + timedelta(hours=3), report_submit, actor=cast["office"], incident=survivor,
                 kind=Kind.UPWARD_REPORT, content="合并后上报", facts=FACTS)
    faxed(cast["office"], report, T0 + timedelta(hours=3))
    missed.refresh_from_db()
    assert missed.status == S.FULFILLED and missed.report == report and missed.late_by_seconds > 0


def test_rule_9_a_duplicate_s_deadlines_not_yet_due_are_waived(file_incident, cast):
    duplicate = _at(T0, file_incident, proposed_level=2, occurred_at=T0 - timedelta(minutes=10))
    survivor = _at(T0, file_incident, proposed_level=2, occurred_at=T0 - timedelta(minutes=10))
    _at(T0 + timedelta(minutes=5), incidents.incident_merge, actor=cast["office"], incident=duplicate, into=survivor,
        reason="重复")
    upward = _ob(duplicate, Kind.UPWARD_REPORT)
    assert upward.status == S.WAIVED and upward.overdue_at is None and str(survivor.pk) in upward.waived_reason


# ---------------------------------------------------------------- rules 10 and 11: the record, waivers


def test_rule_10_lateness_is_a_fact_whether_or_not_a_sweep_ran(file_incident, cast):
    incident = _at(T0, file_incident, proposed_level=2, occurred_at=T0)
    upward = _ob(incident, Kind.UPWARD_REPORT)
    # No sweep ran; the report comes 40 minutes after the deadline.
    report = _at(T0 + timedelta(minutes=70), report_submit, actor=cast["office"], incident=incident,
                 kind=Kind.UPWARD_REPORT, content="上报", facts=FACTS)
    faxed(cast["office"], report, T0 + timedelta(minutes=70))
    upward.refresh_from_db()
    assert upward.overdue_at == upward.due_at and upward.late_by_seconds == 40 * 60
    # Still pending past its deadline with no sweep: the record counts it missed all the same.
    other = _at(T0, file_incident, proposed_level=2, occurred_at=T0)
    units, failures = _record(cast["office"])
    assert _ob(other, Kind.UPWARD_REPORT).status == S.PENDING and _ob(other, Kind.UPWARD_REPORT) in failures


def test_rule_10_a_waiver_after_the_deadline_keeps_the_miss(file_incident, cast, login):
    incident = _at(T0, file_incident, proposed_level=2, occurred_at=T0)
    upward = _ob(incident, Kind.UPWARD_REPORT)
    _at(T0 + timedelta(hours=1), obligation_waive, actor=cast["director"], obligation=upward, reason="已电话报告,补录")
    upward.refresh_from_db()
    assert upward.status == S.WAIVED and upward.overdue_at == upward.due_at and upward.missed
    units, failures = _record(cast["office"])
    assert (units["office"]["missed"], units["office"]["missed_then_waived"], units["office"]["waived"]) == (1, 1, 0)
    page = login("office").get("/reporting/accountability/", {"start": "2026-11-19", "end": "2026-11-30"}).content.decode()
    assert "已电话报告,补录" in page and cast["director"].display_name in page


def test_rule_11_waivers_over_the_api_are_the_leader_s(file_incident, cast, api):
    incident = file_incident(proposed_level=2)
    upward = _ob(incident, Kind.UPWARD_REPORT)
    url = f"/api/obligations/{upward.pk}/waive/"
    assert api("office").post(url, {"reason": "x"}, format="json").status_code == 403
    assert api("station2").post(url, {"reason": "x"}, format="json").status_code == 404
    assert api("director").post(url, {"reason": ""}, format="json").status_code == 400
    assert _ob(incident, Kind.UPWARD_REPORT).status == S.PENDING
    response = api("director").post(url, {"reason": "领导小组同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "waived"
    assert response.json()["waived_by"] == "director" and response.json()["missed"] is False
    assert api("director").post(url, {"reason": "再次"}, format="json").status_code == 409


def test_the_accountability_api_shows_misses_later_waived(file_incident, cast, api):
    incident = _at(T0, file_incident, proposed_level=2, occurred_at=T0)
    _at(T0 + timedelta(hours=1), obligation_waive, actor=cast["director"], obligation=_ob(incident, Kind.UPWARD_REPORT),
        reason="补录")
    assert api("station1").get("/api/accountability/", {"start": "2026-11-19", "end": "2026-11-30"}).status_code == 403
    assert api("office").get("/api/accountability/", {"start": "2026-11-30", "end": "2026-11-19"}).status_code == 400
    data = api("office").get("/api/accountability/", {"start": "2026-11-19", "end": "2026-11-30"}).json()
    office = next(u for u in data["units"] if u["unit"] == "office")
    assert (office["missed"], office["missed_then_waived"]) == (1, 1)
    assert [(f["kind"], f["status"], f["waived_reason"]) for f in data["failures"]] == [("upward_report", "waived", "补录")]


# ---------------------------------------------------------------- rules 13 and 14: the end, the HQ


def test_rule_13_the_end_needs_a_summary_and_for_III_the_leading_group_s_approval(file_incident, to_state, cast, api):
    incident = to_state(file_incident(proposed_level=3), "active")
    url = f"/api/incidents/{incident.pk}/"
    assert api("deputy").post(url + "end/", {"summary": "结束"}, format="json").status_code == 409
    assert api("director").post(url + "approve-end/", {}, format="json").status_code == 409  # no summary yet
    assert api("food").post(url + "summary/", {"summary": "处置总结"}, format="json").status_code == 200
    assert api("deputy").post(url + "end/", {"summary": "结束"}, format="json").status_code == 409
    assert api("deputy").post(url + "approve-end/", {}, format="json").status_code == 403
    assert api("director").post(url + "approve-end/", {"reason": "同意"}, format="json").status_code == 200
    # A level change after the approval asks for a new one.
    incidents.incident_change_level(actor=cast["director"], incident=incident, level=4, reason="降级")
    assert api("deputy").post(url + "end/", {"summary": "结束"}, format="json").status_code == 409
    assert api("director").post(url + "approve-end/", {}, format="json").status_code == 200
    assert api("deputy").post(url + "end/", {"summary": "结束"}, format="json").status_code == 200
    kinds = list(IncidentEvent.objects.filter(incident=incident).values_list("kind", flat=True))
    assert kinds.index("summary_submitted") < kinds.index("end_approved") < kinds.index("ended")


def test_rule_13_at_I_and_II_the_leading_group_s_declaration_is_the_approval(file_incident, to_state, cast, api):
    incident = to_state(file_incident(proposed_level=2), "active")
    url = f"/api/incidents/{incident.pk}/"
    assert api("director").post(url + "end/", {"summary": "结束"}, format="json").status_code == 409  # summary first
    incidents.incident_summary_submit(actor=cast["deputy"], incident=incident, summary="总结")
    assert api("director").post(url + "approve-end/", {}, format="json").status_code == 409
    assert api("director").post(url + "end/", {"summary": "结束"}, format="json").status_code == 200


def test_rule_14_a_section_clerk_cannot_compose_the_hq(file_incident, to_state, cast):
    incident = to_state(file_incident(proposed_level=2), "active")
    with pytest.raises(PermissionDenied):
        incidents.incident_hq_update(actor=cast["food"], incident=incident, commander=cast["director"])
    with pytest.raises(PermissionDenied):
        incidents.incident_hq_update(actor=cast["food"], incident=incident,
                                     member_sections=[Unit.objects.get(code="catering")])
    incidents.incident_hq_update(actor=cast["director"], incident=incident,
                                 member_sections=[Unit.objects.get(code="food_coordination"), Unit.objects.get(code="catering")])
    assert incident.hq.member_sections.filter(code="catering").exists()
