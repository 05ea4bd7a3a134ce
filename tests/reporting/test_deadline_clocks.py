"""The rule book (docs/deadlines.md), rules 1–6 and 12: where each clock starts and how it runs, one test or more per rule, moving
time with time-machine. Each test names its rule; the rule book names the test."""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services as incidents
from incidents.models import Incident, IncidentEvent
from reporting.clock import due_after
from reporting.models import Kind, Notification, Obligation, Report
from reporting.selectors import overdue_board
from reporting.services import report_submit
from roles.models import Contact
from tests.incidents.conftest import FACTS
from tests.reporting.deadlines import S, T0, faxed
from tests.reporting.deadlines import at as _at
from tests.reporting.deadlines import ob as _ob
from tests.reporting.deadlines import record as _record
from tests.reporting.deadlines import sweep as _sweep

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- rule 1: 首报 1 hour from occurrence


def test_rule_1_the_station_cannot_move_its_clock_with_a_discovery_time(file_incident, cast):
    incident = _at(T0 + timedelta(hours=3), file_incident, proposed_level=2, occurred_at=T0,
                   discovered_at=T0 + timedelta(hours=2, minutes=30))
    ob = _ob(incident, Kind.FIRST_REPORT)
    assert ob.due_at == T0 + timedelta(hours=1) and ob.late_by_seconds == 2 * 3600
    assert ob.discovered_due_at == T0 + timedelta(hours=3, minutes=30) and ob.late_from_discovery_seconds is None
    units, failures = _record(cast["office"])
    assert units["chengguan"]["late"] == 1 and [f for f in failures if f.kind == Kind.FIRST_REPORT] == [ob]


def test_rule_1_the_office_may_accept_the_discovery_time_with_a_reason(file_incident, cast, api):
    incident = _at(T0 + timedelta(hours=3), file_incident, proposed_level=2, occurred_at=T0,
                   discovered_at=T0 + timedelta(hours=2, minutes=30))
    response = api("office").post(f"/api/incidents/{incident.pk}/verify/", {
        "summary": "属实", "accept_discovery_reason": "事发于夜间无人值守,次日上班发现,经核实属实"}, format="json")
    assert response.status_code == 200, response.content
    accepted = IncidentEvent.objects.get(incident=incident, kind=IncidentEvent.Kind.DISCOVERY_ACCEPTED)
    assert accepted.actor == cast["office"] and "夜间" in accepted.message
    ob = _ob(incident, Kind.FIRST_REPORT)
    assert ob.discovery_accepted and ob.late_by_seconds == 2 * 3600  # the letter's lateness stays on the record
    units, failures = _record(cast["office"])
    assert (units["chengguan"]["on_time"], units["chengguan"]["late"]) == (1, 0)
    assert [f for f in failures if f.kind == Kind.FIRST_REPORT] == []
    api_row = api("office").get("/api/obligations/", {"incident": incident.pk, "kind": "first_report"}).json()["results"][0]
    assert api_row["discovery_accepted"] and api_row["late_by_seconds"] == 7200


def test_rule_1_there_is_nothing_to_accept_without_a_later_discovery(file_incident, cast):
    incident = file_incident(proposed_level=2)
    with pytest.raises(ValidationError) as refused:
        incidents.incident_verify(actor=cast["office"], incident=incident, summary="属实", accept_discovery_reason="x")
    assert "accept_discovery_reason" in refused.value.message_dict
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.SUBMITTED


# ---------------------------------------------------------------- rule 2: a known incident is on the clock


