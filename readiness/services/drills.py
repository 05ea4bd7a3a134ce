"""Drills (演练): the annual plan, each drill and its evaluation, rectification items with deadlines."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readiness import deadlines
from readiness.models import Drill, DrillPlan, RectificationItem
from readiness.services.base import not_before_today, plausible_day, require_member, require_office, required_text, unit_of_bureau
from roles.models import Unit
from roles.selectors import user_bureau_ids


@transaction.atomic
def drill_plan_create(*, actor, bureau: Unit, year: int, notes: str = "") -> DrillPlan:
    """The bureau's drill plan for `year`, by its office. ValidationError when it exists or the year is odd."""
    require_office(actor, bureau)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    if DrillPlan.objects.filter(bureau=bureau, year=year).exists():
        raise ValidationError({"year": _("The drill plan of this year already exists.")})
    return DrillPlan.objects.create(bureau=bureau, year=year, notes=notes.strip())


def _check_people(bureau, units, participants):
    for unit in units:
        unit_of_bureau(unit, bureau, "units")
    for person in participants:
        if bureau.pk not in user_bureau_ids(person):
            raise ValidationError({"participants": _("%(name)s is not on the staff of this bureau.") % {"name": person}})


@transaction.atomic
def drill_create(*, actor, drill_plan: DrillPlan, title: str, scenario: str, type: str, date: datetime.date,
                 units=(), participants=()) -> Drill:
    """A drill of the plan (scenario, tabletop/functional/full-scale, date, units and people), by the office."""
    bureau = drill_plan.bureau
    require_office(actor, bureau)
    title, scenario = required_text("title", title), required_text("scenario", scenario)
    if type not in Drill.Type.values:
        raise ValidationError({"type": _("Choose a type of drill.")})
    plausible_day(date, "date")
    if date.year != drill_plan.year:
        raise ValidationError({"date": _("The date must fall in the plan's year.")})
    _check_people(bureau, units, participants)
    drill = Drill.objects.create(drill_plan=drill_plan, title=title, scenario=scenario, type=type, date=date)
    drill.units.set(units)
    drill.participants.set(participants)
    return drill


@transaction.atomic
def drill_record(*, actor, drill: Drill, evaluation: str, units=None, participants=None) -> Drill:
    """The drill was held: its evaluation, and who took part (as it happened), by the office."""
    drill = Drill.objects.select_for_update().select_related("drill_plan__bureau").get(pk=drill.pk)
    bureau = drill.drill_plan.bureau
    require_office(actor, bureau)
    if drill.status == Drill.Status.CANCELLED:
        raise ValidationError({"status": _("A cancelled drill cannot be recorded.")})
    if drill.date > timezone.localdate():
        raise ValidationError({"date": _("A drill is recorded once it has been held.")})
    drill.evaluation = required_text("evaluation", evaluation)
    drill.status = Drill.Status.HELD
    drill.save(update_fields=["evaluation", "status"])
    _check_people(bureau, units or [], participants or [])
    if units is not None:
        drill.units.set(units)
    if participants is not None:
        drill.participants.set(participants)
    return drill


@transaction.atomic
def rectification_add(*, actor, drill: Drill, problem: str, action: str, owner_unit: Unit,
                      deadline: datetime.date, at=None) -> RectificationItem:
    """A problem the drill found and its rectification, owed by `owner_unit` by 24:00 of `deadline`
    (an obligation, Kind.RECTIFICATION, swept like every deadline). By the office, once the drill is held."""
    at = at or timezone.now()
    bureau = drill.drill_plan.bureau
    require_office(actor, bureau)
    if drill.status != Drill.Status.HELD:
        raise ValidationError({"drill": _("Problems are recorded once the drill has been held.")})
    problem, action = required_text("problem", problem), required_text("action", action)
    unit_of_bureau(owner_unit, bureau, "owner_unit")
    not_before_today(deadline, "deadline")
    item = RectificationItem.objects.create(drill=drill, problem=problem, action=action, owner_unit=owner_unit,
                                            deadline=deadline, created_at=at)
    deadlines.rectification_open(item, at)
    return item


@transaction.atomic
def rectification_complete(*, actor, item: RectificationItem, note: str, at=None) -> RectificationItem:
    """The owner unit reports the item done, with what it did: its obligation is fulfilled at `at`
    (late if after the deadline; the lateness stays on the record)."""
    at = at or timezone.now()
    item = RectificationItem.objects.select_for_update().select_related("owner_unit").get(pk=item.pk)
    require_member(actor, item.owner_unit)
    if item.done_at is not None:
        raise ValidationError({"note": _("This item is already done.")})
    item.done_note = required_text("note", note)
    item.done_at, item.done_by = at, actor
    item.save(update_fields=["done_note", "done_at", "done_by"])
    deadlines.fulfil_open(at, rectification=item)
    return item
