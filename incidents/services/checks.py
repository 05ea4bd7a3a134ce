"""One check per action: who may (PermissionDenied, 403) first, then whether the state allows it
(InvalidTransition, 409). Services run the check on the locked row; pages run the same check to
show only the actions a user may take now (allowed_actions)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from incidents.models import LevelPolicy
from incidents.services.base import (
    E,
    InvalidTransition,
    S,
    _is_commander_of,
    _is_member,
    _may_command,
    _policy,
    _require_ender,
    _require_office,
    _require_station_staff,
    _remembered,
    _require_status,
    checks_remembered,
    is_office,
    leading_group_decider,
)
from roles.permissions import Role
from roles.selectors import bureau_section, user_roles


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

    if not _remembered(actor, ("visible", incident.pk), incidents_visible_to(actor).filter(pk=incident.pk).exists):
        raise PermissionDenied(_("You may not see this incident."))
    if user_roles(actor) == {Role.CITY_STAFF}:
        raise PermissionDenied(_("The city bureau reads the counties' incidents; comments are written by the county bureau's staff."))
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
    section = bureau_section(incident.station.bureau(), incident.category.section) if incident.category_id else None
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
    with checks_remembered(actor):  # one membership and one delegation lookup for all the checks
        for name, check in CHECKS.items():
            try:
                check(actor, incident)
            except (PermissionDenied, InvalidTransition, ValidationError):
                continue
            allowed.add(name)
    return allowed
