"""Reads of obligations, reports and notifications, always within incidents_visible_to."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from incidents.models import Incident
from incidents.selectors import BUREAU_WIDE_ROLES, incidents_visible_to, user_unit_ids, visible_incident_ids
from reporting.models import Kind, Notification, Obligation, Outbox, Report, ReportDelivery
from reporting.numbering import report_label
from reporting.subjects import subject_prefetch
from roles.models import Contact, Membership, Unit, User
from roles.permissions import Role
from roles.selectors import user_bureau_ids, user_roles

OPEN = [Obligation.Status.PENDING, Obligation.Status.OVERDUE]


def obligations_visible_to(user) -> QuerySet[Obligation]:
    """The obligations of the incidents the user sees, and those owed about other subjects
    (reporting.subjects) that `unit_obligations` opens to them (the two `obligation_visibility`)."""
    of_incidents, of_other_subjects = obligation_visibility(user)
    return Obligation.objects.filter(of_incidents | of_other_subjects).select_related(
        "incident", "owner_unit", "report").prefetch_related(*subject_prefetch())


def obligation_visibility(user) -> list[Q]:
    """Who sees an obligation, as two disjoint conditions whose OR is the whole: the obligations of
    the incidents the user sees (`incident_id IN (…)`, by the index obligation_unique_sequence), and
    `unit_obligations` (incident null). Counting each apart is an index scan; counting their OR reads
    the whole table (issue 13: 9 ms against 137 ms for the office's 33,000 of 1,000,000), so a
    list's page count sums them (reporting.api.ObligationViewSet)."""
    return [Q(incident__in=visible_incident_ids(user)), unit_obligations(user)]


def in_bureaus(bureau_ids, path: str = "owner_unit") -> Q:
    """`path` (a unit) is one of the bureaus, or sits under one (a bureau's office, sections,
    leading group and stations are its children; a few sit one level lower)."""
    return (Q(**{f"{path}_id__in": bureau_ids}) | Q(**{f"{path}__parent_id__in": bureau_ids})
            | Q(**{f"{path}__parent__parent_id__in": bureau_ids}))


def unit_obligations(user) -> Q:
    """Obligations owed about something other than an incident (a duty shift, a resource's check, a
    drill's rectification …): seen by the owner unit's members, by the bureau-wide roles (office,
    leading group, commander) of the owner unit's bureau — county bureaus never see each other's —
    by administrators, and read-only by a city bureau's staff for its counties."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    roles = user_roles(user)
    if Role.ADMINISTRATOR in roles:
        return Q(incident__isnull=True)
    seen = Q(owner_unit_id__in=user_unit_ids(user))
    if roles & BUREAU_WIDE_ROLES:
        seen |= in_bureaus(user_bureau_ids(user))
    if Role.CITY_STAFF in roles:
        counties = Unit.objects.filter(parent_id__in=user_bureau_ids(user), kind=Unit.Kind.BUREAU).values("pk")
        seen |= in_bureaus(counties)
    return Q(incident__isnull=True) & seen


def obligations_tracked_by(user) -> QuerySet[Obligation]:
    """What the user keeps track of: the obligations of the incidents they see and, for the
    bureau-wide roles, the first-report clocks of stations' unsent drafts (rule 2), whose pages
    show the reference, station and times only, never the draft's text."""
    visible, of_other_subjects = obligation_visibility(user)
    roles = user_roles(user)
    drafts = Q(incident__status=Incident.Status.DRAFT, kind=Kind.FIRST_REPORT)
    if Role.ADMINISTRATOR in roles:
        visible |= drafts
    elif roles & BUREAU_WIDE_ROLES:
        visible |= drafts & Q(incident__station__parent_id__in=user_bureau_ids(user))  # their own county's drafts
    if Role.CITY_STAFF in roles:
        visible |= counties_obligations(user)
    visible |= of_other_subjects
    return Obligation.objects.filter(visible).select_related("incident__station", "owner_unit", "report").prefetch_related(
        *subject_prefetch())


def counties_obligations(user) -> Q:
    """A city bureau's staff track every deadline of the county bureaus under their bureau (the
    counties' overdue boards and accountability records, issue 11), drafts' first-report clocks
    included: pages show a draft's reference, station and times only. Read-only: obligations are
    changed by services, which let city staff do nothing but ask for more (催报)."""
    return Q(incident__station__parent__parent_id__in=user_bureau_ids(user))


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
    "due_later", "changes_at"}.
    "past" counts what is late by the server's clock (`now`, aware), whether the sweep marked it or not;
    the windows are those of reporting.filters.DUE_WINDOWS (1h and 24h: due after now, within that).
    "changes_at" (aware, or None) is the first instant after `now` at which a row falls due or enters
    a window, so that the counts change by the clock alone (reporting.board_state)."""
    from reporting.filters import DUE_WINDOWS, due_window

    windows = {f"due_{name}": Count("pk", filter=due_window(name, now)) for name in DUE_WINDOWS}
    # A row due at D falls due at D and enters a window reaching `ahead` seconds forward at D - ahead.
    aheads = sorted({edge for edges in DUE_WINDOWS.values() for edge in edges if edge is not None})
    crossings = {f"next_{ahead}": Min("due_at", filter=Q(due_at__gt=now + timedelta(seconds=ahead))) for ahead in aheads}
    counts = rows.order_by().aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(status=Obligation.Status.PENDING)),
        overdue=Count("pk", filter=Q(status=Obligation.Status.OVERDUE)),
        **windows,
        **crossings,
    )
    changes = [due - timedelta(seconds=ahead) for ahead in aheads if (due := counts.pop(f"next_{ahead}")) is not None]
    counts["changes_at"] = min(changes, default=None)
    return counts


def obligations_owed_by(user) -> QuerySet[Obligation]:
    """The open deadlines the user's own units owe, most urgent first: for each home page."""
    # The unit ids as values (one query): PostgreSQL then reads its statistics for these units and
    # sees the office owes thousands of open rows (a subquery looked like 60, and chose a plan that
    # hashed all incidents).
    units = list(user_unit_ids(user).values_list("unit_id", flat=True))
    owed = obligations_visible_to(user).filter(status__in=OPEN, owner_unit__in=units)
    return owed.order_by("due_at", "pk")


