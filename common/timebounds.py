"""The one calendar rule for every date and time a person enters (forms, API bodies, query filters,
services): a plausible window, so that a typo never reaches the database.

Why a window at all: PostgreSQL stores year 0001 (as a BC date once converted to UTC) and year
9999, but Python's datetime cannot read the first back, cannot add a day to the second, and
lateness counted from a 1926 deadline overflows its column. Everything the bureau records happens
after 2000; what has happened cannot be more than a few minutes ahead (a clock in the field runs a
little fast); what is planned (a measure's due time, a delegation) lies at most about a year ahead.

The window:
- EARLIEST: 2000-01-01 00:00 Asia/Shanghai for every value;
- happened (occurred, discovered): at most HAPPENED_TOLERANCE after now;
- planned (due times, delegations) and query filters, periods: at most PLAN_HORIZON after now.

Each `validate_*` takes an aware datetime (or a date), does nothing when it is None, and raises
django.core.exceptions.ValidationError (code "too_early" / "too_late") with a translated message
otherwise. Django forms and DRF serializers both turn that into a field error (400 on the API).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DAY = date(2000, 1, 1)
# A clock a little ahead in the field must not block a report; a time days ahead is a typo.
HAPPENED_TOLERANCE = timedelta(minutes=10)
# How far ahead a plan (a measure's due time, a delegation, a filter or a period) may reach.
PLAN_HORIZON = timedelta(days=366)


def earliest() -> datetime:
    """2000-01-01 00:00 in the bureau's time zone (settings.TIME_ZONE), as an aware datetime."""
    return datetime.combine(EARLIEST_DAY, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _check(value: datetime, latest: datetime, too_late) -> None:
    if value < earliest():
        raise ValidationError(_("Enter a date from 1 January 2000 on."), code="too_early")
    if value > latest:
        raise ValidationError(too_late, code="too_late")


def validate_happened(value: datetime | None, *, now: datetime | None = None) -> None:
    """A time something happened: from 2000 until now plus HAPPENED_TOLERANCE (10 minutes)."""
    if value is not None:
        _check(value, (now or timezone.now()) + HAPPENED_TOLERANCE, _("This time cannot be in the future."))


def validate_planned(value: datetime | None, *, now: datetime | None = None) -> None:
    """A planned time (a due time, a delegation's start or end): from 2000 until one year ahead."""
    if value is not None:
        _check(value, (now or timezone.now()) + PLAN_HORIZON, _("Enter a time at most one year ahead."))


def validate_day(value: date | None, *, today: date | None = None) -> None:
    """A calendar day typed into a filter or a period: from 2000-01-01 until one year ahead.
    A datetime is checked as a planned time (the same window)."""
    if value is None:
        return
    if isinstance(value, datetime):
        validate_planned(value)
        return
    today = today or timezone.localdate()
    if value < EARLIEST_DAY:
        raise ValidationError(_("Enter a date from 1 January 2000 on."), code="too_early")
    if value > today + PLAN_HORIZON:
        raise ValidationError(_("Enter a date at most one year ahead."), code="too_late")
