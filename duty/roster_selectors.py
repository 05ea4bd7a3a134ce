"""Reads of the duty roster that need care: whose roster a person sees and plans, who is on duty now.

Visibility: a bureau's roster is read by everyone who works in that bureau (any of its units) and by
administrators; anyone else gets 404. It is planned by the bureau's office only (办公室(应急管理科) and the
leading group office, reporting.selectors.office_bureau_ids), plan 四(一): the office keeps the duty.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from duty.models import Handover, Shift
from reporting.selectors import office_bureau_ids
from roles.models import Unit
from roles.permissions import Role
from roles.selectors import user_bureau_ids, user_roles


def roster_bureaus(user) -> QuerySet[Unit]:
    """The bureaus whose roster `user` reads: their own (through any unit), every one for an administrator."""
    if not user.is_authenticated:
        return Unit.objects.none()
    bureaus = Unit.objects.filter(kind=Unit.Kind.BUREAU, is_active=True)
    if Role.ADMINISTRATOR in user_roles(user):
        return bureaus
    return bureaus.filter(pk__in=user_bureau_ids(user))


def may_plan(user, bureau: Unit) -> bool:
    """The bureau's office plans its roster (shifts, import)."""
    return user.is_authenticated and bureau.pk in office_bureau_ids(user)


def shifts_visible_to(user) -> QuerySet[Shift]:
    """Every shift of the bureaus whose roster `user` reads (the one visibility rule of the roster)."""
    return Shift.objects.planned().filter(bureau__in=roster_bureaus(user))


def shifts_between(bureau: Unit, start: datetime.datetime, end: datetime.datetime) -> QuerySet[Shift]:
    """Shifts of `bureau` that overlap [start, end) (aware datetimes), in time order, people loaded."""
    return (Shift.objects.planned().filter(bureau=bureau, starts_at__lt=end, ends_at__gt=start)
            .select_related("leader").prefetch_related("staff").order_by("starts_at", "pk"))


def on_duty_now(bureau: Unit | int, at: datetime.datetime | None = None) -> Shift | None:
    """The shift of `bureau` (a Unit or its id) under way at `at` (aware; default now), or None.

    A shift covers [starts_at, ends_at): at the exact moment one ends and the next starts, the next
    is on duty. Leader and staff loaded (two queries)."""
    at = at or timezone.now()
    bureau_id = bureau.pk if isinstance(bureau, Unit) else bureau
    return (Shift.objects.planned().filter(bureau_id=bureau_id, starts_at__lte=at, ends_at__gt=at)
            .select_related("leader").prefetch_related("staff").order_by("starts_at", "pk").first())


@dataclass
class OnDuty:
    """Who is on duty in one bureau now, as the top bar and the overdue board show it."""

    shift_id: int
    bureau_id: int
    ends_at: datetime.datetime
    leader: str = ""
    staff: list[str] = field(default_factory=list)
    is_holiday: bool = False
    bureau_name: str = ""

    @property
    def gap(self) -> bool:
        return not self.leader or not self.staff


def on_duty_names(bureau_ids: list[int], at: datetime.datetime | None = None) -> list[OnDuty]:
    """Who is on duty now in each of `bureau_ids`, in ONE query (every page's top bar calls this):
    the shift's leader and staff come as joined columns, one row per staff member."""
    if not bureau_ids:
        return []
    at = at or timezone.now()
    rows = (Shift.objects.planned().filter(bureau_id__in=bureau_ids, starts_at__lte=at, ends_at__gt=at)
            .order_by("bureau_id", "starts_at", "pk", "staff__last_name", "staff__first_name", "staff__pk")
            .values_list("pk", "bureau_id", "ends_at", "is_holiday", "leader__last_name", "leader__first_name",
                         "leader__username", "staff__last_name", "staff__first_name", "staff__username",
                         "bureau__name", "bureau__name_en"))
    found: dict[int, OnDuty] = {}
    for pk, bureau_id, ends_at, holiday, l_last, l_first, l_user, s_last, s_first, s_user, name, name_en in rows:
        if bureau_id in found and found[bureau_id].shift_id != pk:
            continue  # overlapping shifts cannot be saved; should one exist, the earlier one stands
        entry = found.setdefault(bureau_id, OnDuty(shift_id=pk, bureau_id=bureau_id, ends_at=ends_at,
                                                   leader=_name(l_last, l_first, l_user), is_holiday=holiday,
                                                   bureau_name=Unit.name_in_language(name, name_en)))
        if s_user:
            entry.staff.append(_name(s_last, s_first, s_user))
    return [found[b] for b in bureau_ids if b in found]


def _name(last, first, username) -> str:
    # As User.display_name: family name first, without a space.
    if not username:
        return ""
    return f"{last or ''}{first or ''}".strip() or username


def handovers_of(bureau: Unit) -> QuerySet[Handover]:
    return (Handover.objects.filter(shift_out__bureau=bureau)
            .select_related("shift_out", "shift_in", "recorded_by", "acknowledged_by"))


def on_shift(user, shift: Shift) -> bool:
    """Is `user` the leader or one of the staff of `shift`?"""
    return user.pk == shift.leader_id or shift.staff.filter(pk=user.pk).exists()


def on_duty_people_of(bureau: Unit, at: datetime.datetime) -> tuple:
    """(leader, [staff]) of the shift of `bureau` under way at `at`; (None, []) without one: the
    lookup reporting.on_duty calls (registered in duty.apps)."""
    shift = on_duty_now(bureau, at)
    if shift is None:
        return None, []
    # In the order of on_duty_names (the top bar), so that a message and the page name them alike.
    return shift.leader, list(shift.staff.order_by("last_name", "first_name", "pk"))


def bureau_units(bureau: Unit) -> QuerySet[Unit]:
    """The units of `bureau`: itself, its leading group, sections and stations, and the leading-group office
    under its leading group; not a county bureau under a city bureau, nor that county's units."""
    from django.db.models import Q

    own = Q(pk=bureau.pk) | (Q(parent=bureau) & ~Q(kind=Unit.Kind.BUREAU)) | (
        Q(parent__parent=bureau) & ~Q(parent__kind=Unit.Kind.BUREAU))
    return Unit.objects.filter(own)


def bureau_people(bureau: Unit) -> QuerySet:
    """The active people of `bureau` (any of its units: leading group, office, sections, stations), by name:
    whom a shift may name."""
    from roles.models import User

    units = bureau_units(bureau).filter(is_active=True)
    return (User.objects.filter(is_active=True, memberships__unit__in=units).distinct()
            .order_by("last_name", "first_name", "username"))
