"""What the services of alerts share: who is the office of a bureau, the bureau's units by number."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from roles.models import Unit, User


def office_of(user: User, bureau: Unit) -> bool:
    """The user staffs the office of `bureau` (its leading group office or the section housing it)."""
    from reporting.selectors import office_bureau_ids

    return bureau.pk in office_bureau_ids(user)


def require_office(user: User, bureau: Unit) -> None:
    """PermissionDenied (403) unless the user staffs the office (办公室/应急管理科) of `bureau`."""
    if not office_of(user, bureau):
        raise PermissionDenied(_("Only the office (办公室/应急管理科) of %(bureau)s may do this.")
                               % {"bureau": bureau.display_name})


def section_numbered(bureau: Unit, number: int) -> Unit | None:
    """The active section of `bureau` with this number in the plan (二(二)1), or None."""
    return Unit.objects.filter(parent=bureau, kind=Unit.Kind.SECTION, number=number, is_active=True).order_by("pk").first()
