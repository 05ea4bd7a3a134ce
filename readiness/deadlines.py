"""Readiness deadlines as obligations of the one deadline engine (reporting.obligations): a plan
version's review date (PLAN_REVIEW), a revision task from an after-action report (PLAN_REVISION), a
drill's rectification item (RECTIFICATION) and an assessment's improvement action
(IMPROVEMENT_ACTION). docs/deadlines.md is the rule book. Everything here runs inside the caller's
transaction. A row is never deleted and its due_at never moved later."""

import datetime

from django.utils import timezone

from reporting.models import Kind, Obligation
from reporting import obligations as engine

OPEN = [Obligation.Status.PENDING, Obligation.Status.OVERDUE]


def local_day_end(day: datetime.date) -> datetime.datetime:
    """24:00 Asia/Shanghai of `day` (00:00 local of the next day), aware: a deadline given as a date
    is met all through that day (《民法典》第二百零一条, as reporting.clock.due_after counts days)."""
    zone = timezone.get_default_timezone()
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def open_for(**subject):
    """The open obligations of one subject, e.g. open_for(rectification=item)."""
    return Obligation.objects.filter(status__in=OPEN, **subject).order_by("kind", "sequence")


def fulfil_open(at: datetime.datetime, **subject) -> int:
    """Fulfil every open obligation of the subject at `at` (UTC; late if after due_at). Returns how many."""
    rows = list(open_for(**subject).select_for_update())
    for obligation in rows:
        engine.fulfil(obligation, None, at)
    return len(rows)


def plan_review_open(version, at) -> Obligation:
    """The next review of an approved version: owed by the plan's owner section by 24:00 of
    `version.next_review_due`."""
    return engine.create_for(kind=Kind.PLAN_REVIEW, owner_unit=version.plan.owner_section, starts_at=at,
                      due_at=local_day_end(version.next_review_due), plan_version=version)


def plan_revision_open(version, at, days: int) -> Obligation:
    """A revision task on the version in force, owed by the owner section `days` calendar days after `at`."""
    due = local_day_end(timezone.localtime(at).date() + datetime.timedelta(days=days))
    return engine.create_for(kind=Kind.PLAN_REVISION, owner_unit=version.plan.owner_section, starts_at=at, due_at=due,
                      plan_version=version)


def rectification_open(item, at) -> Obligation:
    return engine.create_for(kind=Kind.RECTIFICATION, owner_unit=item.owner_unit, starts_at=at,
                      due_at=local_day_end(item.deadline), rectification=item)


def improvement_open(action, at) -> Obligation:
    return engine.create_for(kind=Kind.IMPROVEMENT_ACTION, owner_unit=action.owner_unit, starts_at=at,
                      due_at=local_day_end(action.deadline), improvement_action=action)
