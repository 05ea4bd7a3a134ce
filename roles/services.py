"""State changes of the organization. Views, admin, commands and tests call these; nothing
else writes role groups or unit groups."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from guardian.shortcuts import assign_perm

from django.utils.translation import gettext_lazy as _

from roles.models import Contact, Delegation, Membership, Unit, User
from roles.permissions import ROLE_PERMISSIONS, UNIT_OWN_PERMISSIONS, Role, require


def role_groups_ensure() -> dict[Role, Group]:
    """Create the role groups and give them exactly their model permissions (idempotent).

    Permissions not yet in the database (an app migrated later) are skipped; this runs again
    after every app's migrations (roles.apps), so they are filled in then.
    """
    groups = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = Permission.objects.none()
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted = wanted | Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        group.permissions.set(wanted)
        groups[role] = group
    return groups


def unit_group_ensure(unit: Unit) -> Group:
    """Give the unit its own group, holding the unit's own object permissions."""
    if unit.group_id is None:
        unit.group, _created = Group.objects.get_or_create(name=f"unit:{unit.code}")
        unit.save(update_fields=["group"])
    for codename in UNIT_OWN_PERMISSIONS:
        assign_perm(f"roles.{codename}", unit.group, unit)
    return unit.group


def is_city_bureau(bureau: Unit | None) -> bool:
    """A bureau with county bureaus under it (Unit.ALLOWED_PARENTS: a bureau may sit under a bureau)."""
    return bureau is not None and Unit.objects.filter(parent=bureau, kind=Unit.Kind.BUREAU).exists()


def roles_from_memberships(memberships) -> set[Role]:
    """The role groups a person's memberships call for. Anyone in a city bureau's units is city
    staff only: the county roles (office, leading group …) would let them act on counties' incidents."""
    roles = set()
    for membership in memberships:
        unit = membership.unit
        if is_city_bureau(unit.bureau()):
            roles.add(Role.CITY_STAFF)
        elif unit.kind == Unit.Kind.STATION:
            roles.add(Role.STATION_STAFF)
        elif unit.kind == Unit.Kind.LEADING_GROUP_OFFICE:
            roles.add(Role.OFFICE_STAFF)
        elif unit.kind == Unit.Kind.SECTION:
            # Staff of the section housing the leading group office are the office.
            houses_office = any(h.kind == Unit.Kind.LEADING_GROUP_OFFICE for h in unit.hosted_units.all())
            roles.add(Role.OFFICE_STAFF if houses_office else Role.SECTION_STAFF)
        elif unit.kind == Unit.Kind.LEADING_GROUP:
            roles.add(Role.LEADING_GROUP_MEMBER)
            if membership.role == Membership.Role.LEADER:
                roles.add(Role.LEADING_GROUP_LEADER)
            if membership.role == Membership.Role.COMMANDER:
                roles.add(Role.HQ_COMMANDER)
    return roles


@transaction.atomic
def user_sync_groups(user: User) -> set[Role]:
    """Put the user in exactly the role groups and unit groups their memberships call for.

    The administrator group and any group not managed here are left as they are.
    """
    memberships = list(
        Membership.objects.filter(user=user, unit__is_active=True)
        .select_related("unit__group")
        .prefetch_related("unit__hosted_units")
    )
    roles = roles_from_memberships(memberships)
    groups = role_groups_ensure()
    derived_roles = set(Role) - {Role.ADMINISTRATOR}
    managed = {groups[r].pk for r in derived_roles} | set(
        Unit.objects.exclude(group=None).values_list("group_id", flat=True)
    )
    keep = [g for g in user.groups.all() if g.pk not in managed]
    wanted = [groups[r] for r in roles] + [unit_group_ensure(m.unit) for m in memberships]
    user.groups.set(keep + wanted)
    for cache in ("_roles_cache", "_bureaus_cache"):
        if hasattr(user, cache):
            delattr(user, cache)
    return roles


@transaction.atomic
def membership_set(*, user: User, unit: Unit, role: str = Membership.Role.STAFF, title: str = "") -> Membership:
    membership = Membership.objects.filter(user=user, unit=unit).first() or Membership(user=user, unit=unit)
    membership.role, membership.title = role, title
    membership.full_clean()
    membership.save()
    user_sync_groups(user)
    return membership


