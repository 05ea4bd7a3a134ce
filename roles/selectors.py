"""Reads of the organization that need care: who a user is in the bureau and what they see."""

from django.db.models import QuerySet

from roles.models import Contact, Membership, Unit
from roles.permissions import Role


def user_roles(user) -> set[Role]:
    """The user's role groups (cached on the user object for the request)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_roles_cache"):
        names = set(user.groups.values_list("name", flat=True))
        roles = {role for role in Role if role.value in names}
        if user.is_superuser:
            roles.add(Role.ADMINISTRATOR)
        user._roles_cache = roles
    return user._roles_cache


def user_memberships(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, unit__is_active=True).select_related("unit")


def is_bureau_staff(user) -> bool:
    """Anyone with a role in the bureau; an authenticated user without one is an outsider."""
    return bool(user_roles(user))


def units_visible_to(user) -> QuerySet[Unit]:
    """The organization directory is open to all bureau staff (the plan's duties are not secret)."""
    if not is_bureau_staff(user):
        return Unit.objects.none()
    return Unit.objects.filter(is_active=True)


def contacts_visible_to(user) -> QuerySet[Contact]:
    if not is_bureau_staff(user):
        return Contact.objects.none()
    return Contact.objects.filter(is_active=True)


def office_section() -> Unit | None:
    """The section that houses the leading group office (办公室(应急管理科)): data, not a hard-coded code."""
    return (
        Unit.objects.filter(hosted_units__kind=Unit.Kind.LEADING_GROUP_OFFICE, kind=Unit.Kind.SECTION)
        .distinct()
        .first()
    )
