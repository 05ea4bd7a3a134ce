"""Project-wide pages: each role's home, error pages and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from roles.permissions import Role
from roles.selectors import user_memberships, user_roles

# Order in which a person holding several roles sees them on the home page.
ROLE_ORDER = [
    Role.LEADING_GROUP_LEADER,
    Role.HQ_COMMANDER,
    Role.LEADING_GROUP_MEMBER,
    Role.OFFICE_STAFF,
    Role.SECTION_STAFF,
    Role.STATION_STAFF,
    Role.ADMINISTRATOR,
]


@login_required
def home(request):
    roles = user_roles(request.user)
    return render(
        request,
        "home.html",
        {
            "roles": [role for role in ROLE_ORDER if role in roles],
            "memberships": user_memberships(request.user),
        },
    )


@never_cache
def healthz(request):
    """For the load balancer and compose: is the database answering? (No personal data.)"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"database": "ok"})
    except Exception:  # any failure means "not healthy"; details go to the log, not the wire
        return JsonResponse({"database": "unavailable"}, status=503)


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
