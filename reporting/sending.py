"""Reports that really leave and really arrive (issue 11): one ReportDelivery per report, recipient
and channel, and the receipt (签收) of each.

A report to outside recipients counts as sent to a recipient only once a delivery to it has left
(`sent` or `received`), and the obligation it answers is fulfilled at the moment the last one the
rule needs has left (docs/deadlines.md rule 4): not at "submit". At submit the portal starts what it
can send by itself — the recipient's inbox when the recipient uses the portal (Contact.portal_unit),
else email when it has an address (the PDF, through the outbox: retried, failures shown to the
office). Phone and fax are recorded by the office; a phone report owes the written report (先电话报告，
后补报文字, rule 17), an obligation of its own.
"""

from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.text import label
from incidents.services import InvalidTransition, is_office
from reporting import delivery as outbox
from reporting import obligations as rules
from reporting.models import Kind, Notification, Obligation, Outbox, Report, ReportDelivery
from reporting.selectors import office_bureau_ids
from roles.models import Contact, User
from roles.selectors import office_staff

D = ReportDelivery
LEFT = [D.State.SENT, D.State.RECEIVED]
WRITTEN = [D.Channel.EMAIL, D.Channel.PORTAL, D.Channel.FAX]
RECEIPT_SALT = "reporting.receipt"
NAME_LENGTH = D._meta.get_field("confirmed_name").max_length
ADDRESS_LENGTH = D._meta.get_field("address").max_length


# ----------------------------------------------------------------------------- at submit


def deliveries_start(report: Report, at) -> list[ReportDelivery]:
    """Called by report_submit inside its transaction. For each recipient: into its inbox when it
    uses the portal (sent at once, `at`, UTC), else by email when it has an address (queued; the
    outbox sends it after commit). A recipient with neither waits for the office to phone or fax."""
    made = []
    for contact in report.recipients.select_related("portal_unit").order_by("pk"):
        if contact.portal_unit_id:
            made.append(D.objects.create(report=report, recipient=contact, channel=D.Channel.PORTAL, state=D.State.SENT,
                                         address=contact.portal_unit.name, sent_at=at))
            _tell_the_receiving_office(report, contact)
        elif contact.email:
            sent = D.objects.create(report=report, recipient=contact, channel=D.Channel.EMAIL, address=contact.email)
            row = Outbox.objects.create(delivery=sent, step=Outbox.Step.REPORT, channel=Outbox.Channel.EMAIL,
                                        recipient=contact.email, state=Outbox.State.QUEUED, queued_at=at)
            outbox.enqueue([row.pk])
            made.append(sent)
    for sent in made:
        if sent.has_left:
            _written_left(sent, at)
    report_fulfil_if_left(report, at)
    return made


def _tell_the_receiving_office(report: Report, contact: Contact) -> None:
    """The receiving bureau's office hears at once (in-app); the report waits in its inbox to be signed for."""
    from reporting.selectors import office_users_of

    with translation.override(settings.LANGUAGE_CODE):
        title = label(_("To sign for: %(report)s from %(unit)s"), {"report": report_name(report),
                      "unit": report.unit.display_name}, limit=Notification._meta.get_field("title").max_length,
                      shrink="report")
        body = _("It is in the inbox of reports received (/reporting/inbox/).")
    outbox.notify(office_users_of(contact.portal_unit), step="report_received", title=title, body=body)


def report_name(report: Report) -> str:
    """The report as the office's notices name it: the incident's reference and the document's title."""
    from reporting.documents import report_title

    return f"{report.incident.reference} {report_title(report)}"


# ----------------------------------------------------------------------------- fulfilment


def left_to(report: Report) -> set[int]:
    """Ids of the recipients the report has left to (a delivery sent or received)."""
    return set(D.objects.filter(report=report, state__in=LEFT).values_list("recipient_id", flat=True))


def report_fulfil_if_left(report: Report, at) -> bool:
    """Rule 4 on deliveries: the report fulfils its obligation at `at` (UTC) once it has left to every
    recipient the rule needs — for an upward report the county government and the city bureau (every
    active upward recipient), for another report every recipient it names. Once per report: a later
    delivery of the same report fulfils nothing more, unless a bounce reopened it (rule 18: the reopened
    row no longer names the report). Corrections and 越级上报 fulfil nothing (as before).
    True when it fulfilled now."""
    from reporting.services import report_fulfil  # services start deliveries: imported late

    if report.corrects_id or report.skip_level_reason or Obligation.objects.filter(report=report, kind=report.kind).exists():
        return False
    complete = report_has_left(report)
    if complete:
        report_fulfil(report, at)
    return complete