def reports_of(user, incident) -> QuerySet[Report]:
    return Report.objects.filter(incident=incident, incident__in=incidents_visible_to(user)).select_related(
        "author", "unit", "corrects"
    ).prefetch_related("recipients")


def unread_notifications(user) -> QuerySet[Notification]:
    """The person's unread notifications, newest first."""
    return Notification.objects.filter(user=user, read_at=None).order_by("-created_at", "-pk")


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
    newest first, each with `incident` and `recipient_label` (a person's name, an address, or only the robot's host:
    a robot URL carries its secret key, which no page shows)."""
    from urllib.parse import urlsplit

    from django.db.models import Q
    from django.urls import reverse

    from roles.models import User
    from roles.permissions import Role
    from roles.selectors import user_roles

    if Role.OFFICE_STAFF not in user_roles(user):
        return []
    rows = list(
        Outbox.objects.filter(sent_at=None)
        .filter(Q(obligation__incident__station__parent_id__in=user_bureau_ids(user))
                | Q(event__incident__station__parent_id__in=user_bureau_ids(user))
                | Q(delivery__report__incident__station__parent_id__in=user_bureau_ids(user))
                | Q(obligation__incident__isnull=True) & in_bureaus(user_bureau_ids(user), "obligation__owner_unit"))
        .filter(Q(state__in=[Outbox.State.FAILED, Outbox.State.UNCERTAIN]) | Q(attempts__gt=0) & ~Q(last_error=""))
        .select_related("obligation__incident", "obligation__owner_unit", "event__incident", "delivery__report__incident",
                        "delivery__recipient")
        .order_by("-created_at", "-pk")[:limit]
    )
    people = User.objects.in_bulk([int(row.recipient) for row in rows
                                   if row.channel == Outbox.Channel.IN_APP and row.recipient.isdigit()])
    for row in rows:
        # A report sent by email, a notice of a step, or a deadline's message.
        row.incident = (row.delivery.report.incident if row.delivery_id is not None
                        else row.event.incident if row.event_id is not None else row.obligation.incident)
        # The page it is about and its name: the incident's, or another subject's (reporting.subjects).
        if row.incident is not None:
            row.about_url, row.about = reverse("incidents:detail", args=[row.incident.pk]), row.incident.title
        else:
            row.about_url, row.about = row.obligation.subject_url, row.obligation.subject_label
        if row.channel == Outbox.Channel.WEBHOOK:
            row.recipient_label = urlsplit(row.recipient).hostname or "?"
        elif row.channel == Outbox.Channel.IN_APP:
            person = people.get(int(row.recipient)) if row.recipient.isdigit() else None
            row.recipient_label = (person.get_full_name() or person.username) if person else row.recipient
        else:
            row.recipient_label = row.recipient
    return rows


def report_timeline(incident) -> list:
    """Every report of the incident as a timeline entry (registered in reporting.apps into
    incidents.timeline.TIMELINE_SOURCES; the incident page has already checked visibility). Two
    queries (reports with author, unit and corrected report; their recipients)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from incidents.timeline import TimelineEntry, local_time_text

    entries = []
    reports = Report.objects.filter(incident=incident).select_related("author", "unit", "corrects").prefetch_related(
        "recipients").order_by("submitted_at", "pk")
    for report in reports:
        notes = []
        recipients = "、".join(c.display_name for c in report.recipients.all())
        if recipients:
            notes.append(_("to %(recipients)s, by %(channel)s") % {"recipients": recipients, "channel": report.get_channel_display()})
        if report.sent_at and abs((report.sent_at - report.submitted_at).total_seconds()) >= 60:
            notes.append(_("sent at %(time)s") % {"time": local_time_text(report.sent_at)})
        if report.corrects:
            notes.append(_("corrects %(report)s of %(time)s") % {
                "report": report_label(report.corrects), "time": local_time_text(report.corrects.submitted_at)})
        if report.skip_level_reason:
            notes.append(_("reported past the bureau (越级上报), because: %(reason)s") % {"reason": report.skip_level_reason})
        entries.append(TimelineEntry(
            at=report.submitted_at, title=report_label(report), actor=report.author, actor_role=report.unit.display_name,
            message=report.content, message_folded=True, notes=notes, kind=f"report:{report.kind}",
            links=[(_("Download as PDF"), reverse("reporting:report_pdf", args=[report.pk]))],
        ))
    return entries