@transaction.atomic
def membership_remove(*, user: User, unit: Unit) -> None:
    Membership.objects.filter(user=user, unit=unit).delete()
    user_sync_groups(user)


UNIT_CONTACT_FIELDS = ["phone", "fax", "email", "address", "robot_webhook_url"]
CONTACT_FIELDS = ["phone", "fax", "email", "address", "notes"]


def _require_own_bureau(actor: User, bureau_id: int | None, who_may) -> None:
    """The office's rights on units and contacts are its own bureau's: another county's are not its to edit."""
    from roles.permissions import Role
    from roles.selectors import user_bureau_ids, user_roles

    if Role.ADMINISTRATOR in user_roles(actor) or bureau_id is None:
        return
    if bureau_id not in user_bureau_ids(actor):
        raise PermissionDenied(who_may)


def unit_update_contacts_check(actor: User, unit: Unit) -> None:
    bureau = unit.bureau()
    _require_own_bureau(actor, bureau.pk if bureau else None,
                        _("Only the unit's own staff, the office or an administrator may edit its contact details."))
    require(
        actor,
        "roles.edit_unit_contacts",
        unit,
        who_may=_("Only the unit's own staff, the office or an administrator may edit its contact details."),
    )


def unit_set_webhook_check(actor: User) -> None:
    require(
        actor,
        "roles.set_robot_webhook",
        who_may=_("Only the office or an administrator may set a unit's group robot webhook."),
    )


@transaction.atomic
def unit_update_contacts(*, actor: User, unit: Unit, **values) -> Unit:
    """Update the unit's contact fields given in ``values`` (names from UNIT_CONTACT_FIELDS).

    Raises PermissionDenied unless the actor may edit the unit's contacts, and, when
    ``robot_webhook_url`` is among the values, unless they may set webhooks (office,
    administrator: the worker posts there). Raises ValidationError for bad values
    (roles.webhooks.check_webhook_url for the webhook); nothing is saved then.
    """
    unit_update_contacts_check(actor, unit)
    if "robot_webhook_url" in values:
        unit_set_webhook_check(actor)
    return _update_fields(unit, UNIT_CONTACT_FIELDS, values)


def contact_update_check(actor: User, contact: Contact | None = None) -> None:
    if contact is not None:
        _require_own_bureau(actor, contact.bureau_id, _("Only the office or an administrator may edit outside contacts."))
    require(
        actor,
        "roles.change_contact",
        who_may=_("Only the office or an administrator may edit outside contacts."),
    )


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, **values) -> Contact:
    contact_update_check(actor, contact)
    return _update_fields(contact, CONTACT_FIELDS, values)


@transaction.atomic
def delegation_create(*, actor: User, acting: User, starts_at, ends_at, reason: str) -> Delegation:
    """The leader designates a member of the leading group as acting leader (代理组长) for a period."""
    from django.core.exceptions import ValidationError

    from common.timebounds import validate_planned
    from roles.selectors import user_roles

    if Role.LEADING_GROUP_LEADER not in user_roles(actor):
        raise PermissionDenied(_("Only the leader of the leading group may designate an acting leader."))
    errors = {}
    if acting.pk == actor.pk or Role.LEADING_GROUP_MEMBER not in user_roles(acting):
        errors["acting"] = _("The acting leader must be another member of the leading group.")
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        try:
            validate_planned(value)  # the calendar window of common.timebounds: 2000 … a year ahead
        except ValidationError as exc:
            errors[name] = exc.messages
    if not errors and (not ends_at or not starts_at or ends_at <= starts_at):
        errors["ends_at"] = _("The period must end after it starts.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason (e.g. the director is away).")
    if errors:
        raise ValidationError(errors)
    return Delegation.objects.create(leader=actor, acting=acting, starts_at=starts_at, ends_at=ends_at, reason=reason.strip())


@transaction.atomic
def delegation_revoke(*, actor: User, delegation: Delegation) -> Delegation:
    from django.utils import timezone

    if actor.pk != delegation.leader_id:
        raise PermissionDenied(_("Only the leader who gave a delegation may revoke it."))
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
    return delegation


def _update_fields(obj, allowed: list[str], values: dict):
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    for name, value in values.items():
        setattr(obj, name, value)
    # Validate what is given: a station editing its phone does not re-resolve the stored webhook.
    obj.full_clean(exclude=[field.name for field in obj._meta.fields if field.name not in values])
    obj.save(update_fields=list(values))
    return obj
