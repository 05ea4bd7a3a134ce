"""Submitting reports and waiving obligations. A report fulfils the open obligation of its kind
owed by its unit; a late one is fulfilled and recorded as late, never quietly excused.
docs/deadlines.md is the rule book."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common import limits
from common.messages import define, stored
from common.text import truncate
from incidents.models import Incident
from incidents.selectors import incidents_visible_to
from incidents.services import InvalidTransition, incident_close, is_office, leading_group_decider
from reporting import delivery, sending
from reporting import obligations as rules
from reporting.delivery import notify
from reporting.docnumbers import document_number_assign
from reporting.requests import requested_fulfil
from reporting.models import REPORT_FACTS, Kind, Notification, Obligation, Outbox, Report
from roles.models import Contact, Membership, Unit, User
from roles.permissions import Role
from roles.selectors import bureau_contacts, office_section, user_bureau_ids, user_roles

# Who writes which report (plan 三(二)): the bureau's office reports upward, reports progress and
# the final written report; the first report is the station's filing itself (incidents.services).
REPORT_STATUSES = {
    Kind.UPWARD_REPORT: [Incident.Status.SUBMITTED, Incident.Status.RETURNED, Incident.Status.VERIFIED,
                         Incident.Status.ACTIVE, Incident.Status.DECLINED],
    Kind.PROGRESS_REPORT: [Incident.Status.ACTIVE],
    Kind.FINAL_REPORT: [Incident.Status.ENDED, Incident.Status.CLOSED],
    Kind.AFTER_ACTION_REPORT: [Incident.Status.ENDED, Incident.Status.CLOSED],
}
# The incident's own station also reports how the work goes, upward to the bureau, while the
# response is under way (plan 三(二): 各市场监督管理所……应在第一时间将工作进展情况逐级向上汇报).
# Its report is the station's own: numbered among the station's, it leaves the office's 续报 owed.
STATION_KINDS = {Kind.PROGRESS_REPORT}
# In special cases the station may report past the bureau (越级上报, 三(二)2-1), stating why.
STATION_SKIP_LEVEL_KINDS = {Kind.UPWARD_REPORT}
# A report that must state the facts of 三(二)3 (the first report states them as the incident's fields).
FACT_KINDS = {Kind.UPWARD_REPORT}


def report_unit(actor: User, incident: Incident, kind: str, *, skip_level: bool = False) -> Unit:
    """The unit a report by this person is written for: the office's section, or the incident's station."""
    if is_office(actor) and not skip_level:
        return office_section(incident.station.bureau())  # the office of the incident's own county
    station_kinds = STATION_KINDS | (STATION_SKIP_LEVEL_KINDS if skip_level else set())
    if kind in station_kinds and Membership.objects.filter(user=actor, unit_id=incident.station_id).exists():
        return incident.station
    raise PermissionDenied(_(
        "Reports to the county government and the city bureau are written by the office; "
        "the staff of the incident's station may report progress while the response is under way."))


def check_report(actor: User, incident: Incident, kind: str, *, skip_level: bool = False) -> Unit:
    """Who may write this report now (403 first, then the state, 409); returns the unit it is written for."""
    if kind == Kind.FIRST_REPORT:
        raise ValidationError({"kind": _("The first report is made by submitting the incident itself.")})
    if kind not in REPORT_STATUSES:
        raise ValidationError({"kind": _("Unknown kind of report.")})
    unit = report_unit(actor, incident, kind, skip_level=skip_level)
    if incident.status not in REPORT_STATUSES[kind]:
        raise InvalidTransition(
            _("This report cannot be made while the incident is “%(status)s”.") % {"status": incident.get_status_display()}
        )
    return unit


def may_report(actor: User, incident: Incident, kind: str, *, skip_level: bool = False) -> bool:
    """For pages: whether to offer the form (report_submit checks again)."""
    try:
        check_report(actor, incident, kind, skip_level=skip_level)
    except (PermissionDenied, InvalidTransition, ValidationError):
        return False
    return True


def check_facts(kind: str, facts: dict | None) -> dict:
    """The facts a report must state (三(二)3: time, place, source, nature, scope of impact, trend,
    measures taken), stripped. ValidationError naming each missing one (keys of REPORT_FACTS)."""
    facts = {key: str((facts or {}).get(key) or "").strip() for key, _label in REPORT_FACTS}
    if kind in FACT_KINDS:
        missing = {key: _("The plan requires the report to state this (三(二)3).") for key, value in facts.items() if not value}
        if missing:
            raise ValidationError(missing)
    return {key: value for key, value in facts.items() if value}


def upward_recipients(incident: Incident):
    """The active upward recipients of the incident's own bureau (its county government, its city bureau)."""
    return bureau_contacts(incident.station.bureau()).filter(kind=Contact.Kind.UPWARD)


def upward_complete(recipients, incident: Incident | None = None) -> bool:
    """Rule 4: an upward report goes to the county government AND the city bureau (every active
    upward recipient of the incident's bureau); one that misses either does not fulfil the obligation."""
    required = set((upward_recipients(incident) if incident is not None
                    else Contact.objects.filter(kind=Contact.Kind.UPWARD, is_active=True)).values_list("pk", flat=True))
    return bool(required) and required <= {contact.pk for contact in recipients}


