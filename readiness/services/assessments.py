"""Capability self-assessment: scores with evidence on the second source's eight dimensions, and
improvement actions with deadlines."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readiness import deadlines
from readiness.models import MAX_SCORE, Assessment, Dimension, DimensionScore, ImprovementAction
from readiness.services.base import not_before_today, plausible_day, require_member, require_office, required_text, unit_of_bureau
from roles.models import Unit


@transaction.atomic
def assessment_create(*, actor, bureau: Unit, period: str, assessed_on: datetime.date, scores: dict,
                      summary: str = "") -> Assessment:
    """A draft assessment, by the office. `scores`: {dimension value: (score 0–100, evidence)} for
    every one of the eight dimensions. ValidationError naming the dimension when one is missing,
    out of range or without evidence."""
    require_office(actor, bureau)
    period = required_text("period", period)
    plausible_day(assessed_on, "assessed_on")
    errors = {}
    for dimension in Dimension:
        score, evidence = scores.get(dimension.value, (None, ""))
        if score is None or not 0 <= score <= MAX_SCORE:
            errors[f"score_{dimension.value}"] = _("Enter a score from 0 to 100.")
        if not (evidence or "").strip():
            errors[f"evidence_{dimension.value}"] = _("State the evidence for this score.")
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(bureau=bureau, period=period, assessed_on=assessed_on, summary=summary.strip())
    DimensionScore.objects.bulk_create([
        DimensionScore(assessment=assessment, dimension=d.value, score=scores[d.value][0], evidence=scores[d.value][1].strip())
        for d in Dimension])
    return assessment


@transaction.atomic
def assessment_finalize(*, actor, assessment: Assessment) -> Assessment:
    """The office closes the assessment: it then counts in the trend across assessments."""
    require_office(actor, assessment.bureau)
    assessment.status = Assessment.Status.FINAL
    assessment.save(update_fields=["status"])
    return assessment


@transaction.atomic
def improvement_action_add(*, actor, assessment: Assessment, dimension: str, description: str, owner_unit: Unit,
                           deadline: datetime.date, at=None) -> ImprovementAction:
    """An improvement action owed by `owner_unit` by 24:00 of `deadline` (Kind.IMPROVEMENT_ACTION), by the office."""
    at = at or timezone.now()
    require_office(actor, assessment.bureau)
    if dimension not in Dimension.values:
        raise ValidationError({"dimension": _("Choose a dimension.")})
    description = required_text("description", description)
    unit_of_bureau(owner_unit, assessment.bureau, "owner_unit")
    not_before_today(deadline, "deadline")
    action = ImprovementAction.objects.create(assessment=assessment, dimension=dimension, description=description,
                                              owner_unit=owner_unit, deadline=deadline)
    deadlines.improvement_open(action, at)
    return action


@transaction.atomic
def improvement_action_complete(*, actor, action: ImprovementAction, note: str, at=None) -> ImprovementAction:
    """The owner unit reports the action done: its obligation is fulfilled at `at` (late if late)."""
    at = at or timezone.now()
    action = ImprovementAction.objects.select_for_update().select_related("owner_unit").get(pk=action.pk)
    require_member(actor, action.owner_unit)
    if action.done_at is not None:
        raise ValidationError({"note": _("This action is already done.")})
    action.done_note, action.done_at = required_text("note", note), at
    action.save(update_fields=["done_note", "done_at"])
    deadlines.fulfil_open(at, improvement_action=action)
    return action
