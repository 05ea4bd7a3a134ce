"""Who may do what in readiness, checked by every service (PermissionDenied carries who may)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.timebounds import EARLIEST_DAY
from incidents.services.base import leading_group_decider
from reporting.selectors import office_bureau_ids
from roles.models import Membership, Unit
from roles.selectors import user_bureau_ids


def is_office_of(user, bureau: Unit) -> bool:
    """The office (办公室/应急管理科 and the leading group office) of `bureau` keeps its readiness records."""
    return bureau.pk in office_bureau_ids(user)


def require_office(user, bureau: Unit) -> None:
    if not is_office_of(user, bureau):
        raise PermissionDenied(_("Only the office (办公室/应急管理科) of the bureau may do this."))


def is_member(user, unit: Unit) -> bool:
    return Membership.objects.filter(user=user, unit=unit, unit__is_active=True).exists()


def require_member(user, unit: Unit) -> None:
    if not is_member(user, unit):
        raise PermissionDenied(_("Only the staff of %(unit)s may do this.") % {"unit": unit.display_name})


def require_leader(user, bureau: Unit):
    """The leading group approves plans (六(一)): its leader, or the acting leader the leader designated.
    Returns the delegation acted under (None for the leader)."""
    delegation = leading_group_decider(user)
    if bureau.pk not in user_bureau_ids(user):
        raise PermissionDenied(_(
            "Decisions of the leading group are recorded by its leader (the director) or by the acting leader the leader "
            "has designated."))
    return delegation


def unit_of_bureau(unit: Unit, bureau: Unit, field: str) -> Unit:
    """`unit` when it is an active unit of `bureau`; ValidationError on `field` otherwise."""
    if unit is None or not unit.is_active or unit.bureau() != bureau or unit.kind == Unit.Kind.BUREAU:
        raise ValidationError({field: _("Choose a unit of this bureau.")})
    return unit


# How far ahead a readiness date may lie: a plan's review is years away (three by default), unlike
# the one-year horizon of common.timebounds for an incident's plans.
HORIZON_YEARS = 10


def plausible_day(day, field: str) -> None:
    """ValidationError on `field` unless 2000-01-01 <= day <= today + HORIZON_YEARS (a typo such as
    9999-12-31 never reaches a deadline's arithmetic)."""
    today = timezone.localdate()
    if day is None or day < EARLIEST_DAY or day > today.replace(year=today.year + HORIZON_YEARS, day=min(today.day, 28)):
        raise ValidationError({field: _("Enter a date from 2000 to ten years from now.")})


def not_before_today(day, field: str) -> None:
    plausible_day(day, field)
    if day < timezone.localdate():
        raise ValidationError({field: _("The deadline cannot be in the past.")})


def required_text(field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This is needed.")})
    return value