@transaction.atomic
def report_submit(*, actor: User, incident: Incident, kind: str, content: str, recipients=(), channel: str = Report.Channel.SYSTEM,
                  corrects: Report | None = None, signed_off_by: User | None = None, facts: dict | None = None,
                  skip_level_reason: str = "") -> Report:
    """Submit a report (plan 三(二)). It fulfils the open obligation of its kind owed by its unit (and
    the same kind still owed on incidents merged into this one); server time decides lateness.

    `facts`: {key of REPORT_FACTS: text}, required for an upward report. `skip_level_reason`: a
    station reporting straight to the county government or the city bureau (越级上报); the office is
    told at once and the station's town government is added as a recipient. Raises PermissionDenied
    (403), InvalidTransition (409), ValidationError (400, by field)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    skip_level_reason = (skip_level_reason or "").strip()
    unit = check_report(actor, incident, kind, skip_level=bool(skip_level_reason))
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": _("Write the report.")})
    facts = check_facts(kind, facts)
    if corrects is not None and (corrects.incident_id, corrects.kind, corrects.unit_id) != (incident.pk, kind, unit.pk):
        raise ValidationError({"corrects": _(
            "A correction must point at a report of the same kind and incident, by the same unit.")})
    if signed_off_by is not None and (Role.LEADING_GROUP_MEMBER not in user_roles(signed_off_by)
                                      or incident.station.parent_id not in user_bureau_ids(signed_off_by)):
        raise ValidationError({"signed_off_by": _("Reports are signed off by a bureau leader (a member of the leading group).")})
    bureau = incident.station.bureau()
    recipients = list(recipients)
    if any(c.bureau_id not in (None, bureau.pk) for c in recipients):  # another county's government or partner
        raise ValidationError({"recipients": _("Send to the recipients of this incident's own bureau.")})
    skip_level = unit.kind == Unit.Kind.STATION and kind in STATION_SKIP_LEVEL_KINDS
    if skip_level:
        recipients = list(recipients)
        if not recipients or any(c.kind != Contact.Kind.UPWARD for c in recipients):
            raise ValidationError({"recipients": _("Reporting past the bureau goes to the county government or the city bureau.")})
        recipients += [c for c in [town_government(incident.station)] if c is not None]
    elif unit.kind == Unit.Kind.STATION and recipients:
        # 逐级向上汇报: the station reports to the bureau, whose office reports on to the government.
        raise ValidationError({"recipients": _(
            "A station's report goes to the bureau; the office reports on to the county government and the city bureau.")})
    elif skip_level_reason:
        raise ValidationError({"skip_level_reason": _("Only a station reports past the bureau.")})
    if kind == Kind.UPWARD_REPORT and not recipients:
        recipients = list(upward_recipients(incident))
    now = timezone.now()  # server time decides lateness
    # Numbered per unit: a station's progress reports do not take the office's 续报一、二… numbers.
    previous = Report.objects.filter(incident=incident, kind=kind, unit=unit).order_by("-sequence").first()
    # Sent upward, it is an official document: numbered now, in this transaction (GB/T 9704 7.2.4).
    numbering = (document_number_assign(unit=unit, at=now)
                 if any(c.kind == Contact.Kind.UPWARD for c in recipients) else {})
    report = Report.objects.create(
        incident=incident, kind=kind, content=content, author=actor, unit=unit, submitted_at=now,
        sequence=(previous.sequence + 1) if previous and corrects is None else (corrects.sequence if corrects else 1),
        channel=channel, sent_at=now, corrects=corrects, signed_off_by=signed_off_by, facts=facts,
        skip_level_reason=skip_level_reason if skip_level else "", **numbering,
    )
    report.recipients.set(recipients)
    if recipients:
        # To outside recipients it counts as sent only once it has left (rule 4, issue 11): the
        # portal starts what it sends by itself; the obligation is fulfilled when the last one leaves.
        sending.deliveries_start(report, now)
    elif corrects is None and not skip_level and kind != Kind.UPWARD_REPORT:
        report_fulfil(report, now)  # a report kept inside the bureau is delivered when submitted
    if corrects is None:
        requested_fulfil(report, now)  # 催报: the city's request is answered by a report that reaches it
    if unit.kind == Unit.Kind.STATION:
        _tell_the_office(report)
    return report


def report_fulfil(report: Report, at) -> None:
    """The report fulfils the open obligation of its kind owed by its unit at `at` (UTC): when it is
    submitted, or for outside recipients when it has left (reporting.sending.report_fulfil_if_left),
    and the same kind still owed on incidents merged into its incident (rule 9: late)."""
    _fulfil_open(report.incident, report.kind, report, at)
    for duplicate in Incident.objects.filter(merged_into=report.incident_id):
        for owed in rules.open_obligations(duplicate, report.kind).filter(owner_unit=report.unit):
            rules.fulfil(owed, report, at)  # rule 9: the survivor's report fulfils a duplicate's miss late
    incident = Incident.objects.get(pk=report.incident_id)
    if report.kind == Kind.FINAL_REPORT and incident.status == Incident.Status.ENDED and not rules.final_report_owed(incident):
        team = getattr(incident, "investigation", None)
        if team is not None and team.filed_at is not None:
            incident_close(actor=report.author, incident=incident)  # the last thing owed: the incident closes (rule 8)


def town_government(station: Unit) -> Contact | None:
    """The station's town government, the partner contact `gov_<station code>` (roles.plan_data)."""
    return Contact.objects.filter(code=f"gov_{station.code}", is_active=True).first()


