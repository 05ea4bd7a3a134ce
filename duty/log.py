"""The duty log's services (值班电话记录, issue 14 part 2; plan 二(三)1 信息接报: the office on duty receives
reports by phone and from 12315, records them, and has the station concerned verify and report).

One function per action, keyword-only arguments; each checks who acts, runs in one transaction and
returns the entry. Errors: PermissionDenied (403, saying who may), InvalidTransition (409: the entry
was already registered or closed), ValidationError (400, by field), PushConflict (409: a push under a
known key with other content).

Who may:
- record: the office staff and the bureau-wide roles (leading group, HQ commander) of the entry's
  bureau; a system account (12315 and the like) holding the model permission
  `duty.add_dutylogentry` and a membership in the bureau's own unit (README, "Pushing duty log
  entries"). Administrators keep the portal running; they do not take calls.
- register as an incident, close: the office (it registers incidents and assigns stations).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common import limits
from common.messages import define, stored
from common.timebounds import validate_happened
from duty.models import DutyLogEntry
from incidents import services as incidents
from incidents.models import Category, Incident, Level
from roles.models import Unit, User
from roles.permissions import Role
from roles.selectors import user_bureau_ids, user_roles

S = DutyLogEntry.Status
InvalidTransition = incidents.InvalidTransition

# Roles that take duty calls for their bureau (the office on duty, and the leaders who may pick up).
RECORDERS = {Role.OFFICE_STAFF, Role.LEADING_GROUP_MEMBER, Role.LEADING_GROUP_LEADER, Role.HQ_COMMANDER}
PUSH_PERMISSION = "duty.add_dutylogentry"

# Cause, course and result become the incident's description, itself capped at LONG_TEXT
# (incidents.forms): the course gets what the two short parts and their labels leave.
COURSE_LIMIT = limits.LONG_TEXT - 2 * limits.REASON - 100
TEXT_LIMITS = {
    "event_cause": limits.REASON,
    "event_course": COURSE_LIMIT,
    "event_result": limits.REASON,
    "event_measures": limits.LONG_TEXT,  # → measures_taken
    "event_impact": limits.LONG_TEXT,  # → scope
    "event_trend": limits.LONG_TEXT,  # → trend
    "already_told": limits.REASON,
}
LOG_FIELDS = [
    "channel", "subject", "caller_unit", "caller_name", "caller_position", "caller_phone", "event_time",
    "event_place", "event_cause", "event_course", "event_measures", "event_result", "event_impact", "event_trend",
    "already_told",
]
# Where the channel of a call puts the incident's information source.
SOURCE_OF_CHANNEL = {
    DutyLogEntry.Channel.PHONE: Incident.Source.HOTLINE,
    DutyLogEntry.Channel.MESSAGE: Incident.Source.HOTLINE,
    DutyLogEntry.Channel.COMPLAINTS_12315: Incident.Source.COMPLAINTS_12315,
    DutyLogEntry.Channel.OTHER_SYSTEM: Incident.Source.OTHER,
}

SOURCE_DETAIL = define("duty.source_detail", gettext_noop("Duty log %(reference)s, from %(caller)s"))
LABEL_CAUSE = gettext_noop("Cause of the event")
LABEL_COURSE = gettext_noop("Course of events")
LABEL_RESULT = gettext_noop("Result")


class PushConflict(Exception):
    """A push under a key already used, with other content: the first entry is kept (HTTP 409).
    `entry`: the stored entry; `differences`: {field: {"stored": …, "pushed": …}} (JSON values)."""

    def __init__(self, entry: DutyLogEntry, differences: dict):
        super().__init__(_("An entry with this source and external id exists with other content; it was kept as it is."))
        self.entry, self.differences = entry, differences


# ---------------------------------------------------------------- who may


def _bureaus(user: User) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=user_bureau_ids(user), kind=Unit.Kind.BUREAU).order_by("pk"))


def recording_bureaus(user: User) -> list[Unit]:
    """The bureaus `user` may record duty log entries for (see the module's docstring); [] if none."""
    if not (user_roles(user) & RECORDERS or user.has_perm(PUSH_PERMISSION)):
        return []
    return _bureaus(user)


def check_record(user: User, bureau: Unit | None) -> Unit:
    """The bureau the entry goes to (the user's only one when None). PermissionDenied when the user
    may record for none; ValidationError on `bureau` when they must choose, or chose another."""
    bureaus = recording_bureaus(user)
    if not bureaus:
        raise PermissionDenied(_("The duty log is kept by the office on duty and the leading group; systems push "
                                 "entries with an account given the permission to add duty log entries."))
    if bureau is None:
        if len(bureaus) > 1:
            raise ValidationError({"bureau": _("Choose the bureau the call was for.")})
        return bureaus[0]
    if bureau.pk not in {b.pk for b in bureaus}:
        raise ValidationError({"bureau": _("Choose a bureau you keep the duty log of.")})
    return bureau


def check_handle(user: User, entry: DutyLogEntry) -> None:
    """Register or close: the office (PermissionDenied), an open entry (InvalidTransition)."""
    if not incidents.is_office(user):
        raise PermissionDenied(_("Only the office (办公室/应急管理科) registers a duty log entry as an incident or closes it."))
    if entry.status == S.REGISTERED:
        raise InvalidTransition(_("This entry is already registered as incident %(reference)s.")
                                % {"reference": entry.incident.reference})
    if entry.status == S.CLOSED:
        raise InvalidTransition(_("This entry is closed."))


def may_handle(user: User, entry: DutyLogEntry) -> bool:
    try:
        check_handle(user, entry)
    except (PermissionDenied, InvalidTransition):
        return False
    return True


# ---------------------------------------------------------------- recording


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - set(LOG_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    fields = {name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()}
    errors = {}
    for name, limit in TEXT_LIMITS.items():
        if len(fields.get(name) or "") > limit:
            errors[name] = _("At most %(limit)s characters.") % {"limit": limit}
    try:
        validate_happened(fields.get("event_time"))
    except ValidationError as exc:
        errors["event_time"] = exc.messages
    if not fields.get("subject"):
        errors["subject"] = _("Say in one line what the call is about.")
    if errors:
        raise ValidationError(errors)
    return fields


def _new_entry(actor, bureau, fields, *, source="", external_id="") -> DutyLogEntry:
    now = timezone.now()  # server time: never the browser's or the pushing system's clock
    entry = DutyLogEntry(bureau=bureau, recorded_by=actor, received_at=now, recorded_at=now, source=source,
                         external_id=external_id, **fields)
    entry.full_clean(validate_constraints=False)  # the unique key is the database's to enforce (push)
    return entry


@transaction.atomic
def duty_log_record(*, actor: User, bureau: Unit | None = None, **fields) -> DutyLogEntry:
    """A call or message the person on duty typed in: a new open entry of `bureau` (the actor's only
    bureau when None), received_at and recorded_at the server's time now (UTC). `fields`: LOG_FIELDS
    (event_time aware, from 2000 to now + 10 minutes). Raises PermissionDenied, ValidationError."""
    bureau = check_record(actor, bureau)
    entry = _new_entry(actor, bureau, _clean_fields(fields))
    entry.save()
    return entry


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _differences(entry: DutyLogEntry, fields: dict) -> dict:
    """What a repeated push says otherwise than the stored entry, field by field (only the fields pushed)."""
    return {name: {"stored": _json(getattr(entry, name)), "pushed": _json(value)}
            for name, value in fields.items() if getattr(entry, name) != value}


def duty_log_push(*, actor: User, source: str, external_id: str, bureau: Unit | None = None,
                  **fields) -> tuple[DutyLogEntry, bool]:
    """An entry pushed by 12315 or another system, idempotent on (source, external_id):
    (entry, True) the first time; (the stored entry, False) for a repeat with the same content, even
    when two pushes race (the unique constraint decides, the loser reads the winner's row). Raises
    PushConflict when the key is known with other content (the first is kept), PermissionDenied,
    ValidationError (an empty source or external id, bad fields)."""
    source, external_id = (source or "").strip(), (external_id or "").strip()
    errors = {name: _("Required to make a repeated push harmless.")
              for name, value in (("source", source), ("external_id", external_id)) if not value}
    if errors:
        raise ValidationError(errors)
    bureau = check_record(actor, bureau)
    fields = _clean_fields(fields)
    existing = _find(source, external_id)
    if existing is None:
        entry = _new_entry(actor, bureau, fields, source=source, external_id=external_id)
        try:
            with transaction.atomic():
                entry.save()
            return entry, True
        except IntegrityError:  # another push of the same key committed first
            existing = _find(source, external_id)
            if existing is None:
                raise
    return _repeat(existing, bureau, fields), False


def _find(source: str, external_id: str) -> DutyLogEntry | None:
    return DutyLogEntry.objects.filter(source=source, external_id=external_id).exclude(external_id="").first()


def _repeat(existing: DutyLogEntry, bureau: Unit, fields: dict) -> DutyLogEntry:
    if existing.bureau_id != bureau.pk:  # the key is another bureau's: say nothing of its content
        raise PushConflict(existing, {"bureau": {"stored": None, "pushed": bureau.code}})
    differences = _differences(existing, fields)
    if differences:
        raise PushConflict(existing, differences)
    return existing


# ---------------------------------------------------------------- what becomes of an entry


def _locked(entry: DutyLogEntry) -> DutyLogEntry:
    """Re-read locked for this transaction: two clicks at once cannot both register the entry."""
    return DutyLogEntry.objects.select_for_update().select_related("bureau").get(pk=entry.pk)


def _description(entry: DutyLogEntry) -> str:
    parts = [(LABEL_CAUSE, entry.event_cause), (LABEL_COURSE, entry.event_course), (LABEL_RESULT, entry.event_result)]
    with translation.override(settings.LANGUAGE_CODE):  # kept in the portal's language, as the record is
        return "\n".join(f"{_(label)}:{text}" for label, text in parts if text)


def incident_fields(entry: DutyLogEntry) -> dict:
    """The incident's intake fields carried over from the entry (incidents.services.INTAKE_FIELDS)."""
    discovered = entry.received_at if entry.event_time is None or entry.event_time <= entry.received_at else None
    caller = entry.caller_unit or entry.caller_name or "—"
    return {
        "occurred_at": entry.event_time,
        "discovered_at": discovered,  # when the bureau learned of it: the office may accept it at verification
        "location": entry.event_place,
        "description": _description(entry),
        "scope": entry.event_impact,
        "trend": entry.event_trend,
        "measures_taken": entry.event_measures,
        "source": SOURCE_OF_CHANNEL[entry.channel],
        "source_detail": stored(SOURCE_DETAIL, {"reference": entry.reference, "caller": caller},
                                limit=Incident._meta.get_field("source_detail").max_length, shrink="caller"),
        "reporter_name": entry.caller_name,
        "reporter_position": entry.caller_position,
        "reporter_phone": entry.caller_phone,
    }


@transaction.atomic
def duty_log_register_incident(*, actor: User, entry: DutyLogEntry, station: Unit, category: Category | None,
                               title: str = "", proposed_level: int | None = None, nature: str = "") -> Incident:
    """Register the entry as an incident and assign it to `station` (plan 二(三)1): the office's own
    registration (incidents.services.incident_file with draft=True, status awaiting_report), which
    starts the station's first-report clock (docs/deadlines.md rule 1: 1 hour after event_time, or
    after registration when no time was given). Exactly once per entry (InvalidTransition after).
    `title` defaults to the entry's subject. Returns the incident; the entry is then `registered`."""
    entry = _locked(entry)
    check_handle(actor, entry)
    errors = {}
    if station is None or station.kind != Unit.Kind.STATION or station.bureau() != entry.bureau:
        errors["station"] = _("Choose a supervision station of %(bureau)s.") % {"bureau": entry.bureau.display_name}
    if category is None:
        errors["category"] = _("Choose the category of the incident.")
    if proposed_level is not None and proposed_level not in Level.values:
        errors["proposed_level"] = _("Choose a level from Ⅰ to Ⅳ.")
    if errors:
        raise ValidationError(errors)
    incident = incidents.incident_file(
        actor=actor, station=station, draft=True, title=(title or "").strip() or entry.subject, category=category,
        proposed_level=proposed_level, nature=(nature or "").strip(), **incident_fields(entry))
    entry.status, entry.incident = S.REGISTERED, incident
    entry.registered_by, entry.registered_at = actor, timezone.now()
    entry.save(update_fields=["status", "incident", "registered_by", "registered_at"])
    return incident


@transaction.atomic
def duty_log_close(*, actor: User, entry: DutyLogEntry, reason: str) -> DutyLogEntry:
    """Close an open entry that is no incident (not an incident, referred to another authority …):
    `reason` required, at most limits.REASON characters. Raises PermissionDenied, InvalidTransition,
    ValidationError."""
    entry = _locked(entry)
    check_handle(actor, entry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is closed (not an incident, referred to …).")})
    if len(reason) > limits.REASON:
        raise ValidationError({"reason": _("At most %(limit)s characters.") % {"limit": limits.REASON}})
    entry.status, entry.close_reason = S.CLOSED, reason
    entry.closed_by, entry.closed_at = actor, timezone.now()
    entry.save(update_fields=["status", "close_reason", "closed_by", "closed_at"])
    return entry
