"""Capability self-assessment (eight dimensions, scores with evidence, improvement actions as
deadlines, the trend) and training (courses, results, each person's record, trained for what)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from readiness import services
from readiness.deadlines import local_day_end
from readiness.models import Assessment, Attendance, Dimension
from readiness.selectors import trend
from reporting.models import Kind, Obligation
from reporting.sweep import sweep_due

pytestmark = pytest.mark.django_db


def scores(value=70):
    return {d.value: (value, f"{d.label}的依据") for d in Dimension}


def _assessment(cast, units, period="2025", value=70, day=None, final=True):
    assessment = services.assessment_create(actor=cast["office"], bureau=units["bureau"], period=period,
                                            assessed_on=day or timezone.localdate(), scores=scores(value))
    if final:
        services.assessment_finalize(actor=cast["office"], assessment=assessment)
    return assessment


def test_an_assessment_scores_all_eight_dimensions_with_evidence(cast, units):
    assessment = _assessment(cast, units)
    assert assessment.scores.count() == 8
    assert set(assessment.scores.values_list("dimension", flat=True)) == set(Dimension.values)


def test_a_missing_or_out_of_range_score_is_refused_and_nothing_saved(cast, units):
    bad = scores()
    bad["recovery"] = (101, "x")
    bad["teams"] = (50, "  ")
    del bad["plans"]
    with pytest.raises(ValidationError) as caught:
        services.assessment_create(actor=cast["office"], bureau=units["bureau"], period="2026",
                                   assessed_on=timezone.localdate(), scores=bad)
    assert {"score_recovery", "evidence_teams", "score_plans"} <= set(caught.value.message_dict)
    assert not Assessment.objects.exists()


def test_only_the_office_assesses(cast, units):
    with pytest.raises(PermissionDenied):
        services.assessment_create(actor=cast["food"], bureau=units["bureau"], period="2026",
                                   assessed_on=timezone.localdate(), scores=scores())


def test_the_trend_reads_final_assessments_oldest_first(cast, units):
    today = timezone.localdate()
    _assessment(cast, units, "2024", 60, today - datetime.timedelta(days=700))
    _assessment(cast, units, "2025", 75, today - datetime.timedelta(days=300))
    _assessment(cast, units, "2026 草稿", 90, today, final=False)
    data = trend(Assessment.objects.all())
    assert data["labels"] == ["2024", "2025"]
    plans = next(d for d in data["datasets"] if d["key"] == "plans")
    assert plans["data"] == [60, 75] and len(data["datasets"]) == 8


def test_an_improvement_action_is_a_deadline_of_its_owner(cast, units):
    assessment = _assessment(cast, units)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    action = services.improvement_action_add(actor=cast["office"], assessment=assessment, dimension="drills_training",
                                             description="每季度组织一次桌面推演。", owner_unit=units["food_coordination"],
                                             deadline=deadline)
    obligation = Obligation.objects.get(improvement_action=action)
    assert obligation.kind == Kind.IMPROVEMENT_ACTION and obligation.owner_unit == units["food_coordination"]
    assert obligation.due_at == local_day_end(deadline)
    sweep_due(now=obligation.due_at + datetime.timedelta(seconds=1))
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.OVERDUE
    with pytest.raises(PermissionDenied):
        services.improvement_action_complete(actor=cast["station1"], action=action, note="完成。")
    services.improvement_action_complete(actor=cast["food"], action=action, note="已制定季度计划。",
                                         at=obligation.due_at + datetime.timedelta(hours=1))
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.FULFILLED and obligation.late_by_seconds == 3600


def test_training_results_make_each_persons_record(cast, units):
    course = services.course_create(actor=cast["office"], bureau=units["bureau"], title="食品安全事故应急处置培训",
                                    topic="食品安全事故处置", date=timezone.localdate(), hours=Decimal("4.5"))
    services.attendance_record(actor=cast["office"], course=course, user=cast["station1"], result="passed", score=88)
    services.attendance_record(actor=cast["office"], course=course, user=cast["station2"], result="failed", score=40)
    # Recorded again: replaced, not doubled.
    services.attendance_record(actor=cast["office"], course=course, user=cast["station2"], result="passed", score=75)
    assert Attendance.objects.filter(course=course).count() == 2
    assert services.trained_for([cast["station1"], cast["station2"], cast["food"]]) == {
        cast["station1"].pk: ["食品安全事故处置"], cast["station2"].pk: ["食品安全事故处置"]}


def test_training_is_recorded_by_the_office_for_its_own_staff(cast, counties, units):
    course = services.course_create(actor=cast["office"], bureau=units["bureau"], title="t", topic="t",
                                    date=timezone.localdate(), hours=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=cast["station1"], course=course, user=cast["station1"], result="passed")
    with pytest.raises(ValidationError):
        services.attendance_record(actor=cast["office"], course=course, user=cast["xz_station"], result="passed")
    with pytest.raises(ValidationError):
        services.course_create(actor=cast["office"], bureau=units["bureau"], title="t", topic="t",
                               date=timezone.localdate(), hours=Decimal("0"))


def test_the_hq_sees_what_people_were_trained_for_when_drafting_staff(cast, units):
    from incidents.forms import HQForm, TeamForm

    course = services.course_create(actor=cast["office"], bureau=units["bureau"], title="应急指挥培训", topic="应急指挥",
                                    date=timezone.localdate(), hours=Decimal("8"))
    services.attendance_record(actor=cast["office"], course=course, user=cast["deputy"], result="passed")
    services.attendance_record(actor=cast["office"], course=course, user=cast["food"], result="failed")
    team = dict((str(value), label) for value, label in TeamForm().fields["members"].choices)
    assert team[str(cast["deputy"].pk)].endswith("· 应急指挥")
    assert "应急指挥" not in team[str(cast["food"].pk)]
    commanders = [label for _value, label in HQForm().fields["commander"].choices]
    assert any(label.endswith("· 应急指挥") for label in commanders)
