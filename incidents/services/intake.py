"""Intake and verification (二(三)1–2): filing, drafts, the first report, returns and supplements,
the office's corrections and merges, verification, comments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common.messages import define
from common.timebounds import HAPPENED_TOLERANCE, validate_happened
from incidents.models import Incident, IncidentEvent, Level
from incidents.services.base import (
    E,
    InvalidTransition,
    S,
    _event,
    _is_member,
    _locked,
    _plain,
    _require_text,
    is_office,
)
from incidents.services.checks import (
    check_comment,
    check_correct,
    check_merge,
    check_return,
    check_submit,
    check_supplement,
    check_update_draft,
    check_verify,
)
from incidents.services.files import _attach
from roles.models import Unit, User


# What the station files; the first report is a snapshot of these at submission.
INTAKE_FIELDS = [
    "title", "category", "occurred_at", "discovered_at", "location", "latitude", "longitude", "nature",
    "description", "proposed_level", "dead", "injured", "missing", "estimated_loss", "scope", "trend",
    "source", "source_detail", "measures_taken", "reporter_name", "reporter_position", "reporter_phone",
]
# The first report states time, place, source, nature, scope of impact, trend and measures taken (三(二)3).
REQUIRED_TO_SUBMIT = ["title", "category", "occurred_at", "location", "description", "proposed_level", "source",
                      "nature", "scope", "trend", "measures_taken"]
# A clock a little ahead in the field must not block a report; a time days ahead is a typo.
FUTURE_TOLERANCE = HAPPENED_TOLERANCE  # the calendar window lives in common.timebounds


def _set_intake_fields(incident: Incident, fields: dict) -> dict:
    unknown = set(fields) - set(INTAKE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    changes = {}
    for name, value in fields.items():
        old = getattr(incident, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(incident, name, value)
    return changes


def _check_times(incident: Incident) -> None:
    """The calendar window of common.timebounds (2000 … now + 10 minutes) for the times typed in,
    whichever door they came through, and their order. Raises ValidationError by field."""
    errors = {}
    for name in ("occurred_at", "discovered_at"):
        try:
            validate_happened(getattr(incident, name))
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    if incident.occurred_at and incident.discovered_at and incident.discovered_at < incident.occurred_at:
        errors["discovered_at"] = _("It cannot have been discovered before it occurred.")
    if errors:
        raise ValidationError(errors)


def first_report_snapshot(incident: Incident) -> dict:
    return {name: _plain(getattr(incident, name)) for name in INTAKE_FIELDS} | {"station": incident.station_id}


# The timeline note of a registration (common.messages): the station's name in the reader's language.
ASSIGNED = define("event.assigned", gettext_noop("Assigned to %(station)s"))


@transaction.atomic
def incident_file(*, actor: User, station: Unit, draft: bool = False, **fields) -> Incident:
    """A new incident. Station staff file for their own station (a draft, or submitted at once).
    The office may file a report it received for a station, or register (as a draft) an incident
    learned from elsewhere, which the station then owes the first report of."""
    if station is None or station.kind != Unit.Kind.STATION:
        raise ValidationError({"station": _("Choose a supervision station.")})
    by_station = _is_member(actor, station)
    if not by_station and not is_office(actor):
        raise PermissionDenied(_("Stations file incidents for their own area only; the office may file for any station."))
    incident = Incident(station=station, created_by=actor)
    _set_intake_fields(incident, fields)
    if not incident.title.strip():
        raise ValidationError({"title": _("Give the incident a title.")})
    incident.full_clean()
    _check_times(incident)
    if draft and not by_station:
        incident.status = S.AWAITING_REPORT
        incident.save()
        _event(incident, E.REGISTERED, actor, data={"station": station.pk}, message_key=ASSIGNED,
               message_params={"station": station.message_param})
        return incident
    incident.save()
    _event(incident, E.DRAFT_SAVED, actor)
    if not draft:
        incident_submit(actor=actor, incident=incident)
        incident.refresh_from_db()
    return incident


@transaction.atomic
def incident_update_draft(*, actor: User, incident: Incident, **fields) -> Incident:
    incident = _locked(incident)
    check_update_draft(actor, incident)
    changes = _set_intake_fields(incident, fields)
    incident.full_clean()
    _check_times(incident)
    if changes:
        incident.save()
        _event(incident, E.DRAFT_SAVED, actor, data=changes)
    return incident


@transaction.atomic
def incident_submit(*, actor: User, incident: Incident) -> Incident:
    """The first report (首报). From now on what was filed is fixed: later information comes as
    supplements, and the office's corrections are recorded with a reason."""
    incident = _locked(incident)
    check_submit(actor, incident)
    missing = {name: _("This is needed for the first report.") for name in REQUIRED_TO_SUBMIT
               if getattr(incident, name) in (None, "")}
    if missing:
        raise ValidationError(missing)
    if incident.discovered_at is None:
        incident.discovered_at = incident.occurred_at
    incident.full_clean()
    _check_times(incident)
    incident.status = S.SUBMITTED
    incident.received_at = timezone.now()  # server time: lateness is judged by it, never by the browser
    incident.save()
    _event(incident, E.SUBMITTED, actor, data={"first_report": first_report_snapshot(incident)})
    return incident


