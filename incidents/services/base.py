"""What every stage shares: who acts (the leading group's decider, the commander, the office), the
incident locked for the transaction, the state check, the timeline event, the level policy."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from common.messages import stored
from incidents.models import Incident, IncidentEvent, Level, LevelPolicy
from incidents.signals import incident_event
from roles.models import Delegation, Membership, Unit, User
from roles.permissions import Role
from roles.selectors import user_roles


S = Incident.Status
E = IncidentEvent.Kind


class InvalidTransition(Exception):
    """The incident's state does not allow this action now (HTTP 409)."""


# ---------------------------------------------------------------- who acts


@contextmanager
def checks_remembered(user: User):
    """Within the block, the checks read the user's memberships and the leading group's current
    delegation once, not once per check and per HQ unit: for a page that runs every check
    (allowed_actions, the incident page's panels) and changes nothing. Services, which must see the
    latest state, run outside such a block. Nested blocks share the outer one's memory."""
    if hasattr(user, "_checks_memo"):
        yield
        return
    user._checks_memo = {}
    try:
        yield
    finally:
        del user._checks_memo


def _remembered(user: User, key, load):
    """load() once per checks_remembered block (each call outside one)."""
    memo = getattr(user, "_checks_memo", None)
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def _is_member(user: User, unit: Unit | None) -> bool:
    if unit is None:
        return False
    if getattr(user, "_checks_memo", None) is None:
        return Membership.objects.filter(user=user, unit=unit).exists()
    unit_ids = _remembered(user, "unit_ids", lambda: set(Membership.objects.filter(user=user).values_list("unit_id", flat=True)))
    return unit.pk in unit_ids


def is_office(user: User) -> bool:
    return Role.OFFICE_STAFF in user_roles(user)


def _require_station_staff(user: User, station: Unit) -> None:
    if not _is_member(user, station):
        raise PermissionDenied(_("Only the staff of %(station)s may do this.") % {"station": station.display_name})


def _require_office(user: User) -> None:
    if not is_office(user):
        raise PermissionDenied(_("Only the office (办公室/应急管理科) may do this."))


def _require_own_bureau(incident: Incident, **units_by_field) -> None:
    """Units given the incident (HQ sections, stations, a measure's owner) are of its own bureau: a
    unit of another county would see it (its group is granted the incident). ValidationError by field."""
    bureau_id = incident.station.parent_id
    wrong = {field: _("Choose units of %(bureau)s.") % {"bureau": incident.station.parent.display_name}
             for field, units in units_by_field.items() if any(getattr(u.bureau(), "pk", None) != bureau_id for u in units)}
    if wrong:
        raise ValidationError(wrong)


def leading_group_decider(user: User, at=None) -> Delegation | None:
    """The leader decides for the leading group, or a member the leader designated acting
    leader for a period covering `at`. Returns the delegation acted under (None for the leader)."""
    if Role.LEADING_GROUP_LEADER in user_roles(user):
        return None
    if at is None:  # now: the same answer for every check of one page (checks_remembered)
        delegation = _remembered(user, "delegation", lambda: _current_delegation(user, timezone.now()))
    else:
        delegation = _current_delegation(user, at)
    if delegation is None or Role.LEADING_GROUP_MEMBER not in user_roles(user):
        raise PermissionDenied(
            _("Decisions of the leading group are recorded by its leader (the director) or by the acting leader the leader has designated.")
        )
    return delegation


def _current_delegation(user: User, at) -> Delegation | None:
    return (
        Delegation.objects.filter(acting=user, revoked_at=None, starts_at__lte=at, ends_at__gt=at)
        .order_by("-starts_at")
        .first()
    )


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
                 Role.SECTION_STAFF, Role.STATION_STAFF, Role.CITY_STAFF, Role.ADMINISTRATOR]:
        if role in roles:
            return role.value
    return ""


def _locked(incident: Incident) -> Incident:
    """Re-read the incident locked for this transaction: two clicks at once cannot both pass a state check."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _require_status(incident: Incident, *statuses) -> None:
    if incident.status not in statuses:
        raise InvalidTransition(
            _("This cannot be done while the incident is “%(status)s”.") % {"status": incident.get_status_display()}
        )


def _event(incident, kind, actor, *, message="", data=None, delegation=None, message_key="",
           message_params=None) -> IncidentEvent:
    """One timeline line. `message`: what the actor typed; or `message_key` + `message_params`, a
    note the system writes (common.messages), shown in the reader's language and kept as text in the
    portal's."""
    if message_key:
        message = stored(message_key, message_params)
    event = IncidentEvent.objects.create(
        incident=incident, kind=kind, actor=actor, actor_role=actor_role_label(actor) if actor else "",
        message=message, data=data or {}, delegation=delegation, message_key=message_key,
        message_params=message_params or {},
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


def _policy(level: int) -> LevelPolicy:
    if level not in Level.values:
        raise ValidationError({"level": _("Choose a level from Ⅰ to Ⅳ.")})
    return LevelPolicy.objects.get(level=level)


def _grant_view(incident: Incident, units) -> None:
    """Units taking part (in the HQ, or owning a measure) see the incident through their groups."""
    for unit in units:
        if unit.group_id:
            assign_perm("incidents.view_incident", unit.group, incident)
