"""Ending and after-action (五): summaries, the leading group's approval, the end, the investigation
team, its analysis, and closing."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common.messages import define, stored
from incidents.models import Incident, IncidentEvent, InvestigationTeam, Measure
from incidents.services.base import (
    E,
    InvalidTransition,
    S,
    _event,
    _locked,
    _policy,
    _require_status,
    _require_text,
)
from incidents.services.checks import (
    check_after_action,
    check_approve_end,
    check_end,
    check_summary,
    check_team,
)
from roles.models import User

# A note the system writes (common.messages): shown in the reader's language.
CANCELLED_BY_END = define("measure.cancelled_by_end", gettext_noop("Cancelled: the emergency ended."))


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
        status=Measure.Status.CANCELLED, completion_note=stored(CANCELLED_BY_END), completion_note_key=CANCELLED_BY_END,
        completion_note_params={}, completed_at=now
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

    from roles.selectors import user_bureau_ids

    # The team is the incident's own bureau's people (the city bureau reads, it does not investigate).
    blind = [u.display_name for u in [leader, *members] if not incidents_visible_to(u).filter(pk=incident.pk).exists()
             or incident.station.parent_id not in user_bureau_ids(u)]
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