def test_rule_2_a_draft_proposing_I_to_III_is_on_the_clock_and_seen_on_the_board(file_incident, cast, login):
    draft = _at(T0, file_incident, draft=True, proposed_level=3, occurred_at=T0 - timedelta(minutes=10),
                title="机密草稿标题")
    ob = _ob(draft, Kind.FIRST_REPORT)
    assert (ob.status, ob.due_at, ob.owner_unit.code) == (S.PENDING, T0 + timedelta(minutes=50), "chengguan")
    # The station sees its countdown on its home page and on the draft.
    assert "首报" in login("station1").get("/").content.decode()
    assert "11-20 09:50" in login("station1").get(f"/incidents/{draft.pk}/").content.decode()
    _sweep(T0 + timedelta(hours=1))
    ob.refresh_from_db()
    assert ob.status == S.OVERDUE and ob.overdue_at == ob.due_at
    # The office sees the overdue draft on the board: reference and station, never the draft's text.
    assert ob in overdue_board(cast["office"])
    board = login("office").get("/reporting/board/").content.decode()
    assert draft.reference in board and "机密草稿标题" not in board
    assert login("office").get(f"/incidents/{draft.pk}/").status_code == 404
    assert ob not in overdue_board(cast["station2"])


def test_rule_2_a_draft_at_IV_owes_nothing_and_a_draft_lowered_before_its_deadline_is_excused(file_incident, cast):
    draft = _at(T0, file_incident, draft=True, proposed_level=4, occurred_at=T0)
    assert not Obligation.objects.filter(incident=draft).exists()
    raised = _at(T0, file_incident, draft=True, proposed_level=2, occurred_at=T0)
    _at(T0 + timedelta(minutes=20), incidents.incident_update_draft, actor=cast["station1"], incident=raised, proposed_level=4)
    ob = _ob(raised, Kind.FIRST_REPORT)
    assert ob.status == S.WAIVED and ob.overdue_at is None
    late = _at(T0, file_incident, draft=True, proposed_level=2, occurred_at=T0)
    _at(T0 + timedelta(hours=2), incidents.incident_update_draft, actor=cast["station1"], incident=late, proposed_level=4)
    ob = _ob(late, Kind.FIRST_REPORT)
    assert ob.status == S.WAIVED and ob.overdue_at == T0 + timedelta(hours=1)  # the miss stays
    assert ob in _record(cast["office"])[1]


def test_rule_2_a_later_occurrence_never_moves_the_clock_later(file_incident, cast):
    draft = _at(T0, file_incident, draft=True, proposed_level=2, occurred_at=T0)
    _at(T0 + timedelta(minutes=30), incidents.incident_update_draft, actor=cast["station1"], incident=draft,
        occurred_at=T0 + timedelta(minutes=25))
    assert _ob(draft, Kind.FIRST_REPORT).due_at == T0 + timedelta(hours=1)
    _at(T0 + timedelta(minutes=31), incidents.incident_update_draft, actor=cast["station1"], incident=draft,
        occurred_at=T0 - timedelta(minutes=30))
    assert _ob(draft, Kind.FIRST_REPORT).due_at == T0 + timedelta(minutes=30)


# ---------------------------------------------------------------- rule 3: the level decided later rules


def test_rule_3_a_level_IV_report_corrected_to_II_gets_both_clocks(file_incident, cast):
    incident = _at(T0 + timedelta(minutes=20), file_incident, proposed_level=4, occurred_at=T0)
    assert not Obligation.objects.filter(incident=incident).exists()
    corrected = T0 + timedelta(minutes=90)
    _at(corrected, incidents.incident_correct, actor=cast["office"], incident=incident, reason="伤亡人数增加",
        proposed_level=2)
    first = _ob(incident, Kind.FIRST_REPORT)
    assert (first.status, first.due_at, first.late_by_seconds) == (S.FULFILLED, T0 + timedelta(hours=1), None)
    assert first.fulfilled_at == Incident.objects.get(pk=incident.pk).received_at
    upward = _ob(incident, Kind.UPWARD_REPORT)
    assert (upward.owner_unit.code, upward.due_at) == ("office", corrected + timedelta(minutes=30))


def test_rule_3_activation_above_the_proposal_starts_the_upward_clock(file_incident, to_state, cast):
    incident = _at(T0 + timedelta(minutes=20), to_state, _at(T0 + timedelta(minutes=20), file_incident,
                                                              proposed_level=4, occurred_at=T0), "verified")
    activated = T0 + timedelta(hours=3)
    _at(activated, incidents.incident_activate, actor=cast["director"], incident=incident, level=2, reason="研判升级")
    assert _ob(incident, Kind.UPWARD_REPORT).due_at == activated + timedelta(minutes=30)
    assert _ob(incident, Kind.FIRST_REPORT).status == S.FULFILLED


