"""The leading group's decision (三(三)): activation, decline, level changes, and the command HQ."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from guardian.shortcuts import remove_perm

from common.messages import define, stored
from incidents.models import CommandHQ, Incident, Measure
from incidents.services.base import E, S, _event, _grant_view, _locked, _policy, _require_own_bureau, _require_text
from incidents.services.checks import check_activate, check_change_level, check_decline, check_hq_update
from incidents.services.response import _measures_from_templates
from roles.models import Membership, Unit, User
from roles.permissions import Role
from roles.selectors import bureau_section, office_section, user_bureau_ids, user_roles

# A note the system writes (common.messages): shown in the reader's language.
CANCELLED_BY_LEVEL = define("measure.cancelled_by_level", gettext_noop("Cancelled: the level changed from %(old)s to %(new)s."))


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
        completion_note=stored(CANCELLED_BY_LEVEL, {"old": {"level": old}, "new": {"level": level}}),
        completion_note_key=CANCELLED_BY_LEVEL, completion_note_params={"old": {"level": old}, "new": {"level": level}},
        completed_at=now,
    )
    _measures_from_templates(incident, level, start=now)
    _event(incident, E.LEVEL_CHANGED, actor, message=reason, delegation=delegation, data={"level": [old, level]})
    if policy.hq_required and not hasattr(incident, "hq"):
        _hq_form(incident, actor, delegation)
    return incident


def _default_commander(bureau: Unit | None = None) -> User:
    """The deputy director in charge (分管副局长) of the incident's bureau."""
    groups = {"unit__parent": bureau} if bureau is not None else {}
    membership = (
        Membership.objects.filter(unit__kind=Unit.Kind.LEADING_GROUP, role=Membership.Role.COMMANDER, user__is_active=True,
                                  **groups)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationError(
            _("No deputy director in charge is designated as HQ commander: an administrator must set one in the leading group.")
        )
    return membership.user


def _hq_form(incident: Incident, actor: User, delegation) -> CommandHQ:
    bureau = incident.station.bureau()  # the incident's own county: its section, office and commander
    section = bureau_section(bureau, incident.category.section)
    hq = CommandHQ.objects.create(incident=incident, commander=_default_commander(bureau), lead_section=section)
    members = [section] + [office for office in [office_section(bureau)] if office and office != section]
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
    _require_own_bureau(incident, lead_section=[lead_section] if lead_section else [],
                        member_sections=member_sections or [], stations=stations or [])
    if commander is not None:
        if Role.LEADING_GROUP_MEMBER not in user_roles(commander) or incident.station.parent_id not in user_bureau_ids(commander):
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