def report_has_left(report: Report) -> bool:
    """Rule 4: the report has left to every recipient it needs (see report_fulfil_if_left), counting
    only deliveries sent or received now (a bounced one no longer counts)."""
    from reporting.services import upward_complete, upward_recipients

    recipients = list(report.recipients.all())
    left = left_to(report)
    if report.kind == Kind.UPWARD_REPORT:
        required = set(upward_recipients(report.incident).values_list("pk", flat=True))  # the incident's own bureau's
        return upward_complete(recipients, report.incident) and required <= left
    return bool(recipients) and {c.pk for c in recipients} <= left


def _written_left(sent: ReportDelivery, at) -> None:
    """The report has left in writing to a recipient: the written report owed after phoning that
    recipient the same kind of report on this incident, earlier or now, is fulfilled (rule 17)."""
    if sent.channel not in WRITTEN:
        return
    report = sent.report
    phoned = (D.objects.filter(channel=D.Channel.PHONE, recipient=sent.recipient, report__incident=report.incident_id,
                               report__kind=report.kind, report__submitted_at__lte=report.submitted_at,
                               follow_up__status__in=rules.OPEN)
              .select_related("follow_up"))
    for call in phoned:
        rules.fulfil(Obligation.objects.select_for_update().get(pk=call.follow_up_id), report, at)


# ----------------------------------------------------------------------------- email


def receipt_token(sent: ReportDelivery) -> str:
    return signing.TimestampSigner(salt=RECEIPT_SALT).sign(str(sent.pk))


def receipt_url(sent: ReportDelivery) -> str:
    return settings.PORTAL_URL + reverse("reporting:receipt", args=[receipt_token(sent)])


def report_email(sent: ReportDelivery, message_id: str) -> EmailMessage:
    """The report as an official email: subject the document's title, the signed PDF attached (its
    Chinese name), and the link to sign for it (valid RECEIPT_LINK_MAX_AGE_HOURS)."""
    from reporting.documents import report_pdf, report_title

    report = sent.report
    title = report_title(report)
    with translation.override(settings.LANGUAGE_CODE):
        body = _("%(bureau)s sends you the report “%(title)s” (reference %(reference)s), attached as PDF.\n\n"
                 "Please sign for it (签收) at this link, valid for %(hours)d hours:\n%(url)s\n") % {
            "bureau": report.unit.parent.display_name if report.unit.parent_id else report.unit.display_name,
            "title": title, "reference": report.incident.reference,
            "hours": settings.RECEIPT_LINK_MAX_AGE_HOURS, "url": receipt_url(sent)}
    # The envelope sender (SMTP MAIL FROM, the Return-Path the receiving server writes) is where
    # bounces go: BOUNCE_ADDRESS, a mailbox the portal reads (reporting.bounces), when set. Django
    # uses `from_email` as the envelope and a "From" header, when given, as the header.
    message = EmailMessage(title, body, settings.BOUNCE_ADDRESS or settings.DEFAULT_FROM_EMAIL, [sent.address],
                           headers={"Message-ID": message_id, "From": settings.DEFAULT_FROM_EMAIL})
    message.attach(f"{title}.pdf", report_pdf(report), "application/pdf")
    return message


def deliver_report_email(outbox_id: int) -> int:
    """Send one report's email (an Outbox row with a delivery), the outbox way: claimed and committed
    before it leaves, the outcome recorded after. Sent: the delivery is `sent` with its Message-ID and
    time, and the obligation is fulfilled if this was the last recipient the rule needs. Failed: the
    row is retried with backoff (reporting.delivery.record_failure), the delivery shows `failed` with
    the reason, the office is told at once, and the obligation stays open. Returns 1 if sent."""
    rows = outbox.claim([outbox_id])
    if not rows:
        return 0
    row = rows[0]
    sent = D.objects.select_related("report__incident", "report__unit__parent", "recipient").get(pk=row.delivery_id)
    message_id = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost")
    try:
        outbox.send_message(report_email(sent, message_id))
    except Exception as exc:  # noqa: BLE001 - classified and recorded on the row, shown to the office
        outbox.record_failure([row.pk], exc)
        delivery_failed(sent, f"{type(exc).__name__}: {exc}")
        return 0
    with transaction.atomic():
        outbox.record_sent([row.pk])
        sent = D.objects.select_for_update().get(pk=sent.pk)
        now = timezone.now()
        sent.state, sent.sent_at, sent.message_id, sent.failure_reason = D.State.SENT, now, message_id, ""
        sent.save(update_fields=["state", "sent_at", "message_id", "failure_reason"])
        _written_left(sent, now)
        report_fulfil_if_left(sent.report, now)
    return 1


