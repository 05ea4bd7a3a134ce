"""State changes of the duty roster (plan 四(一): 24-hour duty kept by the office; 三(三)4 holiday
duty): shifts planned by the bureau's office, and the handover between shifts (交接班).

Each service takes keyword-only arguments, checks the actor's right (PermissionDenied with who may),
validates (ValidationError by field, in the user's language; nothing is changed), runs in one
transaction and keeps the roster-gap deadline (duty.gaps) in step in that same transaction.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import limits
from common.timebounds import validate_planned
from duty import gaps
from duty.models import Handover, Shift
from duty.models.roster import NOTE_LENGTH
from duty.roster_selectors import bureau_units, may_plan, on_shift
from roles.models import Unit, User
from roles.selectors import user_bureau_ids

# A shift longer than this is a typo (a 24-hour shift, or a holiday weekend planned as one, is the longest in use).
MAX_SHIFT = datetime.timedelta(hours=72)
PLANNED_FIELDS = ("starts_at", "ends_at", "leader", "staff", "is_holiday", "note")


def _require_planner(actor, bureau: Unit) -> None:
    if not may_plan(actor, bureau):
        raise PermissionDenied(_("Only the office (办公室) of the bureau plans the duty roster."))


def _frozen(shift: Shift, now) -> None:
    if shift.pk and shift.ends_at <= now:
        raise ValidationError(_("This shift is over: a past shift is kept as it was and cannot be changed."))


def shift_validate(*, bureau: Unit, starts_at, ends_at, leader: User | None, staff: list[User], note: str = "",
                   shift: Shift | None = None, now=None) -> dict:
    """The errors of a shift as planned, by field ({} when it may be saved). Times are aware datetimes
    (UTC or any zone). Checks: the calendar window (common.timebounds), ends after it starts, at most
    MAX_SHIFT long, leader and staff work in the bureau, the leader is not also staff, the note's length,
    and no overlap with another shift of the bureau. A started shift keeps its start."""
    now = now or timezone.now()
    errors: dict[str, list] = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is None:
            errors[name] = [_("This field is required.")]
            continue
        try:
            validate_planned(value, now=now)
        except ValidationError as exc:
            errors[name] = exc.messages
    if not errors:
        if ends_at <= starts_at:
            errors["ends_at"] = [_("A shift must end after it starts.")]
        elif ends_at - starts_at > MAX_SHIFT:
            errors["ends_at"] = [_("A shift lasts at most %(hours)d hours.") % {"hours": MAX_SHIFT.total_seconds() // 3600}]
        elif shift is not None and shift.pk and shift.starts_at <= now and starts_at != shift.starts_at:
            errors["starts_at"] = [_("This shift has started: its start cannot be moved.")]
        elif ends_at <= now:
            errors["ends_at"] = [_("This time has passed: plan shifts that are still to come.")]
    if leader is not None and (bureau.pk not in user_bureau_ids(leader) or not leader.is_active):
        errors["leader"] = [_("Not a member of this bureau: %(names)s.") % {"names": leader.display_name}]
    outside = [user.display_name for user in staff if bureau.pk not in user_bureau_ids(user) or not user.is_active]
    if outside:
        errors["staff"] = [_("Not a member of this bureau: %(names)s.") % {"names": "、".join(outside)}]
    elif leader is not None and leader in staff:
        errors["staff"] = [_("The leader on duty is not also listed as staff on duty.")]
    if len(note or "") > NOTE_LENGTH:
        errors["note"] = [_("At most %(limit)d characters.") % {"limit": NOTE_LENGTH}]
    if "starts_at" not in errors and "ends_at" not in errors:
        clash = Shift.objects.planned().filter(bureau=bureau, starts_at__lt=ends_at, ends_at__gt=starts_at)
        if shift is not None and shift.pk:
            clash = clash.exclude(pk=shift.pk)
        clash = clash.first()
        if clash is not None:
            errors["starts_at"] = [_("Overlaps the shift from %(start)s to %(end)s.") % {
                "start": _local(clash.starts_at), "end": _local(clash.ends_at)}]
    return errors


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _lock_bureau(bureau: Unit) -> None:
    """Serialise roster changes of one bureau, so two offices saving at once cannot overlap shifts."""
    Unit.objects.select_for_update().filter(pk=bureau.pk).first()


@transaction.atomic
def shift_create(*, actor: User, bureau: Unit, starts_at, ends_at, leader: User | None = None,
                 staff: list[User] = (), is_holiday: bool = False, note: str = "", now=None) -> Shift:
    """Plan a shift of `bureau` (the bureau's office only: PermissionDenied otherwise). Raises
    ValidationError by field (shift_validate). A shift without a leader or without staff is a roster
    gap: its deadline (Kind.ROSTER_GAP, due at the shift's start) is opened for the office (duty.gaps)."""
    now = now or timezone.now()
    _require_planner(actor, bureau)
    _lock_bureau(bureau)
    staff = list(staff)
    errors = shift_validate(bureau=bureau, starts_at=starts_at, ends_at=ends_at, leader=leader, staff=staff,
                            note=note, now=now)
    if errors:
        raise ValidationError(errors)
    shift = Shift.objects.create(bureau=bureau, starts_at=starts_at, ends_at=ends_at, leader=leader,
                                 is_holiday=is_holiday, note=(note or "").strip(), created_by=actor,
                                 created_at=now, updated_at=now)
    shift.staff.set(staff)
    gaps.gap_sync(shift, staff_ids=[u.pk for u in staff], at=now)
    return shift


@transaction.atomic
def shift_update(*, actor: User, shift: Shift, now=None, **values) -> Shift:
    """Change a planned shift (the bureau's office only). `values`: any of starts_at, ends_at, leader,
    staff (a list of users), is_holiday, note. A shift that is over is frozen; a started one keeps its
    start. Filling a gap fulfils its deadline; emptying a shift opens one (duty.gaps)."""
    now = now or timezone.now()
    unknown = set(values) - set(PLANNED_FIELDS)
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    _require_planner(actor, shift.bureau)
    _lock_bureau(shift.bureau)
    shift = Shift.objects.planned().get(pk=shift.pk)  # as it is now, under the lock
    _frozen(shift, now)
    staff = list(values["staff"]) if "staff" in values else list(shift.staff.all())
    planned = {name: values.get(name, getattr(shift, name)) for name in ("starts_at", "ends_at", "leader", "note")}
    errors = shift_validate(bureau=shift.bureau, staff=staff, shift=shift, now=now, **planned)
    if errors:
        raise ValidationError(errors)
    for name in ("starts_at", "ends_at", "leader", "is_holiday"):
        if name in values:
            setattr(shift, name, values[name])
    if "note" in values:
        shift.note = (values["note"] or "").strip()
    shift.updated_at = now
    shift.save()
    if "staff" in values:
        shift.staff.set(staff)
    gaps.gap_sync(shift, staff_ids=[u.pk for u in staff], at=now)
    return shift


@transaction.atomic
def shift_delete(*, actor: User, shift: Shift, now=None) -> None:
    """Delete a shift that has not started (the bureau's office only): it is cancelled, not removed
    (a deadline row may name it, and rows are never deleted), and leaves the roster; its open gap
    deadline is waived with the system's reason (duty.gaps)."""
    now = now or timezone.now()
    _require_planner(actor, shift.bureau)
    _lock_bureau(shift.bureau)
    shift = Shift.objects.planned().get(pk=shift.pk)
    _frozen(shift, now)
    if shift.starts_at <= now:
        raise ValidationError(_("This shift has started: it cannot be deleted; change its people or its end instead."))
    if shift.handovers_given.exists() or shift.handovers_taken.exists():
        raise ValidationError(_("A handover names this shift: it cannot be deleted."))
    shift.cancelled_at, shift.cancelled_by, shift.updated_at = now, actor, now
    shift.save(update_fields=["cancelled_at", "cancelled_by", "updated_at"])
    gaps.gap_retire(shift, by=actor, at=now)


# ---------------------------------------------------------------- handover (交接班)

SNAPSHOT_LIMIT = 50  # rows of each list kept with a handover; the rest is counted


def open_snapshot(bureau: Unit, at) -> dict:
    """What was open in `bureau` at `at`, kept with a handover as it was then: the open deadlines its
    units owe (soonest first) and the responses under way, SNAPSHOT_LIMIT of each, plus the totals.
    Shape: {"obligations": [{"id", "kind", "subject", "unit", "due_at" (ISO, UTC), "overdue"}],
    "obligations_total": n, "incidents": [{"id", "reference", "title", "level"}], "incidents_total": n}."""
    from incidents.models import Incident
    from reporting.models import Obligation
    from reporting.obligations import OPEN

    units = bureau_units(bureau).values("pk")
    owed = Obligation.objects.filter(status__in=OPEN, owner_unit__in=units).select_related("owner_unit").order_by("due_at", "pk")
    active = Incident.objects.filter(status=Incident.Status.ACTIVE, station__parent=bureau).order_by("-pk")
    obligations = []
    for row in owed[:SNAPSHOT_LIMIT]:
        obligations.append({"id": row.pk, "kind": row.kind, "subject": _subject(row), "unit": row.owner_unit.name,
                            "due_at": row.due_at.isoformat(), "overdue": row.due_at <= at})
    incidents = [{"id": i.pk, "reference": i.reference, "title": i.title, "level": i.level}
                 for i in active[:SNAPSHOT_LIMIT]]
    return {"obligations": obligations, "obligations_total": owed.count(),
            "incidents": incidents, "incidents_total": active.count()}


def _subject(row) -> str:
    label = getattr(row, "subject_label", None)  # reporting.subjects, once obligations have other subjects
    if label is not None:
        return str(label)
    return row.incident.reference if row.incident_id else ""


def next_shift(shift: Shift) -> Shift | None:
    """The shift of the same bureau that follows `shift` (the incoming one at its handover)."""
    return (Shift.objects.planned().filter(bureau_id=shift.bureau_id, starts_at__gte=shift.ends_at)
            .order_by("starts_at", "pk").first())


@transaction.atomic
def handover_record(*, actor: User, shift_out: Shift, open_items: str, now=None) -> Handover:
    """The outgoing shift hands over (交接班) to the next shift of the bureau: what is open, as its
    leader or staff write it, with the open deadlines and responses under way listed by the portal at
    that moment (open_snapshot). By someone of the outgoing shift or the bureau's office (403 otherwise);
    400 when there is no next shift, the shift has not started, or it already handed over."""
    now = now or timezone.now()
    if not (on_shift(actor, shift_out) or may_plan(actor, shift_out.bureau)):
        raise PermissionDenied(_("Only the leader or staff of the outgoing shift, or the office, records the handover."))
    text = (open_items or "").strip()
    if not text:
        raise ValidationError({"open_items": [_("Write what is open, or “nothing open”.")]})
    if len(text) > limits.LONG_TEXT:
        raise ValidationError({"open_items": [_("At most %(limit)d characters.") % {"limit": limits.LONG_TEXT}]})
    if shift_out.starts_at > now:
        raise ValidationError(_("This shift has not started yet: it has nothing to hand over."))
    if Handover.objects.filter(shift_out=shift_out).exists():
        raise ValidationError(_("This shift has already handed over."))
    shift_in = next_shift(shift_out)
    if shift_in is None:
        raise ValidationError(_("No shift follows this one in the roster: plan the next shift first."))
    return Handover.objects.create(shift_out=shift_out, shift_in=shift_in, open_items=text,
                                   open_snapshot=open_snapshot(shift_out.bureau, now), recorded_by=actor, recorded_at=now)


@transaction.atomic
def handover_acknowledge(*, actor: User, handover: Handover, now=None) -> Handover:
    """Someone of the incoming shift (its leader or staff) acknowledges the handover (403 for anyone
    else, the office included: the incoming shift takes over the duty); 400 when already acknowledged."""
    now = now or timezone.now()
    handover = Handover.objects.select_for_update().select_related("shift_in").get(pk=handover.pk)
    if not on_shift(actor, handover.shift_in):
        raise PermissionDenied(_("Only the leader or staff of the incoming shift acknowledges the handover."))
    if handover.acknowledged_at is not None:
        raise ValidationError(_("This handover has already been acknowledged."))
    handover.acknowledged_by, handover.acknowledged_at = actor, now
    handover.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return handover
