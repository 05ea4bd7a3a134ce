"""Reads of the inventory. A bureau's resources, reserve points and agreements are seen by the
staff of that bureau only (county bureaus never see each other's); what is outside is a 404."""

from collections import OrderedDict

from django.db.models import F, QuerySet

from resources.models import Dispatch, ReservePoint, Resource, SupplyAgreement
from roles.models import Unit
from roles.selectors import is_bureau_staff, user_bureau_ids


def _bureau_ids(user) -> list[int]:
    if not user.is_authenticated or not is_bureau_staff(user):
        return []
    return user_bureau_ids(user)


def user_bureau(user) -> Unit | None:
    """The bureau a user works in (the first, for the rare person in two), or None (outsiders,
    administrators without a unit)."""
    ids = _bureau_ids(user)
    return Unit.objects.filter(pk=ids[0]).first() if ids else None


def resources_visible_to(user) -> QuerySet[Resource]:
    return Resource.objects.filter(bureau_id__in=_bureau_ids(user))


def reserve_points_visible_to(user) -> QuerySet[ReservePoint]:
    return ReservePoint.objects.filter(bureau_id__in=_bureau_ids(user))


def agreements_visible_to(user) -> QuerySet[SupplyAgreement]:
    return SupplyAgreement.objects.filter(bureau_id__in=_bureau_ids(user))


def resource_list(user, *, filters: dict | None = None) -> QuerySet[Resource]:
    """The inventory list, one query per page whatever the number of rows."""
    return (resources_visible_to(user).filter(**(filters or {}))
            .select_related("owner_unit", "reserve_point").order_by("category", "name", "pk"))


# Items on the readiness view at most; past it the page says so and the category filter narrows it.
READINESS_LIMIT = 300


def ready_resources(user, *, category: str = "", limit: int = READINESS_LIMIT) -> tuple[dict, bool]:
    """The readiness view (三(三)1.6): READY items with something not yet dispatched (of `category`
    when given), grouped as {category label: {reserve point: [resources]}}, in the order of the
    categories; and whether more than `limit` were left out. One query."""
    rows = (resources_visible_to(user).filter(status=Resource.Status.READY, dispatched_quantity__lt=F("quantity"))
            .select_related("reserve_point", "owner_unit").order_by("category", "reserve_point__name", "name", "pk"))
    if category:
        rows = rows.filter(category=category)
    rows = list(rows[:limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    labels = dict(Resource.Category.choices)
    grouped = OrderedDict()
    for resource in rows:
        grouped.setdefault(labels.get(resource.category, resource.category), OrderedDict()).setdefault(
            resource.reserve_point, []).append(resource)
    return grouped, more


def incident_dispatches(incident) -> QuerySet[Dispatch]:
    """What was sent to an incident (the caller has checked the incident is visible), oldest first."""
    return (Dispatch.objects.filter(incident=incident)
            .select_related("resource__reserve_point", "dispatched_by", "returned_by").order_by("dispatched_at", "pk"))
