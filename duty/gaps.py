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


# ---------------------------------------------------------------- days with no shift at all

UNCOVERED = "系统：值班表未覆盖此时段，请安排带班领导和值班员。"  # the note of a shift the check plans (Chinese: the office reads it)


def coverage_check(*, now, days_ahead: int) -> list[Shift]:
    """The roster must cover the next `days_ahead` days (settings.DUTY_ROSTER_DAYS_AHEAD; 0: no check):
    for each bureau that keeps a roster (has ever planned a shift and has an office), every stretch of
    those local days that no planned shift covers becomes a shift with nobody on it, planned by the
    system — a roster gap the office owes before it starts, like any other (gap_sync). Idempotent: a
    stretch once planned is covered. Returns the shifts it planned. Run by the beat (duty.tasks).

    Counted from tomorrow (local): today's holes are already the office's business on the roster page,
    and a deadline born overdue at once would only be noise."""
    import datetime

    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from roles.models import Unit

    if days_ahead <= 0:
        return []
    zone = timezone.get_default_timezone()
    first = timezone.localtime(now, zone).date() + datetime.timedelta(days=1)
    window_start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()), zone)
    window_end = timezone.make_aware(datetime.datetime.combine(first + datetime.timedelta(days=days_ahead), datetime.time()), zone)
    planned = []
    bureaus = Unit.objects.filter(kind=Unit.Kind.BUREAU, is_active=True, shifts__isnull=False).distinct()
    for bureau in bureaus:
        if office_section(bureau) is None:
            continue
        with transaction.atomic():
            Unit.objects.select_for_update().filter(pk=bureau.pk).first()  # as the roster services: one writer per bureau
            shifts = Shift.objects.planned().filter(Q(bureau=bureau), starts_at__lt=window_end, ends_at__gt=window_start)
            cursor = window_start
            holes = []
            for start, end in shifts.order_by("starts_at").values_list("starts_at", "ends_at"):
                if start > cursor:
                    holes.append((cursor, start))
                cursor = max(cursor, end)
            if cursor < window_end:
                holes.append((cursor, window_end))
            for start, end in holes:
                # One shift per local day of the hole: the office fills a day at a time.
                while start < end:
                    day_end = timezone.make_aware(datetime.datetime.combine(
                        timezone.localtime(start, zone).date() + datetime.timedelta(days=1), datetime.time()), zone)
                    stop = min(end, day_end)
                    shift = Shift.objects.create(bureau=bureau, starts_at=start, ends_at=stop, note=UNCOVERED,
                                                 created_at=now, updated_at=now)
                    gap_sync(shift, staff_ids=[], at=now)
                    planned.append(shift)
                    start = stop
    return planned
