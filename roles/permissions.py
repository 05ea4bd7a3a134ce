"""Role groups and what each may do.

Roles are Django groups whose membership is derived from a person's memberships in units
(roles.services.user_sync_groups), except `administrator`, which is given by hand. Global
rights are plain model permissions on the role groups; rights on one object (a unit, later
an incident) are guardian object permissions granted to a unit's group, never to a user.
The matrix is written out in docs/permissions.md and tested in tests/roles/test_permission_matrix.py.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STATION_STAFF = "station_staff", _("station staff")
    OFFICE_STAFF = "office_staff", _("office staff")
    SECTION_STAFF = "section_staff", _("section staff")
    LEADING_GROUP_MEMBER = "leading_group_member", _("leading group member")
    LEADING_GROUP_LEADER = "leading_group_leader", _("leading group leader")
    HQ_COMMANDER = "hq_commander", _("HQ commander")
    # Staff of a city bureau above the county bureaus (issue 11): they read what the counties
    # reported to them and their counties' deadlines, and may only ask for more (催报) and sign.
    CITY_STAFF = "city_staff", _("city bureau staff")
    ADMINISTRATOR = "administrator", _("administrator")


# Model permissions of each role group, as "app_label.codename".
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.STATION_STAFF: [],
    Role.OFFICE_STAFF: ["roles.edit_unit_contacts", "roles.set_robot_webhook", "roles.change_contact"],
    Role.SECTION_STAFF: [],
    Role.LEADING_GROUP_MEMBER: [],
    Role.LEADING_GROUP_LEADER: [],
    Role.HQ_COMMANDER: [],
    Role.CITY_STAFF: [],
    Role.ADMINISTRATOR: [
        "roles.add_unit",
        "roles.change_unit",
        "roles.view_unit",
        "roles.edit_unit_contacts",
        "roles.set_robot_webhook",
        "roles.add_membership",
        "roles.change_membership",
        "roles.delete_membership",
        "roles.view_membership",
        "roles.add_contact",
        "roles.change_contact",
        "roles.delete_contact",
        "roles.view_contact",
        "roles.add_user",
        "roles.change_user",
        "roles.view_user",
        "roles.view_delegation",
    ],
}


def register_role_permissions(role: Role, perms: list[str]) -> None:
    """Apps above this one (incidents, reporting) add their model permissions to a role at start-up,
    so this app never names them."""
    ROLE_PERMISSIONS[role] = sorted(set(ROLE_PERMISSIONS[role]) | set(perms))


# Object permissions a unit's own group holds on that unit.
UNIT_OWN_PERMISSIONS = ["edit_unit_contacts"]


def require(user, perm: str, obj=None, *, who_may) -> None:
    """Raise PermissionDenied (403) carrying a message that says who may do it.

    Use only once the object is known to be visible to the user: what they may not see is
    a 404, decided by the selectors.
    """
    if user.has_perm(perm) or (obj is not None and user.has_perm(perm, obj)):
        return
    raise PermissionDenied(who_may)
