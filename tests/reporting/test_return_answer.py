"""The rule book (docs/deadlines.md), rule 15: a return (退回) gives the station a deadline for its
answer, from the policy table, reminded, marked overdue and counted like any other; the station's
supplementary information fulfils it. Time moved with time-machine."""

from datetime import timedelta

import pytest

from incidents import services as incidents
from reporting.models import Kind, Outbox, ReportingRule
from tests.reporting.deadlines import S, T0
from tests.reporting.deadlines import at as _at
from tests.reporting.deadlines import ob as _ob
from tests.reporting.deadlines import record as _record
from tests.reporting.deadlines import sweep as _sweep

pytestmark = pytest.mark.django_db


def _returned(file_incident, cast, *, level=2, when=T0 + timedelta(minutes=10)):
    incident = _at(T0, file_incident, proposed_level=level, occurred_at=T0 - timedelta(minutes=30))
    return _at(when, incidents.incident_return, actor=cast["office"], incident=incident, message="请补充送医人数")


def test_rule_15_a_return_gives_the_station_an_hour_and_a_late_answer_is_late(file_incident, cast):
    incident = _returned(file_incident, cast)
    answer = _ob(incident, Kind.RETURN_ANSWER)
    assert (answer.owner_unit.code, answer.status) == ("chengguan", S.PENDING)
    assert (answer.starts_at, answer.due_at) == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=70))
    _sweep(T0 + timedelta(minutes=41))  # half time: the station is reminded
    half = set(Outbox.objects.filter(obligation=answer, step=Outbox.Step.REMINDER_HALF).values_list("channel", "recipient"))
    assert (Outbox.Channel.IN_APP, str(cast["station1"].pk)) in half
    _sweep(T0 + timedelta(minutes=71))
    answer.refresh_from_db()
    assert answer.status == S.OVERDUE and answer.overdue_at == T0 + timedelta(minutes=70)
    overdue = set(Outbox.objects.filter(obligation=answer, step=Outbox.Step.OVERDUE).values_list("channel", "recipient"))
    assert {(Outbox.Channel.IN_APP, str(cast["station1"].pk)), (Outbox.Channel.IN_APP, str(cast["office"].pk))} <= overdue
    _at(T0 + timedelta(minutes=80), incidents.incident_supplement, actor=cast["station1"], incident=incident,
        message="送医12人,均已出院")
    answer.refresh_from_db()
    assert answer.status == S.FULFILLED and answer.late_by_seconds == 600
    units, failures = _record(cast["office"])
    assert answer in failures and units["chengguan"]["late"] >= 1


def test_rule_15_an_answer_in_time_is_on_time_and_a_second_return_owes_a_second_answer(file_incident, cast):
    incident = _returned(file_incident, cast)
    _at(T0 + timedelta(minutes=30), incidents.incident_supplement, actor=cast["station1"], incident=incident,
        message="送医12人")
    first = _ob(incident, Kind.RETURN_ANSWER)
    assert first.status == S.FULFILLED and first.late_by_seconds is None
    _at(T0 + timedelta(minutes=40), incidents.incident_return, actor=cast["office"], incident=incident, message="再补充")
    second = _ob(incident, Kind.RETURN_ANSWER, 2)
    assert second.status == S.PENDING and second.due_at == T0 + timedelta(minutes=100)
    # Information added while nothing is returned owes nothing and fulfils nothing more.
    assert _ob(incident, Kind.RETURN_ANSWER, 1).fulfilled_at == T0 + timedelta(minutes=30)


def test_rule_15_the_limit_is_the_policy_table_s(file_incident, cast):
    assert ReportingRule.objects.get(kind=Kind.RETURN_ANSWER, level=4).limit_minutes == 24 * 60
    incident = _returned(file_incident, cast, level=4)
    assert _ob(incident, Kind.RETURN_ANSWER).due_at == T0 + timedelta(minutes=10, hours=24)
    ReportingRule.objects.filter(kind=Kind.RETURN_ANSWER, level=2).update(limit_minutes=120)
    edited = _returned(file_incident, cast, level=2)
    assert _ob(edited, Kind.RETURN_ANSWER).due_at == T0 + timedelta(minutes=130)