def delivery_failed(sent: ReportDelivery, reason: str) -> ReportDelivery:
    """A report that did not leave: `failed` with the reason; the office hears at once (in-app) the
    first time, and sees it on its home page until it leaves. The obligation stays open."""
    with transaction.atomic():
        sent = D.objects.select_for_update(of=("self",)).select_related("report__incident", "recipient").get(pk=sent.pk)
        if sent.has_left:
            return sent
        first = sent.state != D.State.FAILED
        sent.state, sent.failure_reason = D.State.FAILED, reason[:2000]
        sent.save(update_fields=["state", "failure_reason"])
        if first:
            office = office_staff(sent.report.incident.station.bureau())  # this county's office only
            with translation.override(settings.LANGUAGE_CODE):
                title = label(_("Not delivered: %(report)s to %(recipient)s by %(channel)s"), {
                    "report": report_name(sent.report), "recipient": sent.recipient.display_name,
                    "channel": sent.get_channel_display()}, limit=Notification._meta.get_field("title").max_length,
                    shrink="report")
                body = _("The deadline stays open until the report leaves. It is tried again by itself; "
                         "check the address, send again, or phone or fax it and record that.") + "\n" + reason[:300]
            outbox.notify(office, step="delivery_failed", title=title, body=body, incident=sent.report.incident)
    return sent


# ----------------------------------------------------------------------------- phone and fax


def check_record(actor: User) -> None:
    if not is_office(actor):
        raise PermissionDenied(_("Only the office records a report phoned or faxed, and a phone confirmation."))


