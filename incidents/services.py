"""Every change to an incident, one function per transition (design.md).

Each takes keyword-only arguments, checks who acts and the incident's state (on the row
locked for the transaction), changes it, writes one timeline event and returns the object.
Browser views, the API, admin actions and commands all call these; nothing else writes.

Errors: PermissionDenied (403, with who may), InvalidTransition (409: the state does not
allow it), ValidationError (400: bad input). Any of them leaves nothing half-saved.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from common.timebounds import HAPPENED_TOLERANCE, validate_happened, validate_planned
from incidents.models import (
    Attachment,
    CommandHQ,
    Incident,
    IncidentEvent,
    InvestigationTeam,
    Level,
    LevelPolicy,
    Measure,
    MeasureTemplate,
)
from incidents.attachments import check_upload
from incidents.signals import incident_event
from roles.models import Delegation, Membership, Unit, User
from roles.permissions import Role
from roles.selectors import office_section, user_roles

S = Incident.Status
E = IncidentEvent.Kind

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


class InvalidTransition(Exception):
    """The incident's state does not allow this action now (HTTP 409)."""


# ---------------------------------------------------------------- who acts


def _is_member(user: User, unit: Unit | None) -> bool:
    return unit is not None and Membership.objects.filter(user=user, unit=unit).exists()


def is_office(user: User) -> bool:
    return Role.OFFICE_STAFF in user_roles(user)


def _require_station_staff(user: User, station: Unit) -> None:
    if not _is_member(user, station):
        raise PermissionDenied(_("Only the staff of %(station)s may do this.") % {"station": station.display_name})


def _require_office(user: User) -> None:
    if not is_office(user):
        raise PermissionDenied(_("Only the office (办公室/应急管理科) may do this."))


def leading_group_decider(user: User, at=None) -> Delegation | None:
    """The leader decides for the leading group, or a member the leader designated acting
    leader for a period covering `at`. Returns the delegation acted under (None for the leader)."""
    at = at or timezone.now()
    if Role.LEADING_GROUP_LEADER in user_roles(user):
        return None
    delegation = (
        Delegation.objects.filter(acting=user, revoked_at=None, starts_at__lte=at, ends_at__gt=at)
        .order_by("-starts_at")
        .first()
    )
    if delegation is None or Role.LEADING_GROUP_MEMBER not in user_roles(user):
        raise PermissionDenied(
            _("Decisions of the leading group are recorded by its leader (the director) or by the acting leader the leader has designated.")
        )
    return delegation


def _require_ender(user: User, incident: Incident, policy: LevelPolicy) -> Delegation | None:
    if policy.ended_by == LevelPolicy.EndedBy.LEADING_GROUP:
        return leading_group_decider(user)
    if not _is_commander_of(user, incident):
        raise PermissionDenied(
            _("At level %(level)s the end is declared by the HQ commander (the deputy director in charge).")
            % {"level": incident.level_roman}
        )
    return None


def _is_commander_of(user: User, incident: Incident) -> bool:
    hq = getattr(incident, "hq", None)
    if hq is not None:
        return hq.commander_id == user.pk
    return Role.HQ_COMMANDER in user_roles(user)  # level Ⅳ without an HQ: the deputy director in charge


def _may_command(user: User, incident: Incident) -> Delegation | None:
    """The HQ commander, the staff of the lead section (the emergency office), or the leading group's decider."""
    if _is_commander_of(user, incident):
        return None
    hq = getattr(incident, "hq", None)
    if hq is not None and _is_member(user, hq.lead_section):
        return None
    try:
        return leading_group_decider(user)
    except PermissionDenied:
        raise PermissionDenied(
            _("Only the HQ commander, the emergency office (lead section) or the leading group's leader may do this.")
        ) from None


def actor_role_label(user: User) -> str:
    roles = user_roles(user)
    for role in [Role.LEADING_GROUP_LEADER, Role.HQ_COMMANDER, Role.LEADING_GROUP_MEMBER, Role.OFFICE_STAFF,
                 Role.SECTION_STAFF, Role.STATION_STAFF, Role.ADMINISTRATOR]:
        if role in roles:
            return role.value
    return ""


