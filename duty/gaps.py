"""The roster gap (值班空缺) as a deadline row: a shift with no leader on duty or no staff on duty is
an obligation of the bureau's office, due at the shift's start (docs/deadlines.md, rule "roster gap";
plan 四(一): 24-hour duty, kept by the office). The limit is the shift's own start, a time the office
set, not a figure in code.

- Counted from when the gap is known: the moment the shift is saved without people (created, or
  changed to lack them).
- Filling the shift (a leader and at least one staff member) fulfils it, late if after the start.
- Cancelling the shift waives it with the system's reason.
- Moving the start earlier moves the deadline earlier (a clock is never moved later: a later start
  waives the row and opens a new one due at the new start).

Everything here runs inside the roster service's transaction (duty.roster)."""

from django.utils.translation import gettext_noop

from common.messages import define
from duty.models import Shift
from reporting.models import Kind, Obligation
from reporting.obligations import OPEN, create_for, fulfil, tighten, waive
from roles.selectors import office_section

SHIFT_CANCELLED = define("waiver.shift_cancelled", gettext_noop("The shift was cancelled: no duty to staff."))
SHIFT_MOVED = define("waiver.shift_moved", gettext_noop("The shift now starts later: a new deadline counts to its new start."))


def open_gap(shift: Shift) -> Obligation | None:
    return Obligation.objects.filter(shift=shift, kind=Kind.ROSTER_GAP, status__in=OPEN).order_by("-sequence").first()


def gap_sync(shift: Shift, *, staff_ids: list[int], at) -> Obligation | None:
    """Bring the gap deadline of `shift` in line with its people at `at` (aware). Returns the open
    row, or None when the shift is staffed (or the bureau has no office to owe it)."""
    row = open_gap(shift)
    if shift.is_staffed(staff_ids):
        if row is not None:
            fulfil(row, None, at)
        return None
    if row is not None:
        if shift.starts_at < row.due_at:
            return tighten(row, shift.starts_at, now=at)
        if shift.starts_at == row.due_at:
            return row
        waive(row, by=None, at=at, key=SHIFT_MOVED, params={})
    office = office_section(shift.bureau)
    if office is None:
        return None
    return create_for(kind=Kind.ROSTER_GAP, owner_unit=office, starts_at=at, due_at=shift.starts_at, shift=shift)


def gap_retire(shift: Shift, *, by, at) -> None:
    """The shift is cancelled: its open gap deadline is waived with the system's reason."""
    row = open_gap(shift)
    if row is not None:
        waive(row, by=by, at=at, key=SHIFT_CANCELLED, params={})