def test_rule_3_falling_to_IV_or_declining_waives_what_is_not_yet_due_and_keeps_a_miss(file_incident, to_state, cast):
    soon = _at(T0, to_state, _at(T0, file_incident, proposed_level=2, occurred_at=T0), "active")
    _at(T0 + timedelta(minutes=10), incidents.incident_change_level, actor=cast["director"], incident=soon, level=4,
        reason="研判为一般事件")
    upward = _ob(soon, Kind.UPWARD_REPORT)
    assert upward.status == S.WAIVED and upward.overdue_at is None and upward.waived_reason
    late = _at(T0, to_state, _at(T0, file_incident, proposed_level=2, occurred_at=T0), "active")
    _at(T0 + timedelta(hours=2), incidents.incident_change_level, actor=cast["director"], incident=late, level=4,
        reason="研判为一般事件")
    upward = _ob(late, Kind.UPWARD_REPORT)
    assert upward.status == S.WAIVED and upward.overdue_at == T0 + timedelta(minutes=30)
    declined = _at(T0, to_state, _at(T0, file_incident, proposed_level=2, occurred_at=T0), "verified")
    _at(T0 + timedelta(minutes=5), incidents.incident_decline, actor=cast["director"], incident=declined, reason="不构成")
    assert _ob(declined, Kind.UPWARD_REPORT).status == S.WAIVED
    _units, failures = _record(cast["office"])
    assert [f.incident_id for f in failures if f.kind == Kind.UPWARD_REPORT] == [late.pk]


# ---------------------------------------------------------------- rule 4: upward to both, and 越级上报


def test_rule_4_an_upward_report_to_one_recipient_does_not_fulfil(file_incident, cast):
    incident = file_incident(proposed_level=2)
    county = Contact.objects.get(code="county_government")
    faxed(cast["office"], report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT,
                                        content="传真报县政府", recipients=[county], facts=FACTS))
    assert _ob(incident, Kind.UPWARD_REPORT).status == S.PENDING
    both = list(Contact.objects.filter(code__in=["county_government", "city_bureau"]))
    report = report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="书面上报",
                           recipients=both, facts=FACTS)
    assert _ob(incident, Kind.UPWARD_REPORT).status == S.PENDING  # written, not yet sent (issue 11)
    faxed(cast["office"], report)
    assert _ob(incident, Kind.UPWARD_REPORT).report == report


def test_rule_4_a_station_reports_past_the_bureau_with_a_reason(file_incident, cast, api):
    incident = file_incident(proposed_level=1)
    url = f"/api/incidents/{incident.pk}/reports/"
    body = {"kind": "upward_report", "content": "情况紧急,直接报告市局", "recipients": ["city_bureau"], "facts": FACTS}
    assert api("station1").post(url, body, format="json").status_code == 403  # without a reason: not the station's
    assert api("station1").post(url, {**body, "skip_level_reason": "局办公室电话无人接听", "recipients": ["police"]},
                                format="json").status_code == 400
    response = api("station1").post(url, {**body, "skip_level_reason": "局办公室电话无人接听"}, format="json")
    assert response.status_code == 201, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert report.unit.code == "chengguan" and report.skip_level_reason == "局办公室电话无人接听"
    assert {c.code for c in report.recipients.all()} == {"city_bureau", "gov_chengguan"}  # the town government too
    assert Notification.objects.filter(user=cast["office"], incident=incident, title__contains="越级上报").exists()
    assert _ob(incident, Kind.UPWARD_REPORT).status == S.PENDING  # the bureau still owes its own