@transaction.atomic
def delivery_record(*, actor: User, report: Report, recipient: Contact, channel: str, number: str, at,
                    confirmed_name: str = "", confirmed_at=None) -> ReportDelivery:
    """The office records that it phoned or faxed the report to a recipient: when (`at`, aware), by
    whom (`actor`), which number, and for a call who answered (电话确认, required) and when. A call is
    received once someone answered; a fax is `sent` until confirmed. A call owes the written report
    (rule 17, unless it already left in writing to that recipient). The obligation is fulfilled at
    `at` if this completes what the rule needs (rule 4).

    PermissionDenied (403) for anyone but the office; ValidationError (400, by field) for a recipient
    not among the report's, an empty number or name, a time before the report or in the future;
    InvalidTransition (409) when this channel is already recorded for this recipient."""
    check_record(actor)
    report = Report.objects.select_for_update(of=("self",)).select_related("incident", "unit").get(pk=report.pk)
    now = timezone.now()
    errors = {}
    if channel not in (D.Channel.PHONE, D.Channel.FAX):
        errors["channel"] = _("Record a phone call or a fax; email and this system are sent by the portal.")
    if not report.recipients.filter(pk=recipient.pk).exists():
        errors["recipient"] = _("The report is not addressed to this recipient.")
    number = (number or "").strip()
    if not number:
        errors["number"] = _("Give the number dialled or faxed.")
    elif len(number) > ADDRESS_LENGTH:
        errors["number"] = _("Keep it to at most %(limit)s characters.") % {"limit": ADDRESS_LENGTH}
    if at is None or at > now + timedelta(minutes=1):
        errors["at"] = _("Give when it was sent; it cannot be in the future.")
    elif at < report.submitted_at - timedelta(minutes=1):
        errors["at"] = _("A report cannot leave before it was written (%(time)s).") % {
            "time": timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M")}
    confirmed_name = (confirmed_name or "").strip()
    if channel == D.Channel.PHONE and not confirmed_name:
        errors["confirmed_name"] = _("Give the name of the person who took the call (电话确认).")
    _check_confirmation(errors, confirmed_name, confirmed_at or at, at, now)
    if errors:
        raise ValidationError(errors)
    if D.objects.filter(report=report, recipient=recipient, channel=channel).exists():
        raise InvalidTransition(_("This is already recorded; record a phone confirmation on it instead."))
    sent = D(report=report, recipient=recipient, channel=channel, address=number, sent_at=at, recorded_by=actor,
             state=D.State.SENT)
    if confirmed_name:
        sent.state, sent.confirmed_name, sent.confirmed_at = D.State.RECEIVED, confirmed_name, confirmed_at or at
    written = D.objects.filter(report__incident=report.incident_id, report__kind=report.kind, recipient=recipient,
                               channel__in=WRITTEN, state__in=LEFT).exists()
    if channel == D.Channel.PHONE and not written:
        sent.follow_up = rules.create(report.incident, Kind.WRITTEN_REPORT, report.unit, at,
                                      level=rules.effective_level(report.incident))
    sent.save()
    _written_left(sent, at)
    report_fulfil_if_left(report, at)
    return sent


def _check_confirmation(errors: dict, name: str, confirmed_at, sent_at, now) -> None:
    if len(name) > NAME_LENGTH:
        errors["confirmed_name"] = _("Keep it to at most %(limit)s characters.") % {"limit": NAME_LENGTH}
    if name and confirmed_at is not None and sent_at is not None and (
            confirmed_at > now + timedelta(minutes=1) or confirmed_at < sent_at):
        errors["confirmed_at"] = _("The confirmation comes after the report was sent, and not in the future.")


@transaction.atomic
def delivery_confirm(*, actor: User, sent: ReportDelivery, name: str, at) -> ReportDelivery:
    """The office records a phone confirmation (电话确认) of a report that left by any channel: who at
    the other end confirmed it and when (aware). The delivery is then received. 403 for anyone but the
    office; 409 unless sent and not yet received; 400 without a name or with a time out of order."""
    check_record(actor)
    sent = D.objects.select_for_update().get(pk=sent.pk)
    if sent.state != D.State.SENT:
        raise InvalidTransition(_("Only a report sent and not yet signed for can be confirmed."))
    name, now = (name or "").strip(), timezone.now()
    errors = {} if name else {"name": _("Give the name of the person who confirmed it (电话确认).")}
    at = at or now
    _check_confirmation(errors, name, at, sent.sent_at, now)
    if errors:
        raise ValidationError({"name" if key == "confirmed_name" else "at" if key == "confirmed_at" else key: value
                               for key, value in errors.items()})
    sent.state, sent.confirmed_name, sent.confirmed_at, sent.recorded_by = D.State.RECEIVED, name, at, sent.recorded_by or actor
    sent.save(update_fields=["state", "confirmed_name", "confirmed_at", "recorded_by"])
    return sent


# ----------------------------------------------------------------------------- signing for it (签收)


def check_sign(actor: User, sent: ReportDelivery) -> None:
    """Only the office of the receiving bureau signs for a report delivered in the portal (403 naming it)."""
    bureau = sent.recipient.portal_unit
    if sent.channel != D.Channel.PORTAL or bureau is None or bureau.pk not in office_bureau_ids(actor):
        raise PermissionDenied(_("Only the office of %(recipient)s signs for this report.") % {
            "recipient": sent.recipient.display_name})


@transaction.atomic
def delivery_sign(*, actor: User, sent: ReportDelivery) -> ReportDelivery:
    """签收 in the portal, one click: the receiving office signs for a report in its inbox. 403 for
    anyone else (check_sign); 409 when already signed for."""
    sent = D.objects.select_for_update(of=("self",)).select_related("recipient__portal_unit").get(pk=sent.pk)
    check_sign(actor, sent)
    if sent.state != D.State.SENT:
        raise InvalidTransition(_("This report has already been signed for."))
    sent.state, sent.signed_by, sent.signed_at = D.State.RECEIVED, actor, timezone.now()
    sent.save(update_fields=["state", "signed_by", "signed_at"])
    return sent


def delivery_from_token(token: str) -> ReportDelivery:
    """The email delivery a signing link names. ValidationError when the link is altered or older
    than RECEIPT_LINK_MAX_AGE_HOURS (the message says to ask the sender)."""
    try:
        pk = signing.TimestampSigner(salt=RECEIPT_SALT).unsign(token, max_age=settings.RECEIPT_LINK_MAX_AGE_HOURS * 3600)
    except signing.SignatureExpired:
        raise ValidationError(_("This link has expired. Please ask the sender to record your confirmation by phone.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid.")) from None
    sent = D.objects.select_related("report__incident", "report__unit", "recipient").filter(
        pk=int(pk), channel=D.Channel.EMAIL).first()
    if sent is None:
        raise ValidationError(_("This link is not valid."))
    return sent


@transaction.atomic
def delivery_sign_by_link(*, token: str, name: str) -> ReportDelivery:
    """签收 by an email recipient through the link in the email (no account): the name of who signs.
    ValidationError for a bad or expired link or an empty name; a second signing changes nothing."""
    sent = delivery_from_token(token)
    name = (name or "").strip()
    if not name or len(name) > NAME_LENGTH:
        raise ValidationError({"name": _("Give your name (at most %(limit)s characters).") % {"limit": NAME_LENGTH}})
    sent = D.objects.select_for_update().get(pk=sent.pk)
    if sent.state == D.State.SENT:
        sent.state, sent.signed_name, sent.signed_at = D.State.RECEIVED, name, timezone.now()
        sent.save(update_fields=["state", "signed_name", "signed_at"])
    return sent
