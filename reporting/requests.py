"""催报 / 要求续报 (issue 11): the city bureau above a county asks the county for a report by a deadline.
The request is an event on the incident's timeline and an obligation of the county's office (kind
`requested_report`), reminded, marked overdue, escalated and counted like every deadline; a report of
the county office that reaches the city answers it. docs/deadlines.md rule 16.

The city's staff may do nothing else to a county's incident: they read what was reported to them.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common import limits
from common.text import label, truncate
from common.timebounds import validate_planned
from incidents.models import Incident, IncidentEvent
from incidents.selectors import incidents_visible_to
from incidents.services import InvalidTransition
from incidents.services.base import _event, _locked
from reporting.clock import due_after, rule_limit
from reporting.delivery import notify
from reporting.models import Kind, Notification, Obligation, Report
from reporting import obligations as rules
from roles.models import Contact, User
from roles.permissions import Role
from roles.selectors import office_section, user_bureau_ids, user_roles

# A county may be asked for more from its first report until the incident is closed.
REQUESTABLE = [Incident.Status.SUBMITTED, Incident.Status.RETURNED, Incident.Status.VERIFIED, Incident.Status.ACTIVE,
               Incident.Status.DECLINED, Incident.Status.ENDED]


def asking_city(actor: User, incident: Incident) -> int:
    """The city bureau (unit id) on whose behalf `actor` asks: one of theirs to which the incident's
    county reports (its upward contact's portal_unit). PermissionDenied (403) naming who may."""
    county_contacts = Contact.objects.filter(bureau=incident.station.parent_id, portal_unit__isnull=False,
                                             is_active=True).values_list("portal_unit_id", flat=True)
    cities = set(county_contacts) & set(user_bureau_ids(actor)) if Role.CITY_STAFF in user_roles(actor) else set()
    if not cities:
        raise PermissionDenied(_("Only the city bureau the county reports to may ask it for a report (催报)."))
    return min(cities)


def check_report_request(actor: User, incident: Incident) -> int:
    """Who may ask now: 403 first, then the state (409). Returns the asking city's unit id."""
    city = asking_city(actor, incident)
    if incident.status not in REQUESTABLE:
        raise InvalidTransition(_("A report cannot be asked for while the incident is “%(status)s”.")
                                % {"status": incident.get_status_display()})
    return city


def may_request(actor: User, incident: Incident) -> bool:
    try:
        check_report_request(actor, incident)
    except (PermissionDenied, InvalidTransition):
        return False
    return True


def default_due(incident: Incident, at: datetime.datetime) -> datetime.datetime | None:
    """The deadline when the city names none: the rule for the incident's level (policy table)."""
    minutes, days = rule_limit(Kind.REQUESTED_REPORT, rules.effective_level(incident))
    return due_after(at, minutes=minutes, days=days) if (minutes or days) else None


@transaction.atomic
def report_request(*, actor: User, incident: Incident, message: str,
                   due_at: datetime.datetime | None = None) -> Obligation:
    """The city bureau asks the county for a report (催报/要求续报) by `due_at` (aware datetime; None:
    the requested-report rule's limit from now). One transaction: the timeline event, the county
    office's obligation, its staff told at once. Raises PermissionDenied (403: not the city the county
    reports to), InvalidTransition (409: closed or merged), ValidationError (400: no message, a
    deadline not in the future or beyond the calendar window). Plan 三(二)2-2, 三(二)3; rule 16."""
    if not incidents_visible_to(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied(_("You may not see this incident."))
    incident = _locked(incident)
    city = check_report_request(actor, incident)
    message = (message or "").strip()
    errors = {}
    if not message:
        errors["message"] = _("Say what the county should report.")
    elif len(message) > limits.REASON:
        errors["message"] = _("Keep it to at most %(limit)s characters.") % {"limit": limits.REASON}
    now = timezone.now()
    if due_at is None:
        due_at = default_due(incident, now)
    try:
        validate_planned(due_at)
    except ValidationError as exc:
        errors["due_at"] = exc.messages
    else:
        if due_at is None or due_at <= now:
            errors["due_at"] = _("Give a deadline in the future.")
    if errors:
        raise ValidationError(errors)
    event = _event(incident, IncidentEvent.Kind.REPORT_REQUESTED, actor, message=message,
                   data={"city": city, "due_at": due_at.astimezone(datetime.timezone.utc).isoformat()})
    obligation = Obligation.objects.filter(incident=incident, kind=Kind.REQUESTED_REPORT).order_by("-sequence").first()
    _tell_the_county(incident, event)
    return obligation


def report_requested_event(event: IncidentEvent) -> None:
    """The handler of REPORT_REQUESTED (registered in reporting.apps): the county office's obligation,
    due when the city said (event.data["due_at"], ISO 8601 UTC)."""
    incident = event.incident
    rules.create(incident, Kind.REQUESTED_REPORT, rules.office_of(incident), event.at,
                 level=rules.effective_level(incident), due_at=datetime.datetime.fromisoformat(event.data["due_at"]))


def requested_fulfil(report: Report, at) -> None:
    """A report of the county office that reaches a city bureau which asked (a recipient whose
    portal_unit is that city) answers every request still open on the incident (rule 16)."""
    cities = {c.portal_unit_id for c in report.recipients.all() if c.portal_unit_id}
    if not cities:
        return
    asked = IncidentEvent.objects.filter(incident=report.incident, kind=IncidentEvent.Kind.REPORT_REQUESTED)
    if not any(event.data.get("city") in cities for event in asked):
        return
    for obligation in rules.open_obligations(report.incident, Kind.REQUESTED_REPORT).filter(owner_unit=report.unit):
        rules.fulfil(obligation, report, at)


def _tell_the_county(incident: Incident, event: IncidentEvent) -> None:
    office = office_section(incident.station.bureau())
    if office is None:
        return
    staff = User.objects.filter(memberships__unit__in=[office, *office.hosted_units.all()], is_active=True).distinct()
    due = timezone.localtime(datetime.datetime.fromisoformat(event.data["due_at"])).strftime("%Y-%m-%d %H:%M")
    with translation.override(settings.LANGUAGE_CODE):  # the portal's language, as for deadline messages
        title = label(_("The city bureau asks for a report on %(incident)s by %(due)s (催报)"),
                      {"incident": f"{incident.reference} {incident.title}", "due": due},
                      limit=Notification._meta.get_field("title").max_length, shrink="incident")
    notify(staff, step="report_requested", title=title, body=truncate(event.message, 300), incident=incident)
