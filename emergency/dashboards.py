"""Dashboards of the leading group and the office: four figures, one endpoint each, all counted
from what the user may see (incidents_visible_to) — never made-up numbers."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
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
from reporting.selectors import obligations_visible_to
from roles.models import Unit
from roles.permissions import Role
from roles.selectors import user_roles

DASHBOARD_ROLES = {Role.OFFICE_STAFF, Role.LEADING_GROUP_MEMBER, Role.ADMINISTRATOR}
MONTHS = 12
ON_TIME_DAYS = 90
# Deadlines of the next 24 hours listed under their chart; the rest are on the overdue board.
DUE_ITEMS = 20


def require_dashboard(user) -> None:
    if not user_roles(user) & DASHBOARD_ROLES:
        raise PermissionDenied(_("The dashboards are for the leading group and the office."))


def active_by_level(user) -> dict:
    counts = dict(
        incidents_visible_to(user).filter(status=Incident.Status.ACTIVE)
        .values_list("level").annotate(n=Count("pk")).values_list("level", "n")
    )
    return {"labels": [ROMAN[level] for level in Level.values], "values": [counts.get(level, 0) for level in Level.values]}


def _months(now, count):
    year, month = now.year, now.month
    months = []
    for _i in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def incidents_by_category_month(user, now=None) -> dict:
    now = timezone.localtime(now or timezone.now())
    months = _months(now, MONTHS)
    since = timezone.make_aware(timezone.datetime(months[0][0], months[0][1], 1))
    rows = (
        incidents_visible_to(user).filter(received_at__gte=since)
        .annotate(month=TruncMonth("received_at"))
        .values("month", "category__code", "category__name", "category__name_en")
        .annotate(n=Count("pk"))
    )
    series = {}
    for row in rows:
        month = timezone.localtime(row["month"]) if timezone.is_aware(row["month"]) else row["month"]
        key = row["category__code"] or "none"
        entry = series.setdefault(key, {"label": row["category__name"] or "—", "data": [0] * len(months)})
        entry["data"][months.index((month.year, month.month))] += row["n"]
    return {"labels": [f"{y}-{m:02d}" for y, m in months], "datasets": [series[k] for k in sorted(series)]}


def on_time_by_unit(user, now=None) -> dict:
    """Of the deadlines due in the last 90 days that are settled or missed, the share met on time, per
    unit, judged as the accountability record judges them (docs/deadlines.md rules 1 and 10)."""
    from reporting.selectors import judged_late, missed

    now = now or timezone.now()
    rows = (
        obligations_visible_to(user)
        .filter(Q(status=Obligation.Status.FULFILLED) | missed(now),
                due_at__gte=now - timedelta(days=ON_TIME_DAYS), due_at__lte=now)
        .values("owner_unit__code", "owner_unit__name", "owner_unit__name_en")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(status=Obligation.Status.FULFILLED) & ~judged_late()))
        .order_by("owner_unit__code")
    )
    rows = list(rows)
    return {
        "labels": [Unit.name_in_language(row["owner_unit__name"], row["owner_unit__name_en"]) for row in rows],
        "values": [round(100 * row["on_time"] / row["total"]) for row in rows],
        "counts": [[row["on_time"], row["total"]] for row in rows],
        "days": ON_TIME_DAYS,
    }


def due_next_24_hours(user, now=None) -> dict:
    """Pending deadlines due within 24 hours of now: {"labels": ["+0h".."+23h"], "values": [count per
    hour], "total": their number, "items": [the DUE_ITEMS most urgent: {..., "due_at": ISO 8601 with
    offset, "due_local": "YYYY-MM-DD HH:MM"}]}. The counts come from one aggregate query and the items
    are capped, so the figure costs the same for ten deadlines or ten thousand (the board lists them all).

    due_local is the bureau's wall-clock time (TIME_ZONE, Asia/Shanghai), formatted here so that a
    browser set to another zone shows the same time as the board instead of converting it."""
    now = now or timezone.now()
    rows = (
        obligations_visible_to(user)
        .filter(status=Obligation.Status.PENDING, due_at__gte=now, due_at__lt=now + timedelta(hours=24))
        .order_by("due_at", "pk")
    )
    hours = rows.order_by().aggregate(**{
        f"h{h}": Count("pk", filter=Q(due_at__gte=now + timedelta(hours=h), due_at__lt=now + timedelta(hours=h + 1)))
        for h in range(24)})
    per_hour = [hours[f"h{h}"] for h in range(24)]
    items = [{"incident": ob.incident_id, "reference": ob.incident.reference if ob.incident_id else "",
              "title": ob.incident.title if ob.incident_id else ob.subject_label, "url": ob.subject_url,
              "kind": ob.get_kind_display(), "unit": ob.owner_unit.display_name, "due_at": ob.due_at.isoformat(),
              "due_local": timezone.localtime(ob.due_at).strftime("%Y-%m-%d %H:%M")}
             for ob in rows[:DUE_ITEMS]]
    return {"labels": [f"+{h}h" for h in range(24)], "values": per_hour, "total": sum(per_hour), "items": items}


class DashboardView(APIView):
    figure = None

    # A figure is a small object of labels and values, its keys per figure (see the functions above);
    # declared so that /api/schema/ lists the four endpoints at all.
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        require_dashboard(request.user)
        return Response(type(self).figure(request.user))


class ActiveByLevel(DashboardView):
    """Responses under way, per level."""
    figure = staticmethod(active_by_level)


class IncidentsByCategoryMonth(DashboardView):
    """Incidents received per category and month, the last 12 months."""
    figure = staticmethod(incidents_by_category_month)


class OnTimeByUnit(DashboardView):
    """Share of reporting deadlines met on time per unit, the last 90 days."""
    figure = staticmethod(on_time_by_unit)


class DueNext24Hours(DashboardView):
    """Open reporting deadlines falling due in the next 24 hours."""
    figure = staticmethod(due_next_24_hours)


@login_required
def dashboard(request):
    require_dashboard(request.user)
    return render(request, "dashboard.html")
