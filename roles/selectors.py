"""Reads of the organization that need care: who a user is in the bureau and what they see."""

from django.db.models import Q, QuerySet

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


def office_section(bureau: Unit | None = None) -> Unit | None:
    """The section that houses the leading group office (办公室(应急管理科)) of `bureau`: data, not a
    hard-coded code. Without a bureau: the first one (a deployment of one bureau)."""
    sections = Unit.objects.filter(hosted_units__kind=Unit.Kind.LEADING_GROUP_OFFICE, kind=Unit.Kind.SECTION)
    if bureau is not None:
        sections = sections.filter(parent=bureau)
    return sections.distinct().order_by("pk").first()


def office_staff(bureau: Unit | None):
    """The active office staff of `bureau` (members of its office section or of the leading group
    office it houses): who hears of the county's failed and bounced deliveries. County bureaus never
    hear of each other's. Without a bureau, or a bureau without an office: nobody."""
    from roles.models import User
    from roles.permissions import Role

    office = office_section(bureau) if bureau is not None else None
    if office is None:
        return User.objects.none()
    return User.objects.filter(groups__name=Role.OFFICE_STAFF, is_active=True,
                               memberships__unit__in=[office, *office.hosted_units.all()]).distinct()


def leading_groups(bureau: Unit | None = None) -> QuerySet[Unit]:
    """The leading group of `bureau` (every active one without a bureau)."""
    groups = Unit.objects.filter(kind=Unit.Kind.LEADING_GROUP, is_active=True)
    return groups.filter(parent=bureau) if bureau is not None else groups


def bureau_section(bureau: Unit | None, section: Unit | None) -> Unit | None:
    """`section` as found in `bureau`: categories name the first bureau's sections; another county's
    incident goes to its own section with the same number in the plan. Unchanged without a match."""
    if bureau is None or section is None or section.parent_id == bureau.pk:
        return section
    return Unit.objects.filter(parent=bureau, kind=Unit.Kind.SECTION, number=section.number, is_active=True).first() or section


def user_bureau_ids(user) -> list[int]:
    """The bureaus (unit ids) the user works in, through any of their units (cached on the user
    object for the request): a county's office, sections and stations answer to that county."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_bureaus_cache"):
        bureaus = {m.unit.bureau() for m in user_memberships(user).select_related("unit__parent__parent")}
        user._bureaus_cache = sorted(b.pk for b in bureaus if b is not None)
    return user._bureaus_cache


def bureau_contacts(bureau: Unit | None) -> QuerySet[Contact]:
    """A bureau's outside contacts; those set up for no bureau count for every one (one-bureau deployments)."""
    contacts = Contact.objects.filter(is_active=True)
    if bureau is None:
        return contacts
    return contacts.filter(Q(bureau=bureau) | Q(bureau=None))