def _fulfil_open(incident, kind, report, now) -> None:
    # Only what the report's own unit owes: a station's report does not discharge the office's 续报.
    obligation = rules.open_obligations(incident, kind).filter(owner_unit=report.unit).first()
    if obligation is None:
        return
    if kind == Kind.PROGRESS_REPORT and obligation.status == Obligation.Status.PENDING and now < obligation.starts_at:
        return  # an extra report before this period began (urgent news at any time): the period still owes one
    rules.fulfil(obligation, report, now)
    if kind == Kind.PROGRESS_REPORT and obligation.status == Obligation.Status.FULFILLED:
        if not rules.open_obligations(incident, kind).exists():
            rules.progress_next(incident, obligation)


SKIP_LEVEL_NOTICE = define("notice.skip_level", gettext_noop("%(unit)s reported %(incident)s past the bureau (越级上报)"))
STATION_REPORT_NOTICE = define("notice.station_report", gettext_noop(
    "%(unit)s filed a work progress report on %(incident)s"))


def _tell_the_office(report: Report) -> None:
    """The office collects the stations' reports and owes its own 续报 upward: it hears at once,
    and at the same moment when the station reported past the bureau (越级上报)."""
    incident = report.incident
    office = office_section(incident.station.bureau())  # the incident's own county's office only
    office_staff = User.objects.filter(groups__name=Role.OFFICE_STAFF, is_active=True,
                                       memberships__unit__in=[office, *office.hosted_units.all()] if office else []).distinct()
    key = SKIP_LEVEL_NOTICE if report.skip_level_reason else STATION_REPORT_NOTICE
    params = {"unit": report.unit.message_param, "incident": f"{incident.reference} {incident.title}"}
    # Kept in the portal's language, shown in the reader's (common.messages); the body is the report as typed.
    title = stored(key, params, limit=Notification._meta.get_field("title").max_length, shrink="incident")
    notify(office_staff, step="station_report", title=title, body=truncate(report.content, 300), incident=incident,
           message_key=key, message_params=params)


@transaction.atomic
def obligation_waive(*, actor: User, obligation: Obligation, reason: str) -> Obligation:
    """A deadline that no longer applies, waived by the leading group's leader or acting leader
    (403 for anyone else; 409 unless open; 400 without a reason). A waiver after the deadline keeps
    the miss on the record (rule 10)."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    from reporting.selectors import obligations_visible_to

    if not obligations_visible_to(actor).filter(pk=obligation.pk).exists():
        raise PermissionDenied(_("You may not see this deadline."))
    leading_group_decider(actor)  # the approver: 403 for anyone else
    if not obligation.is_open:
        raise InvalidTransition(_("Only a pending or overdue obligation can be waived."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for waiving this deadline.")})
    if len(reason) > limits.REASON:  # posted straight from the incident page's small form: checked here
        raise ValidationError({"reason": _("Keep the reason to at most %(limit)s characters.")
                               % {"limit": limits.REASON}})
    return rules.waive(obligation, reason, by=actor)



def outbox_resend(*, actor: User, outbox: Outbox) -> Outbox:
    """The office's "send again" for a message that failed or whose outcome is unknown: back in the
    queue with its attempts counted from zero. A message of unknown outcome keeps its resend mark
    (it may have arrived). PermissionDenied for anyone but the office; InvalidTransition once sent
    or while it is queued or being sent."""
    if not is_office(actor):
        raise PermissionDenied(_("Only the office may send a message again."))
    with transaction.atomic():
        outbox = Outbox.objects.select_for_update().get(pk=outbox.pk)
        if outbox.sent_at is not None or outbox.state == Outbox.State.SENT:
            raise InvalidTransition(_("This message has been delivered."))
        if outbox.state in (Outbox.State.QUEUED, Outbox.State.SENDING):
            raise InvalidTransition(_("This message is being sent now."))
        if outbox.state == Outbox.State.UNCERTAIN and outbox.resend_of_at is None:
            outbox.resend_of_at = outbox.attempted_at
        now = timezone.now()
        outbox.state, outbox.attempts, outbox.next_attempt_at, outbox.queued_at = Outbox.State.QUEUED, 0, now, now
        outbox.save(update_fields=["state", "attempts", "next_attempt_at", "queued_at", "resend_of_at"])
        delivery.enqueue([outbox.pk])
    return outbox