# ----------------------------------------------------------------------------- deliveries (issue 11)

OFFICE_UNITS = Q(unit__kind=Unit.Kind.LEADING_GROUP_OFFICE) | Q(unit__kind=Unit.Kind.SECTION,
                                                                 unit__hosted_units__kind=Unit.Kind.LEADING_GROUP_OFFICE)


def office_bureau_ids(user) -> set[int]:
    """The bureaus whose office the user staffs, by memberships: the leading group office (its
    leading group's bureau) or the section housing it (its bureau). Empty for anyone else."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_office_bureaus_cache"):
        rows = (Membership.objects.filter(OFFICE_UNITS, user=user, unit__is_active=True)
                .values_list("unit__kind", "unit__parent_id", "unit__parent__parent_id").distinct())
        user._office_bureaus_cache = {grandparent if kind == Unit.Kind.LEADING_GROUP_OFFICE else parent
                                      for kind, parent, grandparent in rows} - {None}
    return user._office_bureaus_cache


def office_users_of(bureau: Unit) -> QuerySet[User]:
    """The people of a bureau's office (its leading group office and the section housing it)."""
    office = Q(memberships__unit__kind=Unit.Kind.LEADING_GROUP_OFFICE, memberships__unit__parent__parent=bureau) | Q(
        memberships__unit__kind=Unit.Kind.SECTION, memberships__unit__parent=bureau,
        memberships__unit__hosted_units__kind=Unit.Kind.LEADING_GROUP_OFFICE)
    return User.objects.filter(office, is_active=True).distinct()


