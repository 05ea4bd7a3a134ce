"""Reads of obligations, reports and notifications, always within incidents_visible_to."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from incidents.models import Incident
from incidents.selectors import BUREAU_WIDE_ROLES, incidents_visible_to, user_unit_ids
from reporting.models import Kind, Notification, Obligation, Outbox, Report
from roles.selectors import user_roles

OPEN = [Obligation.Status.PENDING, Obligation.Status.OVERDUE]


def obligations_visible_to(user) -> QuerySet[Obligation]:
    return Obligation.objects.filter(incident__in=incidents_visible_to(user)).select_related(
        "incident", "owner_unit", "report"
    )


def obligations_tracked_by(user) -> QuerySet[Obligation]:
    """What the user keeps track of: the obligations of the incidents they see and, for the
    bureau-wide roles, the first-report clocks of stations' unsent drafts (rule 2), whose pages
    show the reference, station and times only, never the draft's text."""
    visible = Q(incident__in=incidents_visible_to(user))
    if user_roles(user) & BUREAU_WIDE_ROLES:
        visible |= Q(incident__status=Incident.Status.DRAFT, kind=Kind.FIRST_REPORT)
    return Obligation.objects.filter(visible).select_related("incident__station", "owner_unit", "report")


def overdue_board(user, *, unit=None, kind=None, level=None, incident=None) -> QuerySet[Obligation]:
    """Every open obligation the user tracks, most urgent (earliest due) first."""
    rows = obligations_tracked_by(user).filter(status__in=OPEN)
    if unit:
        rows = rows.filter(owner_unit__code=unit)
    if kind:
        rows = rows.filter(kind=kind)
    if level:
        rows = rows.filter(incident__level=level)
    if incident:
        rows = rows.filter(incident_id=incident)
    return rows.order_by("due_at", "pk")


def board_counts(rows: QuerySet[Obligation], *, now) -> dict:
    """How many of `rows` (open obligations, e.g. the board's, filtered) are in each status and due
    window, in one aggregate query: {"total", "pending", "overdue", "due_past", "due_1h", "due_24h",
    "due_later"}.
    "past" counts what is late by the server's clock (`now`, aware), whether the sweep marked it or not;
    the windows are those of reporting.filters.DUE_WINDOWS (1h and 24h: due after now, within that)."""
    from reporting.filters import DUE_WINDOWS, due_window

    windows = {f"due_{name}": Count("pk", filter=due_window(name, now)) for name in DUE_WINDOWS}
    return rows.order_by().aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(status=Obligation.Status.PENDING)),
        overdue=Count("pk", filter=Q(status=Obligation.Status.OVERDUE)),
        **windows,
    )


def obligations_owed_by(user) -> QuerySet[Obligation]:
    """The open deadlines the user's own units owe, most urgent first: for each home page."""
    owed = obligations_visible_to(user).filter(status__in=OPEN, owner_unit__in=user_unit_ids(user))
    return owed.order_by("due_at", "pk")


def reports_of(user, incident) -> QuerySet[Report]:
    return Report.objects.filter(incident=incident, incident__in=incidents_visible_to(user)).select_related(
        "author", "unit", "corrects"
    ).prefetch_related("recipients")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at=None).count()


def judged_late() -> Q:
    """Fulfilled late, judged from discovery where the office accepted it as the start (rule 1)."""
    by_occurrence = Q(discovery_accepted_reason="", late_by_seconds__isnull=False)
    by_discovery = ~Q(discovery_accepted_reason="") & Q(late_from_discovery_seconds__isnull=False)
    return Q(status=Obligation.Status.FULFILLED) & (by_occurrence | by_discovery)


def missed(now) -> Q:
    """Never fulfilled, and past the deadline: still open, or waived after it (rule 10)."""
    return (Q(status=Obligation.Status.OVERDUE) | Q(status=Obligation.Status.WAIVED, overdue_at__isnull=False)
            | Q(status=Obligation.Status.PENDING, due_at__lte=now))


def accountability(user, *, start, end, now=None):
    """The accountability record (五(三)): per owner unit, the obligations due in [start, end) (aware
    datetimes): on time, late, missed, not yet due, and those waived before their deadline (which
    alone leave the counts: `total` excludes them); then the late and missed rows themselves, a
    miss later waived or overtaken shown with the waiver's reason and who gave it.

    Returns (list of dicts, QuerySet[Obligation])."""
    now = now or timezone.now()
    rows = obligations_tracked_by(user).filter(due_at__gte=start, due_at__lt=end)
    excused = Q(status=Obligation.Status.WAIVED, overdue_at__isnull=True)
    summary = (
        rows.values("owner_unit__code", "owner_unit__name", "owner_unit__name_en")
        .annotate(
            total=Count("pk", filter=~excused),
            on_time=Count("pk", filter=Q(status=Obligation.Status.FULFILLED) & ~judged_late()),
            late=Count("pk", filter=judged_late()),
            missed=Count("pk", filter=missed(now)),
            missed_then_waived=Count("pk", filter=Q(status=Obligation.Status.WAIVED, overdue_at__isnull=False)),
            waived=Count("pk", filter=excused),
            pending=Count("pk", filter=Q(status=Obligation.Status.PENDING, due_at__gt=now)),
        )
        .order_by("owner_unit__kind", "owner_unit__number", "owner_unit__code")
    )
    failures = rows.filter(missed(now) | judged_late()).select_related("waived_by").order_by("owner_unit__code", "due_at", "pk")
    return list(summary), failures


def undelivered_messages(user, *, limit: int = 50) -> list[Outbox]:
    """For the office only (empty for anyone else): outbox messages not delivered and failing — given
    up after the last attempt, of unknown outcome, or failed at least once and waiting to retry —
    newest first, each with `recipient_label` (a person's name, an address, or only the robot's host:
    a robot URL carries its secret key, which no page shows)."""
    from urllib.parse import urlsplit

    from django.db.models import Q

    from roles.models import User
    from roles.permissions import Role
    from roles.selectors import user_roles

    if Role.OFFICE_STAFF not in user_roles(user):
        return []
    rows = list(
        Outbox.objects.filter(sent_at=None)
        .filter(Q(state__in=[Outbox.State.FAILED, Outbox.State.UNCERTAIN]) | Q(attempts__gt=0) & ~Q(last_error=""))
        .select_related("obligation__incident", "obligation__owner_unit")
        .order_by("-created_at", "-pk")[:limit]
    )
    people = User.objects.in_bulk([int(row.recipient) for row in rows
                                   if row.channel == Outbox.Channel.IN_APP and row.recipient.isdigit()])
    for row in rows:
        if row.channel == Outbox.Channel.WEBHOOK:
            row.recipient_label = urlsplit(row.recipient).hostname or "?"
        elif row.channel == Outbox.Channel.IN_APP:
            person = people.get(int(row.recipient)) if row.recipient.isdigit() else None
            row.recipient_label = (person.get_full_name() or person.username) if person else row.recipient
        else:
            row.recipient_label = row.recipient
    return rows
