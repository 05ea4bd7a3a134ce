"""Reads of incidents. `incidents_visible_to` is the one place that decides who sees what:
every list, page, API view and download goes through it, and what it leaves out is a 404."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from common.filters import parse_id
from incidents.models import Incident, IncidentGroupObjectPermission, Measure
from roles.models import Membership, Unit
from roles.permissions import Role
from roles.selectors import user_bureau_ids, user_roles

# Roles that oversee the whole bureau: they see every incident once it has left a station's drafts.
BUREAU_WIDE_ROLES = {
    Role.OFFICE_STAFF,
    Role.LEADING_GROUP_MEMBER,
    Role.LEADING_GROUP_LEADER,
    Role.HQ_COMMANDER,
    Role.ADMINISTRATOR,
}
PRIVATE_STATUSES = [Incident.Status.DRAFT]


def user_unit_ids(user, kind: str | None = None) -> QuerySet:
    memberships = Membership.objects.filter(user=user, unit__is_active=True)
    if kind:
        memberships = memberships.filter(unit__kind=kind)
    return memberships.values("unit_id")


def incidents_visible_to(user) -> QuerySet[Incident]:
    """The one answer to who sees which incident; what it leaves out is a 404. Each clause is one
    kind of access, OR-ed: a station's own; the bureau-wide roles' own bureau (never another
    county's); the HQ's units (object permission); a city bureau's counties' reports to it."""
    if not user.is_authenticated:
        return Incident.objects.none()
    roles = user_roles(user)
    own_station = Q(station__in=user_unit_ids(user, Unit.Kind.STATION))
    city = reported_to_city(user) if Role.CITY_STAFF in roles else Q(pk__in=[])
    if Role.ADMINISTRATOR in roles:
        return Incident.objects.filter(~Q(status__in=PRIVATE_STATUSES) | own_station)
    if roles & BUREAU_WIDE_ROLES:
        return Incident.objects.filter(own_bureau(user) | own_station | city)
    # Everyone else: their own station's incidents, and those their unit was given as a member
    # of the command HQ (object permission granted to the unit's group).
    granted = IncidentGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), group__user=user, permission__codename="view_incident"
    )
    return Incident.objects.filter(own_station | Q(Exists(granted)) | city)


def own_bureau(user) -> Q:
    """The bureau-wide roles (office, leading group): every incident of their own bureau's stations
    once it has left the station's drafts. County bureaus never see each other's."""
    return Q(station__parent_id__in=user_bureau_ids(user)) & ~Q(status__in=PRIVATE_STATUSES)


def reported_to_city(user) -> Q:
    """City bureau staff (issue 11): read-only, the incidents a county reported to their bureau — a
    report addressed to a contact whose portal_unit is the city bureau (reports are reporting's, named
    here by their relation only: this app imports nothing above it)."""
    bureaus = user_bureau_ids(user)
    reported = Incident.objects.filter(reports__recipients__portal_unit_id__in=bureaus).values("pk")
    return Q(pk__in=reported) & ~Q(status__in=PRIVATE_STATUSES)


def incident_list(user, *, filters: dict | None = None) -> QuerySet[Incident]:
    """The list: a constant number of queries whatever the number of rows."""
    return (
        incidents_visible_to(user)
        .filter(**(filters or {}))
        .select_related("category", "station")
        .order_by("-created_at", "-pk")
    )


def incident_search(queryset: QuerySet[Incident], text: str) -> QuerySet[Incident]:
    text = text.strip()
    if not text:
        return queryset
    query = Q(title__icontains=text) | Q(location__icontains=text) | Q(description__icontains=text) | Q(
        nature__icontains=text
    )
    # A number or a reference such as 2026-00012 also finds the incident by id.
    number = parse_id(text) or (parse_id(text.rsplit("-", 1)[-1]) if "-" in text else None)
    if number is not None:
        query |= Q(pk=number)
    return queryset.filter(query)


def office_inbox(user) -> QuerySet[Incident]:
    """New first reports, most urgent first: the highest proposed level, then the oldest."""
    return (
        incidents_visible_to(user)
        .filter(status__in=[Incident.Status.SUBMITTED, Incident.Status.AWAITING_REPORT])
        .select_related("category", "station")
        .order_by("proposed_level", "received_at", "pk")
    )


def awaiting_decision(user) -> QuerySet[Incident]:
    return (
        incidents_visible_to(user)
        .filter(status=Incident.Status.VERIFIED)
        .select_related("category", "station")
        .order_by("proposed_level", "received_at")
    )


def active_incidents(user) -> QuerySet[Incident]:
    return (
        incidents_visible_to(user)
        .filter(status=Incident.Status.ACTIVE)
        .select_related("category", "station")
        .order_by("level", "received_at")
    )


def station_to_do(user) -> QuerySet[Incident]:
    """What a station must act on: drafts, incidents the office assigned, and those sent back."""
    return (
        Incident.objects.filter(
            station__in=user_unit_ids(user, Unit.Kind.STATION),
            status__in=[Incident.Status.DRAFT, Incident.Status.AWAITING_REPORT, Incident.Status.RETURNED],
        )
        .select_related("category", "station")
        .order_by("status", "-created_at")
    )


def open_measures_of(user) -> QuerySet[Measure]:
    """Open measures owned by the user's units, in incidents under way."""
    return (
        Measure.objects.filter(
            owner_unit__in=user_unit_ids(user),
            status=Measure.Status.OPEN,
            incident__status=Incident.Status.ACTIVE,
        )
        .select_related("incident", "owner_unit")
        .order_by("due_at", "pk")
    )


def incident_timeline(incident: Incident):
    return incident.events.select_related("actor", "delegation__acting").prefetch_related("attachments")