def deliveries_visible_to(user) -> QuerySet[ReportDelivery]:
    """Deliveries of reports on incidents the user sees, and those sent into the inbox of a bureau
    whose office the user staffs (who sees only the report, not the incident)."""
    if not user.is_authenticated:
        return ReportDelivery.objects.none()
    mine = Q(report__incident__in=incidents_visible_to(user))
    bureaus = office_bureau_ids(user)
    if bureaus:
        mine |= Q(channel=ReportDelivery.Channel.PORTAL, recipient__portal_unit__in=bureaus)
    return ReportDelivery.objects.filter(mine).select_related(
        "report__incident", "report__unit", "recipient", "recorded_by", "signed_by")


def inbox_of(user) -> QuerySet[ReportDelivery]:
    """Reports delivered in the portal to the bureaus whose office the user staffs, those to sign for first."""
    return (ReportDelivery.objects.filter(channel=ReportDelivery.Channel.PORTAL,
                                          recipient__portal_unit__in=office_bureau_ids(user))
            .select_related("report__incident", "report__unit__parent", "report__signed_off_by", "recipient", "signed_by")
            .order_by("-state", "-sent_at", "-pk"))  # "sent" before "received"


def unsigned_upward(user, now=None) -> QuerySet[ReportDelivery]:
    """For the overdue board: upward reports sent but not signed for RECEIPT_EXPECTED_MINUTES after
    they left, on incidents the user sees, longest waiting first."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=settings.RECEIPT_EXPECTED_MINUTES)
    return (ReportDelivery.objects.filter(report__incident__in=incidents_visible_to(user),
                                          report__kind=Kind.UPWARD_REPORT, state=ReportDelivery.State.SENT,
                                          sent_at__lte=limit)
            .select_related("report__incident", "recipient").order_by("sent_at", "pk"))


def failed_deliveries(user) -> QuerySet[ReportDelivery]:
    """For the office's home page: reports that did not leave (failed, or bounced: 退信), newest first,
    until the report has left to that recipient by another delivery; empty for anyone else."""
    from django.db.models import Exists, OuterRef

    from roles.permissions import Role

    if Role.OFFICE_STAFF not in user_roles(user):
        return ReportDelivery.objects.none()
    left_since = ReportDelivery.objects.filter(report=OuterRef("report"), recipient=OuterRef("recipient"),
                                               state__in=[ReportDelivery.State.SENT, ReportDelivery.State.RECEIVED])
    return (ReportDelivery.objects.filter(state=ReportDelivery.State.FAILED, report__incident__in=incidents_visible_to(user))
            .exclude(Exists(left_since))
            .select_related("report__incident", "recipient").order_by("-created_at", "-pk"))


def recipients_without_channel(user) -> list[Contact]:
    """For the office's home page: active upward recipients the portal cannot send to by itself (not
    in the portal, no email), each with `no_channel` True when it has no phone or fax either (nothing
    can reach it). Empty for anyone but the office."""
    if Role.OFFICE_STAFF not in user_roles(user):
        return []
    bureaus = user_bureau_ids(user)  # the office's own bureau's recipients (and those set up for no bureau)
    contacts = list(Contact.objects.filter(Q(bureau__in=bureaus) | Q(bureau=None), kind=Contact.Kind.UPWARD,
                                           is_active=True, portal_unit=None, email=""))
    for contact in contacts:
        contact.no_channel = not (contact.phone or contact.fax)
    return contacts
