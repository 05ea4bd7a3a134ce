"""Project-wide pages: each role's home, error pages and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse, QueryDict
from django.templatetags.static import static
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from common.lists import capped
from incidents import selectors as incident_selectors
from reporting.numbering import number_obligations
from reporting.selectors import (failed_deliveries, inbox_of, obligations_owed_by, office_bureau_ids,
                                 recipients_without_channel, undelivered_messages, unread_notifications)
from reporting.sweep import heartbeat_is_stale
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
    Role.CITY_STAFF,
    Role.ADMINISTRATOR,
]


def _numbered(owed):
    """The capped deadlines with their 续报 numbers (reporting.numbering), in place."""
    number_obligations(owed.rows)
    return owed


@login_required
def home(request):
    user = request.user
    roles = user_roles(user)
    leading = roles & {Role.LEADING_GROUP_MEMBER, Role.LEADING_GROUP_LEADER, Role.HQ_COMMANDER}
    # What each role must act on now, from the same selectors the lists use (no made-up figures).
    memberships = list(user_memberships(user))
    # Each list shows its first rows (common.lists) and links to the whole list when there are more.
    context = {
        "roles": [role for role in ROLE_ORDER if role in roles],
        "memberships": memberships,
        "inbox": capped(incident_selectors.office_inbox(user)) if Role.OFFICE_STAFF in roles else None,
        "awaiting_decision": capped(incident_selectors.awaiting_decision(user)) if leading else None,
        "active": capped(incident_selectors.active_incidents(user)) if leading or Role.OFFICE_STAFF in roles else None,
        "unverified": capped(incident_selectors.unverified_reports(user)) if leading else None,
        "awaiting_team": capped(incident_selectors.awaiting_team(user)) if leading else None,
        # What the portal told this person and they have not read yet (reporting.notices, deadlines).
        "notices": list(unread_notifications(user)[:10]) if roles else None,
        "station_to_do": capped(incident_selectors.station_to_do(user)) if Role.STATION_STAFF in roles else None,
        "my_measures": capped(incident_selectors.open_measures_of(user)) if roles else None,
        "owed": _numbered(capped(obligations_owed_by(user))) if roles else None,
        "owed_board_query": _own_unit_query(memberships),
        # The city bureau: what its counties reported to it, newest first (read-only).
        "city_reported": capped(incident_selectors.incident_list(user)) if Role.CITY_STAFF in roles else None,
        "undelivered": undelivered_messages(user),  # the office's; empty for everyone else
        # Reports that did not leave, and upward recipients the portal cannot reach (issue 11): the office's.
        "failed_deliveries": list(failed_deliveries(user)[:50]),
        "recipients_without_channel": recipients_without_channel(user),
        "to_sign": inbox_of(user).filter(state="sent").count() if office_bureau_ids(user) else 0,
        "now": timezone.now(),
        # Bureau staff (any role) rely on the sweep's reminders: warn them where they start.
        "stale": heartbeat_is_stale() if roles else False,
        # Who is on duty now (issue 14), for the office and the leading group: the top bar's `on_duty`, larger.
        "show_on_duty": bool(roles & {Role.OFFICE_STAFF, Role.LEADING_GROUP_MEMBER, Role.LEADING_GROUP_LEADER,
                                      Role.HQ_COMMANDER}),
    }
    return render(request, "home.html", context)


def _own_unit_query(memberships) -> str:
    """The board's filter for the deadlines the user's unit owes ("unit=code"), when they belong to
    exactly one unit; empty otherwise (the board then shows all they track)."""
    if len(memberships) != 1:
        return ""
    query = QueryDict(mutable=True)
    query["unit"] = memberships[0].unit.code
    return query.urlencode()


def favicon(request):
    """/favicon.ico, which browsers and tools ask for on their own: a permanent redirect to the
    portal's SVG icon (static/favicon.svg, the same icon base.html links), never a 404."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@never_cache
def healthz(request):
    """For the load balancer and compose: is the database answering? (No personal data.)"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"database": "ok"})
    except Exception:  # any failure means "not healthy"; details go to the log, not the wire
        return JsonResponse({"database": "unavailable"}, status=503)


def _is_api(request) -> bool:
    """Every answer under /api/ is JSON (api.md), also when no API view was reached (e.g. a path
    that matches no route, such as /api/incidents/0.5/)."""
    return request.path.startswith("/api/")


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    if _is_api(request):
        return JsonResponse({"detail": message or _("You do not have permission to do this.")}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return render(request, "500.html", status=500)