# ---------------------------------------------------------------- checks
#
# One check per action: who may (PermissionDenied, 403) first, then whether the state allows
# it (InvalidTransition, 409). Services run the check on the locked row; pages run the same
# check to show only the actions a user may take now (allowed_actions).


def check_update_draft(actor, incident):
    if not (_is_member(actor, incident.station) or (incident.status == S.AWAITING_REPORT and is_office(actor))):
        raise PermissionDenied(_("Only the staff of %(station)s may edit this draft.") % {"station": incident.station.display_name})
    _require_status(incident, S.DRAFT, S.AWAITING_REPORT)


def check_submit(actor, incident):
    if not (_is_member(actor, incident.station) or is_office(actor)):
        raise PermissionDenied(_("Only the staff of %(station)s may submit this report.") % {"station": incident.station.display_name})
    _require_status(incident, S.DRAFT, S.AWAITING_REPORT)


def check_return(actor, incident):
    _require_office(actor)
    _require_status(incident, S.SUBMITTED, S.VERIFIED)


def check_supplement(actor, incident):
    _require_station_staff(actor, incident.station)
    _require_status(incident, S.SUBMITTED, S.RETURNED, S.VERIFIED, S.ACTIVE)


def check_correct(actor, incident):
    _require_office(actor)
    _require_status(incident, S.SUBMITTED, S.RETURNED, S.VERIFIED)


check_merge = check_correct


def check_verify(actor, incident):
    _require_office(actor)
    _require_status(incident, S.SUBMITTED)