def test_rule_12_an_upward_report_states_the_facts_of_the_plan(file_incident, api):
    incident = file_incident(proposed_level=2)
    response = api("office").post(f"/api/incidents/{incident.pk}/reports/", {
        "kind": "upward_report", "content": "上报", "facts": {**FACTS, "trend": " ", "measures": ""}}, format="json")
    assert response.status_code == 400 and set(response.json()["facts"]) == {"trend", "measures"}
    assert not Report.objects.filter(incident=incident, kind=Kind.UPWARD_REPORT).exists()


def test_rule_12_the_first_report_states_the_facts_of_the_plan(file_incident, cast):
    draft = file_incident(draft=True, nature="", scope="", trend="", measures_taken="")
    with pytest.raises(ValidationError) as refused:
        incidents.incident_submit(actor=cast["station1"], incident=draft)
    assert {"nature", "scope", "trend", "measures_taken"} <= set(refused.value.message_dict)


# ---------------------------------------------------------------- rule 5: progress cadence


def _progress_dues(incident):
    return [o.due_at for o in Obligation.objects.filter(incident=incident, kind=Kind.PROGRESS_REPORT)
            .exclude(status=S.WAIVED, overdue_at=None).order_by("sequence")]


def test_rule_5_switching_levels_never_stretches_the_cadence(file_incident, to_state, cast):
    incident = _at(T0, to_state, _at(T0, file_incident, proposed_level=1, occurred_at=T0), "active")
    hours = lambda n: T0 + timedelta(hours=n)  # noqa: E731
    _at(hours(23), incidents.incident_change_level, actor=cast["director"], incident=incident, level=2, reason="缓和")
    assert _ob(incident, Kind.PROGRESS_REPORT, 1).due_at == hours(24)  # not 23 h + 3 days
    _sweep(hours(24))
    assert _ob(incident, Kind.PROGRESS_REPORT, 2).due_at == hours(24 + 72)
    _at(hours(46), incidents.incident_change_level, actor=cast["director"], incident=incident, level=1, reason="反弹")
    _at(hours(69), incidents.incident_change_level, actor=cast["director"], incident=incident, level=2, reason="缓和")
    _sweep(hours(70))
    assert _progress_dues(incident)[:3] == [hours(24), hours(70), hours(70 + 72)]
    assert _ob(incident, Kind.PROGRESS_REPORT, 1).status == S.OVERDUE


def test_rule_5_raising_the_level_brings_the_next_report_forward(file_incident, to_state, cast):
    incident = _at(T0, to_state, _at(T0, file_incident, proposed_level=3, occurred_at=T0), "active")
    _at(T0 + timedelta(days=2), incidents.incident_change_level, actor=cast["director"], incident=incident, level=1,
        reason="扩散")
    first = _ob(incident, Kind.PROGRESS_REPORT, 1)
    assert first.status == S.WAIVED and first.overdue_at is None  # excused before its deadline
    assert _ob(incident, Kind.PROGRESS_REPORT, 2).due_at == T0 + timedelta(days=3)


# ---------------------------------------------------------------- rule 6: calendar days


@pytest.mark.parametrize("ended, due", [
    ((2026, 11, 20, 0, 1), (2026, 11, 25, 0, 0)),
    ((2026, 11, 20, 23, 59), (2026, 11, 25, 0, 0)),
    ((2026, 9, 30, 18, 0), (2026, 10, 5, 0, 0)),  # National Day does not extend it
])
def test_rule_6_four_days_end_at_midnight_of_the_fourth_day_after_the_end_day(ended, due):
    ended, due = (timezone.make_aware(datetime.datetime(*t)) for t in (ended, due))
    assert due_after(ended, days=4) == due
    assert due_after(ended, minutes=60) == ended + timedelta(hours=1)


def test_rule_6_the_final_report_counts_calendar_days_in_asia_shanghai(file_incident, to_state, cast):
    late_evening = timezone.make_aware(datetime.datetime(2026, 11, 20, 23, 30))  # 15:30 UTC
    incident = _at(late_evening, to_state, _at(late_evening, file_incident, proposed_level=4), "ended")
    assert _ob(incident, Kind.FINAL_REPORT).due_at == timezone.make_aware(datetime.datetime(2026, 11, 29, 0, 0))
