"""The city bureau's dashboard (issue 11): active responses by county and level, and the share of
deadlines met on time by county — counted from what city staff may see: the incidents the counties
reported to the city (incidents_visible_to) and every county's deadlines (obligations_tracked_by,
as on their overdue board and accountability record). Never made-up numbers."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents.models import ROMAN, Incident, Level
from incidents.selectors import incidents_visible_to
from reporting.models import Obligation
from reporting.selectors import judged_late, missed, obligations_tracked_by
from roles.models import Unit
from roles.permissions import Role
from roles.selectors import user_bureau_ids, user_roles

ON_TIME_DAYS = 90


def require_city(user) -> None:
    if not user_roles(user) & {Role.CITY_STAFF, Role.ADMINISTRATOR}:
        raise PermissionDenied(_("The city dashboard is for the city bureau's staff."))


def counties_of(user) -> list[Unit]:
    """The county bureaus under the user's city bureau(s), in the order of their codes (an
    administrator: every bureau with a parent)."""
    counties = Unit.objects.filter(kind=Unit.Kind.BUREAU, parent__isnull=False, is_active=True)
    if Role.ADMINISTRATOR not in user_roles(user):
        counties = counties.filter(parent_id__in=user_bureau_ids(user))
    return list(counties.order_by("code"))


def city_figures(user, now=None) -> dict:
    """{"levels": ["Ⅰ".."Ⅳ"], "days": 90, "counties": [{"code", "name", "active": [n per level],
    "active_total", "on_time", "total", "rate" (percent or None when nothing was due)}]}.
    "active": responses under way that the county reported to the city; "on_time"/"total": of the
    county's deadlines due in the last 90 days and settled or missed, those met on time, judged as
    the accountability record judges them (docs/deadlines.md rules 1 and 10). Four queries."""
    now = now or timezone.now()
    counties = counties_of(user)
    ids = [c.pk for c in counties]
    active = {}
    for row in (incidents_visible_to(user).filter(status=Incident.Status.ACTIVE, station__parent_id__in=ids)
                .values("station__parent_id", "level").annotate(n=Count("pk"))):
        active[(row["station__parent_id"], row["level"])] = row["n"]
    settled = {row["incident__station__parent_id"]: row for row in (
        obligations_tracked_by(user)
        .filter(Q(status=Obligation.Status.FULFILLED) | missed(now), incident__station__parent_id__in=ids,
                due_at__gte=now - timedelta(days=ON_TIME_DAYS), due_at__lte=now)
        .values("incident__station__parent_id")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(status=Obligation.Status.FULFILLED) & ~judged_late()))
        .order_by()
    )}
    rows = []
    for county in counties:
        counts = [active.get((county.pk, level), 0) for level in Level.values]
        record = settled.get(county.pk, {"total": 0, "on_time": 0})
        rows.append({"code": county.code, "name": county.name, "active": counts, "active_total": sum(counts),
                     "on_time": record["on_time"], "total": record["total"],
                     "rate": round(100 * record["on_time"] / record["total"]) if record["total"] else None})
    return {"levels": [ROMAN[level] for level in Level.values], "days": ON_TIME_DAYS, "counties": rows}


class CityFigures(APIView):
    """GET /api/dashboard/city/: the city dashboard's figures (city staff and administrators; 403 for others)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        require_city(request.user)
        return Response(city_figures(request.user))


@login_required
def city_dashboard(request):
    require_city(request.user)
    return render(request, "city_dashboard.html", {"figures": city_figures(request.user)})