def check_comment(actor, incident):
    from incidents.selectors import incidents_visible_to

    if not incidents_visible_to(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied(_("You may not see this incident."))
    if incident.status in (S.DRAFT, S.AWAITING_REPORT):
        raise InvalidTransition(_("A draft cannot be commented on."))


def check_decide(actor, incident):
    delegation = leading_group_decider(actor)
    _require_status(incident, S.VERIFIED)
    return delegation


check_activate = check_decline = check_decide


def check_change_level(actor, incident):
    delegation = leading_group_decider(actor)
    _require_status(incident, S.ACTIVE)
    return delegation


def check_hq_update(actor, incident):
    """The HQ's composition is the leading group's and the commander's (二(一)2: 领导小组指定相关领导和
    有关科室组建): a section clerk, even of the lead section, may not change it."""
    if _is_commander_of(actor, incident):
        delegation = None
    else:
        try:
            delegation = leading_group_decider(actor)
        except PermissionDenied:
            raise PermissionDenied(_(
                "The command HQ is composed by the leading group's leader (or acting leader) and the HQ commander.")) from None
    _require_status(incident, S.ACTIVE)
    if not hasattr(incident, "hq"):
        raise InvalidTransition(_("This incident has no command HQ."))
    return delegation


def check_measure_add(actor, incident):
    delegation = _may_command(actor, incident)
    _require_status(incident, S.ACTIVE)
    return delegation


def check_summary(actor, incident):
    hq = getattr(incident, "hq", None)
    in_hq = hq is not None and any(_is_member(actor, unit) for unit in hq.units())
    section = incident.category.section if incident.category_id else None
    if not (in_hq or _is_commander_of(actor, incident) or _is_member(actor, section)):
        raise PermissionDenied(_("Summaries are submitted by the HQ and the sections that took part."))
    _require_status(incident, S.ACTIVE, S.ENDED)


def check_end(actor, incident):
    """五(一): the HQ and sections submit a summary to the leading group, which approves the end;
    Ⅲ and Ⅳ: the commander then declares it; Ⅰ and Ⅱ: the leading group's declaration is the approval."""
    if not (Role.HQ_COMMANDER in user_roles(actor) or _is_commander_of(actor, incident)):
        leading_group_decider(actor)  # raises for anyone who is neither commander nor decider
    _require_status(incident, S.ACTIVE)
    delegation = _require_ender(actor, incident, _policy(incident.level))
    if not _summary_submitted(incident):
        raise InvalidTransition(_("The HQ or the sections must submit their summary to the leading group first."))
    if _policy(incident.level).ended_by == LevelPolicy.EndedBy.HQ_COMMANDER and not _end_approved(incident):
        raise InvalidTransition(_("The leading group must approve the end first."))
    return delegation


def check_approve_end(actor, incident):
    delegation = leading_group_decider(actor)
    _require_status(incident, S.ACTIVE)
    if _policy(incident.level).ended_by == LevelPolicy.EndedBy.LEADING_GROUP:
        raise InvalidTransition(_("At this level the leading group declares the end itself: its declaration is the approval."))
    if not _summary_submitted(incident):
        raise InvalidTransition(_("The HQ or the sections must submit their summary to the leading group first."))
    if _end_approved(incident):
        raise InvalidTransition(_("The leading group has already approved the end."))
    return delegation


def _last_level_decision(incident):
    return incident.events.filter(kind__in=[E.ACTIVATED, E.LEVEL_CHANGED]).order_by("-at", "-pk").first()


def _summary_submitted(incident) -> bool:
    return incident.events.filter(kind=E.SUMMARY_SUBMITTED).exists()


def _end_approved(incident) -> bool:
    """An approval counts for the level it was given at: a later level change asks for a new one."""
    decision = _last_level_decision(incident)
    approvals = incident.events.filter(kind=E.END_APPROVED)
    if decision is not None:
        approvals = approvals.filter(pk__gt=decision.pk)
    return approvals.exists()


def check_team(actor, incident):
    delegation = _may_command(actor, incident)
    _require_status(incident, S.ENDED)
    if hasattr(incident, "investigation"):
        raise InvalidTransition(_("An investigation team is already named."))
    return delegation


def check_after_action(actor, incident):
    team = getattr(incident, "investigation", None)
    if team is None or (actor.pk != team.leader_id and not team.members.filter(pk=actor.pk).exists()):
        _may_command(actor, incident)
    _require_status(incident, S.ENDED)
    if team is None:
        raise InvalidTransition(_("Name the investigation team first."))
    if team.filed_at is not None:
        raise InvalidTransition(_("The after-action analysis is already filed; the incident closes once the final report is sent."))


def check_attach(actor, incident):
    if incident.status in (S.DRAFT, S.AWAITING_REPORT):
        if not (is_office(actor) or _is_member(actor, incident.station)):
            raise PermissionDenied(_("Only the staff of %(station)s may do this.") % {"station": incident.station.display_name})
    else:
        check_comment(actor, incident)  # anyone who may see it
    if incident.status in (S.CLOSED, S.MERGED, S.DECLINED):
        raise InvalidTransition(_("Nothing can be added to a closed incident."))


CHECKS = {
    "update_draft": check_update_draft, "submit": check_submit, "return": check_return,
    "supplement": check_supplement, "correct": check_correct, "merge": check_merge, "verify": check_verify,
    "comment": check_comment, "activate": check_activate, "decline": check_decline,
    "change_level": check_change_level, "hq": check_hq_update, "add_measure": check_measure_add,
    "summary": check_summary, "approve_end": check_approve_end, "end": check_end, "team": check_team, "after_action": check_after_action,
    "attach": check_attach,
}


def allowed_actions(actor, incident) -> set[str]:
    """The actions this user may take on this incident now (for pages; services check again)."""
    allowed = set()
    for name, check in CHECKS.items():
        try:
            check(actor, incident)
        except (PermissionDenied, InvalidTransition, ValidationError):
            continue
        allowed.add(name)
    return allowed


# ---------------------------------------------------------------- helpers


def _locked(incident: Incident) -> Incident:
    """Re-read the incident locked for this transaction: two clicks at once cannot both pass a state check."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _require_status(incident: Incident, *statuses) -> None:
    if incident.status not in statuses:
        raise InvalidTransition(
            _("This cannot be done while the incident is “%(status)s”.") % {"status": incident.get_status_display()}
        )


def _event(incident, kind, actor, *, message="", data=None, delegation=None) -> IncidentEvent:
    event = IncidentEvent.objects.create(
        incident=incident, kind=kind, actor=actor, actor_role=actor_role_label(actor) if actor else "",
        message=message, data=data or {}, delegation=delegation,
    )
    incident_event.send(sender=IncidentEvent, event=event)  # reporting turns it into deadlines
    return event


def _plain(value):
    """A value as it is kept in an event's JSON."""
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


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


# ---------------------------------------------------------------- intake


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
        _event(incident, E.REGISTERED, actor, message=station.display_name, data={"station": station.pk})
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


# ---------------------------------------------------------------- decision


def _policy(level: int) -> LevelPolicy:
    if level not in Level.values:
        raise ValidationError({"level": _("Choose a level from Ⅰ to Ⅳ.")})
    return LevelPolicy.objects.get(level=level)


@transaction.atomic
def incident_activate(*, actor: User, incident: Incident, level: int, reason: str = "", form_hq: bool = False) -> Incident:
    """The leading group activates the response at a level (三(三)). Ⅰ–Ⅲ form the HQ from
    defaults; Ⅳ only when asked. The measures of the level become the checklist."""
    incident = _locked(incident)
    delegation = check_activate(actor, incident)
    policy = _policy(level)
    reason = (reason or "").strip()
    if level != incident.proposed_level and not reason:
        raise ValidationError({"reason": _("The level differs from the proposal: give the reason.")})
    now = timezone.now()
    incident.status, incident.level = S.ACTIVE, level
    incident.save(update_fields=["status", "level", "updated_at"])
    # The checklist first: the activation's deadlines (reporting) include its measures'.
    _measures_from_templates(incident, level, start=now)
    _event(incident, E.ACTIVATED, actor, message=reason, delegation=delegation,
           data={"level": [None, level], "proposed_level": incident.proposed_level})
    if policy.hq_required or form_hq:
        _hq_form(incident, actor, delegation)
    return incident


@transaction.atomic
def incident_decline(*, actor: User, incident: Incident, reason: str) -> Incident:
    """Not activated: routine handling, and the incident closes with the reason."""
    incident = _locked(incident)
    delegation = check_decline(actor, incident)
    reason = _require_text(reason, "reason", _("Give the reason for not activating a response."))
    incident.status = S.DECLINED
    incident.save(update_fields=["status", "updated_at"])
    _event(incident, E.DECLINED, actor, message=reason, delegation=delegation)
    return incident


@transaction.atomic
def incident_change_level(*, actor: User, incident: Incident, level: int, reason: str) -> Incident:
    """Raise or lower the level during the response. What depends on the level follows: an HQ is
    formed if the new level needs one, open measures of the old level are cancelled and the new
    level's measures are added with deadlines counted from now."""
    incident = _locked(incident)
    delegation = check_change_level(actor, incident)
    policy = _policy(level)
    if level == incident.level:
        raise ValidationError({"level": _("The incident is already at this level.")})
    reason = _require_text(reason, "reason", _("Give the reason for the level change."))
    old, now = incident.level, timezone.now()
    incident.level = level
    incident.save(update_fields=["level", "updated_at"])
    incident.measures.filter(status=Measure.Status.OPEN, template__isnull=False).exclude(level=level).update(
        status=Measure.Status.CANCELLED,
        completion_note=_("Cancelled: the level changed from %(old)s to %(new)s.") % {"old": Level(old).label, "new": Level(level).label},
        completed_at=now,
    )
    _measures_from_templates(incident, level, start=now)
    _event(incident, E.LEVEL_CHANGED, actor, message=reason, delegation=delegation, data={"level": [old, level]})
    if policy.hq_required and not hasattr(incident, "hq"):
        _hq_form(incident, actor, delegation)
    return incident


def _default_commander() -> User:
    membership = (
        Membership.objects.filter(unit__kind=Unit.Kind.LEADING_GROUP, role=Membership.Role.COMMANDER, user__is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationError(
            _("No deputy director in charge is designated as HQ commander: an administrator must set one in the leading group.")
        )
    return membership.user


def _hq_form(incident: Incident, actor: User, delegation) -> CommandHQ:
    section = incident.category.section
    hq = CommandHQ.objects.create(incident=incident, commander=_default_commander(), lead_section=section)
    members = [section] + [office for office in [office_section()] if office and office != section]
    hq.member_sections.set(members)
    hq.stations.set([incident.station])
    _grant_hq_access(incident, hq, previous_units=[])
    _event(incident, E.HQ_FORMED, actor, delegation=delegation, data=_hq_data(hq))
    return hq


def _hq_data(hq: CommandHQ) -> dict:
    return {
        "commander": hq.commander_id,
        "lead_section": hq.lead_section_id,
        "member_sections": sorted(u.pk for u in hq.member_sections.all()),
        "stations": sorted(u.pk for u in hq.stations.all()),
    }


def _grant_view(incident: Incident, units) -> None:
    """Units taking part (in the HQ, or owning a measure) see the incident through their groups."""
    for unit in units:
        if unit.group_id:
            assign_perm("incidents.view_incident", unit.group, incident)


def _grant_hq_access(incident: Incident, hq: CommandHQ, previous_units) -> None:
    """HQ units see the incident; a unit taken off the HQ loses it, unless it still owns a measure there."""
    current = {u.pk: u for u in hq.units()}
    owners = set(incident.measures.values_list("owner_unit_id", flat=True))
    for unit in previous_units:
        if unit.pk not in current and unit.pk not in owners and unit.group_id:
            remove_perm("incidents.view_incident", unit.group, incident)
    _grant_view(incident, current.values())


@transaction.atomic
def incident_hq_update(*, actor: User, incident: Incident, commander: User | None = None, lead_section: Unit | None = None,
                       member_sections=None, stations=None) -> CommandHQ:
    incident = _locked(incident)
    delegation = check_hq_update(actor, incident)
    hq = incident.hq
    before, previous_units = _hq_data(hq), hq.units()
    if commander is not None:
        if Role.LEADING_GROUP_MEMBER not in user_roles(commander):
            raise ValidationError({"commander": _("The commander must be a member of the leading group.")})
        hq.commander = commander
    if lead_section is not None:
        if lead_section.kind != Unit.Kind.SECTION:
            raise ValidationError({"lead_section": _("The lead section must be a section.")})
        hq.lead_section = lead_section
    hq.save()
    if member_sections is not None:
        if any(u.kind != Unit.Kind.SECTION for u in member_sections):
            raise ValidationError({"member_sections": _("Member sections must be sections.")})
        hq.member_sections.set(member_sections)
    if stations is not None:
        if any(u.kind != Unit.Kind.STATION for u in stations):
            raise ValidationError({"stations": _("Only supervision stations can be listed as stations.")})
        hq.stations.set(stations)
    after = _hq_data(hq)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if not changes:
        raise ValidationError(_("Nothing changed."))
    _grant_hq_access(incident, hq, previous_units)
    _event(incident, E.HQ_CHANGED, actor, delegation=delegation, data=changes)
    return hq


# ---------------------------------------------------------------- measures


def _owner_unit(incident: Incident, owner: str) -> Unit:
    hq = getattr(incident, "hq", None)
    if owner == MeasureTemplate.Owner.STATION:
        return incident.station
    if owner == MeasureTemplate.Owner.OFFICE:
        return office_section() or incident.category.section
    return hq.lead_section if hq else incident.category.section


def _measures_from_templates(incident: Incident, level: int, *, start) -> None:
    existing = set(incident.measures.filter(status=Measure.Status.OPEN).values_list("template_id", flat=True))
    owners = {}
    for template in MeasureTemplate.objects.filter(level=level, is_active=True).exclude(pk__in=existing):
        owner = _owner_unit(incident, template.owner)
        owners[owner.pk] = owner
        Measure.objects.create(
            incident=incident, template=template, level=level, title=template.title,
            description=template.description, owner_unit=owner,
            due_at=start + timedelta(hours=template.due_hours) if template.due_hours else None,
        )
    _grant_view(incident, owners.values())  # whoever owes a measure must be able to open the incident


@transaction.atomic
def measure_add(*, actor: User, incident: Incident, title: str, owner_unit: Unit, description: str = "", due_at=None) -> Measure:
    """A task the HQ adds to the checklist."""
    incident = _locked(incident)
    delegation = check_measure_add(actor, incident)
    title = _require_text(title, "title", _("Give the task a title."))
    try:
        validate_planned(due_at)  # the calendar window of common.timebounds
    except ValidationError as exc:
        raise ValidationError({"due_at": exc.messages}) from exc
    measure = Measure.objects.create(incident=incident, title=title, description=description, owner_unit=owner_unit,
                                     due_at=due_at, level=incident.level)
    _grant_view(incident, [owner_unit])
    _event(incident, E.MEASURE_ADDED, actor, message=title, delegation=delegation,
           data={"measure": measure.pk, "owner_unit": owner_unit.pk, "due_at": _plain(due_at)})
    return measure


@transaction.atomic
def measure_update(*, actor: User, measure: Measure, status: str, completion_note: str = "", files=()) -> Measure:
    """The owner unit (or whoever commands) reports a measure done, or cancels it with a note."""
    incident = _locked(measure.incident)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    # Who may first (403), then the state (409), as in every check_* above.
    if not _is_member(actor, measure.owner_unit):
        _may_command(actor, incident)
    # After the end a measure past its deadline is still owed, and may be reported done late.
    _require_status(incident, S.ACTIVE, S.ENDED)
    if status not in (Measure.Status.DONE, Measure.Status.CANCELLED):
        raise ValidationError({"status": _("Mark the measure done or cancelled.")})
    if measure.status != Measure.Status.OPEN:
        raise InvalidTransition(_("This measure is already closed."))
    note = _require_text(completion_note, "completion_note", _("Say what was done, or why it is cancelled."))
    measure.status, measure.completion_note = status, note
    measure.completed_at, measure.completed_by = timezone.now(), actor
    measure.save()
    event = _event(incident, E.MEASURE_UPDATED, actor, message=note,
                   data={"measure": measure.pk, "status": [Measure.Status.OPEN, status]})
    for upload in files:
        _attach(incident, upload, actor, event=event, measure=measure)
    return measure


# ---------------------------------------------------------------- ending and after-action


@transaction.atomic
def incident_summary_submit(*, actor: User, incident: Incident, summary: str) -> IncidentEvent:
    """HQ and sections submit their summary to the leading group (五(一))."""
    incident = _locked(incident)
    check_summary(actor, incident)
    return _event(incident, E.SUMMARY_SUBMITTED, actor,
                  message=_require_text(summary, "summary", _("Write the summary.")))


@transaction.atomic
def incident_end(*, actor: User, incident: Incident, summary: str, announce: bool = False) -> Incident:
    """Ⅲ and Ⅳ: the HQ commander declares the end; Ⅰ and Ⅱ: the leading group, which may announce it (五(一))."""
    incident = _locked(incident)
    delegation = check_end(actor, incident)
    policy = _policy(incident.level)
    summary = _require_text(summary, "summary", _("Summarize the response before declaring the end."))
    if announce and not policy.may_announce_end:
        raise ValidationError({"announce": _("Only the end of a level Ⅰ or Ⅱ emergency is announced to the public.")})
    incident.status, incident.announce_end = S.ENDED, announce
    incident.save(update_fields=["status", "announce_end", "updated_at"])
    now = timezone.now()
    # Only what is not yet due is cancelled: a measure past its deadline stays owed (and late).
    incident.measures.filter(Q(due_at=None) | Q(due_at__gt=now), status=Measure.Status.OPEN).update(
        status=Measure.Status.CANCELLED, completion_note=_("Cancelled: the emergency ended."), completed_at=now
    )
    _event(incident, E.ENDED, actor, message=summary, delegation=delegation, data={"announce": announce})
    return incident


@transaction.atomic
def incident_approve_end(*, actor: User, incident: Incident, reason: str = "") -> IncidentEvent:
    """Ⅲ and Ⅳ: the leading group approves the end after the summary, before the commander declares
    it (五(一) 应急领导小组批准后,作出同意应急状态结束的决定). Leader or acting leader only (403);
    409 without a summary, at Ⅰ/Ⅱ, or when already approved."""
    incident = _locked(incident)
    delegation = check_approve_end(actor, incident)
    return _event(incident, E.END_APPROVED, actor, message=(reason or "").strip(), delegation=delegation,
                  data={"level": incident.level})


@transaction.atomic
def incident_team_name(*, actor: User, incident: Incident, leader: User, members=(), experts: str = "") -> InvestigationTeam:
    incident = _locked(incident)
    delegation = check_team(actor, incident)
    from incidents.selectors import incidents_visible_to

    blind = [u.display_name for u in [leader, *members] if not incidents_visible_to(u).filter(pk=incident.pk).exists()]
    if blind:
        raise ValidationError(
            {"members": _("These people cannot see this incident: %(names)s. Add their unit to the HQ first.")
             % {"names": "、".join(blind)}}
        )
    team = InvestigationTeam.objects.create(incident=incident, leader=leader, experts=experts)
    team.members.set(members)
    _event(incident, E.TEAM_NAMED, actor, delegation=delegation,
           data={"leader": leader.pk, "members": sorted(m.pk for m in members), "experts": experts})
    return team


AFTER_ACTION_FIELDS = ["cause", "handling", "follow_up", "lessons", "improvements"]


@transaction.atomic
def incident_after_action_file(*, actor: User, incident: Incident, **analysis) -> Incident:
    """The team's analysis (cause, handling, follow-up, lessons, plan improvements); the incident then closes."""
    incident = _locked(incident)
    check_after_action(actor, incident)
    team = incident.investigation
    errors = {name: _("This is needed.") for name in AFTER_ACTION_FIELDS if not (analysis.get(name) or "").strip()}
    if errors:
        raise ValidationError(errors)
    for name in AFTER_ACTION_FIELDS:
        setattr(team, name, analysis[name].strip())
    team.filed_at = timezone.now()
    team.save()
    # reporting closes the incident on this event unless the final report is still owed (rule 8).
    _event(incident, E.AFTER_ACTION_FILED, actor, data={name: getattr(team, name) for name in AFTER_ACTION_FIELDS})
    incident.refresh_from_db(fields=["status"])
    return incident


@transaction.atomic
def incident_close(*, actor: User, incident: Incident) -> Incident:
    """Closed once the after-action analysis is filed and no final report is owed (五(二)); called by
    reporting, which knows what is owed. InvalidTransition unless ended with the analysis filed."""
    incident = _locked(incident)
    _require_status(incident, S.ENDED)
    team = getattr(incident, "investigation", None)
    if team is None or team.filed_at is None:
        raise InvalidTransition(_("The after-action analysis has not been filed."))
    incident.status = S.CLOSED
    incident.save(update_fields=["status", "updated_at"])
    _event(incident, E.CLOSED, actor)
    return incident


# ---------------------------------------------------------------- attachments


def _attach(incident, upload, actor, *, event=None, measure=None) -> Attachment:
    content_type = check_upload(upload)
    return Attachment.objects.create(
        incident=incident, event=event, measure=measure, file=upload, name=upload.name[:200],
        content_type=content_type, size=upload.size, uploaded_by=actor,
    )


@transaction.atomic
def attachment_add(*, actor: User, incident: Incident, files) -> list[Attachment]:
    """Photos and documents: by the station while it is the station's report, later by anyone
    who takes part (the station, HQ units, the office)."""
    incident = _locked(incident)
    check_attach(actor, incident)
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    event = _event(incident, E.ATTACHMENT_ADDED, actor, data={"files": [f.name for f in files]})
    return [_attach(incident, upload, actor, event=event) for upload in files]
