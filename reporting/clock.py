"""The clock of a deadline (plan 三(二), docs/deadlines.md rule 6): the limit in force for a kind
at a level, when a limit counted from a moment ends, and when each reminder, the overdue notice
and the escalation of one obligation fall due."""

import datetime
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from reporting.models import ReportingRule

# An incident the office registers may have no proposed level yet: hold the station to the
# strictest limit until one is proposed.
UNKNOWN_LEVEL = 1


def rule_limit(kind: str, level: int | None) -> tuple[int | None, int | None]:
    """(minutes, calendar days) of the rule for `kind` at `level`; (None, None) where the plan names no limit."""
    row = ReportingRule.objects.filter(kind=kind, level=level or UNKNOWN_LEVEL).values_list(
        "limit_minutes", "limit_days").first()
    return row or (None, None)


def due_after(start: datetime.datetime, *, minutes: int | None = None, days: int | None = None) -> datetime.datetime:
    """When a limit counted from `start` (aware) ends, as an aware datetime.

    Minutes are exact ("1小时内", "30分钟内"). Days count by the calendar of Asia/Shanghai
    (《民法典》第二百零一条): the day of `start` does not count, and the limit ends at 24:00 of the
    last day, i.e. 00:00 local of the day after it. Holidays do not extend it: emergency duty does
    not pause (docs/deadlines.md, rule 6). Raises ValueError when neither limit is given."""
    if minutes is not None:
        return start + timedelta(minutes=minutes)
    if days is None:
        raise ValueError("no limit")
    zone = timezone.get_default_timezone()
    last_day = timezone.localtime(start, zone).date() + timedelta(days=days)
    return datetime.datetime.combine(last_day + timedelta(days=1), datetime.time.min, tzinfo=zone)


def alert_schedule(obligation) -> list[tuple[str, object]]:
    """The steps of one obligation and when each falls due, in time order."""
    from reporting.models import Outbox

    start, due = obligation.starts_at, obligation.due_at
    limit = due - start
    steps = []
    if limit < timedelta(hours=settings.SHORT_LIMIT_HOURS):
        steps.append((Outbox.Step.REMINDER_HALF, start + limit / 2))
        soon = due - timedelta(minutes=settings.REMINDER_SOON_MINUTES)
        if soon > start + limit / 2:
            steps.append((Outbox.Step.REMINDER_SOON, soon))
    else:
        steps.append((Outbox.Step.REMINDER_DAY, due - timedelta(hours=settings.REMINDER_DAY_HOURS)))
    steps.append((Outbox.Step.OVERDUE, due))
    steps.append((Outbox.Step.ESCALATION, due + timedelta(minutes=settings.ESCALATION_GRACE_MINUTES)))
    return steps


def next_alert(obligation, after) -> object | None:
    return min((at for _step, at in alert_schedule(obligation) if at > after), default=None)