@transaction.atomic
def incident_return(*, actor: User, incident: Incident, message: str) -> Incident:
    incident = _locked(incident)
    check_return(actor, incident)
    message = _require_text(message, "message", _("Say what the station should add."))
    incident.status = S.RETURNED
    incident.save(update_fields=["status", "updated_at"])
    _event(incident, E.RETURNED, actor, message=message)
    return incident


@transaction.atomic
def incident_supplement(*, actor: User, incident: Incident, message: str, files=()) -> Incident:
    """The station adds information (answering a return, or as things develop)."""
    incident = _locked(incident)
    check_supplement(actor, incident)
    message = _require_text(message, "message", _("Write the supplementary information."))
    event = _event(incident, E.SUPPLEMENTED, actor, message=message)
    for upload in files:
        _attach(incident, upload, actor, event=event)
    if incident.status == S.RETURNED:
        incident.status = S.SUBMITTED
        incident.save(update_fields=["status", "updated_at"])
    return incident


@transaction.atomic
def incident_correct(*, actor: User, incident: Incident, reason: str, category=None, proposed_level=None) -> Incident:
    incident = _locked(incident)
    check_correct(actor, incident)
    reason = _require_text(reason, "reason", _("Give the reason for the correction."))
    changes = {}
    if category is not None and category != incident.category:
        changes["category"] = [incident.category_id, category.pk]
        incident.category = category
    if proposed_level is not None and proposed_level != incident.proposed_level:
        if proposed_level not in Level.values:
            raise ValidationError({"proposed_level": _("Choose a level from Ⅰ to Ⅳ.")})
        changes["proposed_level"] = [incident.proposed_level, proposed_level]
        incident.proposed_level = proposed_level
    if not changes:
        raise ValidationError(_("Nothing to correct: the category and level are as filed."))
    incident.save(update_fields=["category", "proposed_level", "updated_at"])
    _event(incident, E.CORRECTED, actor, message=reason, data=changes)
    return incident


@transaction.atomic
def incident_merge(*, actor: User, incident: Incident, into: Incident, reason: str) -> Incident:
    """A duplicate report of the same incident is merged into the one kept; its timeline stays."""
    incident = _locked(incident)
    into = _locked(into)
    check_merge(actor, incident)
    if into.pk == incident.pk:
        raise ValidationError({"into": _("An incident cannot be merged into itself.")})
    if into.status in (S.DRAFT, S.AWAITING_REPORT, S.MERGED, S.DECLINED, S.CLOSED):
        raise InvalidTransition(_("The incident to merge into must be open and submitted."))
    reason = _require_text(reason, "reason", _("Give the reason for the merge."))
    incident.status, incident.merged_into = S.MERGED, into
    incident.save(update_fields=["status", "merged_into", "updated_at"])
    _event(incident, E.MERGED, actor, message=reason, data={"into": into.pk})
    _event(into, E.MERGED, actor, message=reason, data={"from": incident.pk})
    return incident


@transaction.atomic
def incident_verify(*, actor: User, incident: Incident, summary: str, accept_discovery_reason: str = "") -> Incident:
    """Verified and presented to the leading group with the office's summary.

    The first report is due 1 hour after occurrence (三(二)2-1). Where the station learned of the
    incident later, the office may accept the discovery time as the start of that clock by giving
    `accept_discovery_reason`: a DISCOVERY_ACCEPTED event, shown wherever the lateness is shown
    (docs/deadlines.md rule 1). ValidationError when there is no later discovery time to accept."""
    incident = _locked(incident)
    check_verify(actor, incident)
    incident.verification_summary = _require_text(summary, "summary", _("Write a summary for the leading group."))
    accept = (accept_discovery_reason or "").strip()
    if accept and not (incident.discovered_at and incident.occurred_at and incident.discovered_at > incident.occurred_at):
        raise ValidationError({"accept_discovery_reason": _(
            "The station gave no discovery time later than the occurrence: there is nothing to accept.")})
    incident.status = S.VERIFIED
    incident.save(update_fields=["status", "verification_summary", "updated_at"])
    _event(incident, E.VERIFIED, actor, message=incident.verification_summary)
    if accept:
        _event(incident, E.DISCOVERY_ACCEPTED, actor, message=accept,
               data={"discovered_at": _plain(incident.discovered_at), "occurred_at": _plain(incident.occurred_at)})
    return incident


@transaction.atomic
def incident_comment(*, actor: User, incident: Incident, message: str) -> IncidentEvent:
    """Anyone who may see the incident may comment (members of the leading group above all)."""
    check_comment(actor, incident)
    return _event(incident, E.COMMENTED, actor, message=_require_text(message, "message", _("Write a comment.")))
