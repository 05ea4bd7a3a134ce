"""Reads of incidents. `incidents_visible_to` is the one place that decides who sees what:
every list, page, API view and download goes through it, and what it leaves out is a 404."""

from django.db.models import Q, QuerySet

from common.filters import parse_id
from incidents.models import Incident, IncidentGroupObjectPermission, Measure
from incidents.timeline import MergedTimeline, merged_timeline
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
    """The ids of the user's active units (of `kind` when given), as a subquery (one
    `SELECT unit_id` on the membership table's (user, unit) unique index), never evaluated here."""
    memberships = Membership.objects.filter(user=user, unit__is_active=True)
    if kind:
        memberships = memberships.filter(unit__kind=kind)
    return memberships.values("unit_id")


# ---------------------------------------------------------------- kinds of access
# Each returns the ids of the incidents one kind of access opens, as a query PostgreSQL answers
# from an index (issue 13: an OR across two tables made it scan and misestimate every incident).
# A new kind of access (e.g. a city bureau seeing its counties' reported incidents) is one more
# function here and one more entry in `access_clauses` (reported_to_city, below).


def own_stations_incidents(user) -> QuerySet:
    """Incidents of the stations the user belongs to, drafts included (index incident.station_id)."""
    return Incident.objects.filter(station__in=user_unit_ids(user, Unit.Kind.STATION)).order_by().values("pk")


def granted_incidents(user) -> QuerySet:
    """Incidents granted to the user's unit groups as HQ members or measure owners
    (incidents.services.base._grant_view): guardian's direct table, by its (group, …) unique index."""
    return IncidentGroupObjectPermission.objects.filter(
        group__user=user, permission__codename="view_incident", permission__content_type__app_label="incidents"
    ).order_by().values("content_object_id")


def bureau_incidents(user) -> QuerySet:
    """Incidents of the stations of the user's bureaus, out of the drafts: what the bureau-wide roles
    oversee (index incident.station_id; the stations as a subquery on roles_unit, so PostgreSQL
    estimates a few thousand incidents instead of hashing all of them)."""
    stations = Unit.objects.filter(parent_id__in=user_bureau_ids(user), kind=Unit.Kind.STATION).values("pk")
    return Incident.objects.filter(station__in=stations).exclude(status__in=PRIVATE_STATUSES).order_by().values("pk")


def access_clauses(user) -> list[QuerySet]:
    """The kinds of access a user holds, each a query of incident ids (see above). The bureau-wide
    roles' grants add nothing to their bureau's incidents (no draft has an HQ, an HQ is its own
    bureau's), and the office, lead section of every HQ, holds tens of thousands of them: they stay out."""
    roles = user_roles(user)
    if roles & BUREAU_WIDE_ROLES:
        return [own_stations_incidents(user), bureau_incidents(user)]
    clauses = [own_stations_incidents(user), granted_incidents(user)]
    if Role.CITY_STAFF in roles:
        clauses.append(reported_to_city(user))
    return clauses


def visible_incident_ids(user) -> QuerySet:
    """The ids of the incidents the user may see, as a subquery (`SELECT id … UNION …`, never
    evaluated here): for `incident__in=` on the tables that hang off incidents (obligations,
    reports …), which PostgreSQL then reads by their incident_id index (issue 13: joining each row's
    incident instead hashed all 100,000 incidents, and made /api/obligations/ read the whole table).

    - Administrators: every incident out of a station's drafts, and their own stations' drafts.
    - The bureau-wide roles (office, leading group, HQ commander): every incident of their own
      bureau's stations out of the drafts (county bureaus never see each other's), and their own
      stations' drafts.
    - Everyone else: their kinds of access: own stations, HQ grants, and for city staff what the
      counties reported to them.
    Anonymous: nothing."""
    if not user.is_authenticated:
        return Incident.objects.none().values("pk")
    if Role.ADMINISTRATOR in user_roles(user):
        return Incident.objects.filter(_administrator_visibility(user)).order_by().values("pk")
    first, *others = access_clauses(user)
    return first.union(*others) if others else first


def incidents_visible_to(user) -> QuerySet[Incident]:
    """What the user may see, as a queryset of incidents (see `visible_incident_ids`). Anonymous: nothing."""
    if not user.is_authenticated:
        return Incident.objects.none()
    return Incident.objects.filter(incident_visibility(user))


def incident_visibility(user) -> Q:
    """The condition "the user may see this incident", as a Q on Incident (see `visible_incident_ids`):
    `id IN (… UNION …)`, a small set looked up by index; for administrators, who see nearly every
    incident, a condition on the row itself (no hash of 100,000 ids). Anonymous: matches nothing."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if Role.ADMINISTRATOR in user_roles(user):
        return _administrator_visibility(user)
    return Q(pk__in=visible_incident_ids(user))


def _administrator_visibility(user) -> Q:
    return ~Q(status__in=PRIVATE_STATUSES) | Q(pk__in=own_stations_incidents(user))


def reported_to_city(user) -> QuerySet:
    """City bureau staff (issue 11): read-only, the incidents a county reported to their bureau — a
    report addressed to a contact whose portal_unit is the city bureau (reports are reporting's, named
    here by their relation only: this app imports nothing above it). Ids, out of the drafts."""
    return (Incident.objects.filter(reports__recipients__portal_unit_id__in=user_bureau_ids(user))
            .exclude(status__in=PRIVATE_STATUSES).order_by().values("pk"))


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


def unverified_reports(user) -> QuerySet[Incident]:
    """Reports the office has not yet verified (new, or returned to the station), most severe first:
    what the leading group sees before any escalation reaches it."""
    return (
        incidents_visible_to(user)
        .filter(status__in=[Incident.Status.SUBMITTED, Incident.Status.RETURNED])
        .select_related("category", "station")
        .order_by("proposed_level", "received_at", "pk")
    )


def awaiting_team(user) -> QuerySet[Incident]:
    """Ended emergencies whose investigation team is not yet named (五(二)): the leading group's to do."""
    return (
        incidents_visible_to(user)
        .filter(status=Incident.Status.ENDED, investigation__isnull=True)
        .select_related("category", "station")
        .order_by("updated_at", "pk")
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


def incident_events(incident: Incident):
    """The incident's events, oldest first, with actor, delegation and attachments: the API's
    timeline (api.md: one row per event, ids and raw data, as stored)."""
    return incident.events.select_related("actor", "delegation__acting").prefetch_related("attachments")


def incident_timeline(incident: Incident) -> "MergedTimeline":
    """The incident's record, oldest first: its events, and every report filed on it (首报, 上报, 续报,
    the station's progress reports, 终报, after-action; added by reporting through
    incidents.timeline.TIMELINE_SOURCES), as incidents.timeline.TimelineEntry in the reader's language.

    Reports are merged here rather than copied into events: the Report row is the record of what was
    sent (immutable), so the timeline cannot disagree with it, and incidents filed before this showed
    reports have theirs on the timeline without a data migration. The caller has already checked
    that the user sees the incident (incidents_visible_to); everyone who sees it sees its reports.
    Queries: a fixed number, whatever the number of events and reports."""
    # Attachments are read for the page of events shown only (timeline.event_entries): prefetched for
    # all 500 events of a long response, Django built a queryset per event (45 ms).
    return merged_timeline(incident, incident.events.select_related("actor", "delegation__acting"))
