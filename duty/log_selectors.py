"""Reads of the duty log. `log_entries_visible_to` is the one place that decides who sees which
entry: every list, page and API view goes through it, and what it leaves out is a 404."""

from django.db.models import Q, QuerySet

from duty.log import PUSH_PERMISSION, RECORDERS
from duty.models import DutyLogEntry
from roles.permissions import Role
from roles.selectors import user_bureau_ids, user_roles


def may_read_log(user) -> bool:
    """The duty log as a whole (the list page): the office, the leading group, the HQ commander and
    administrators; a system account that pushes reads back its own entries through the API only."""
    return bool(user_roles(user) & (RECORDERS | {Role.ADMINISTRATOR}))


def log_entries_visible_to(user) -> QuerySet[DutyLogEntry]:
    """- Administrators: every entry.
    - The office, the leading group, the HQ commander: the entries of their own bureau(s) (county
      bureaus never see each other's).
    - A system account (permission duty.add_dutylogentry): the entries it pushed.
    - Everyone else (stations, sections, outsiders, anonymous): nothing."""
    if not user.is_authenticated:
        return DutyLogEntry.objects.none()
    roles = user_roles(user)
    if Role.ADMINISTRATOR in roles:
        return DutyLogEntry.objects.all()
    condition = Q(pk__in=[])
    if roles & RECORDERS:
        condition |= Q(bureau_id__in=user_bureau_ids(user))
    if user.has_perm(PUSH_PERMISSION):
        condition |= Q(recorded_by=user)
    return DutyLogEntry.objects.filter(condition)


def log_list(user, *, status: str = "") -> QuerySet[DutyLogEntry]:
    """The list, newest first, optionally of one status; a constant number of queries per page
    (index dutylog_bureau_received)."""
    entries = log_entries_visible_to(user)
    if status:
        entries = entries.filter(status=status)
    return entries.select_related("recorded_by", "incident").order_by("-received_at", "-pk")


def log_entry_of_incident(incident) -> DutyLogEntry | None:
    """The entry an incident was registered from, if any (for the incident's timeline)."""
    return DutyLogEntry.objects.filter(incident=incident).select_related("recorded_by").first()
