"""Bounces (退信) of report emails (issue 11): "a bounce or SMTP failure leaves the obligation open and
tells the office at once" (docs/deadlines.md rule 18).

A report by email counts as left when the mail server accepted it (rule 4), so a bounce usually
arrives after the upward obligation was fulfilled. Report emails go out with the envelope sender
BOUNCE_ADDRESS (reporting.sending.report_email); the MTA or fetchmail delivers that address's mail
into the Maildir BOUNCE_MAILDIR, which `fetch_bounces` (beat, every BOUNCE_FETCH_SECONDS, and the
management command of that name) reads:

- parse: an RFC 3464 delivery status notification (multipart/report; report-type=delivery-status)
  with the original message (message/rfc822) or its headers (text/rfc822-headers); else the
  bounce's In-Reply-To / References; else a Message-ID quoted in the body (Exim and other
  non-standard bounces). Only a permanent failure counts (Action: failed, Status 5.x.x); a delay
  (Action: delayed, 4.x.x) is kept as a note on the delivery. Mail that names no Message-ID we sent
  is left in the mailbox, unread, and logged.
- effect (`delivery_bounced`): the delivery is failed with the server's diagnostic, at the time the
  bounce was read; the office is told at once; the obligation the report fulfilled is open again
  (reporting.obligations.reopen) unless the report still reached every recipient it needs; the next
  delivery that leaves to that recipient fulfils it. A bounce after a receipt (签收) changes nothing.

Each message is read once: after processing it moves from new/ to cur/ (flag S when it was ours).
Running twice, or in two workers at once, has one effect: the delivery row is locked and a bounce
applies only to a delivery still `sent`. IMAP is not supported: there was no IMAP server to test
against here; fetchmail or the MTA delivering to the Maildir covers a remote mailbox.
"""

import logging
import os
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.parser import HeaderParser
from email.utils import getaddresses

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.text import label
from incidents.services import InvalidTransition, is_office
from reporting import delivery as outbox
from reporting import obligations as rules
from reporting.models import DeliveryBounce, Kind, Notification, Obligation, Outbox, ReportDelivery
from reporting.numbering import report_label
from reporting.sending import ADDRESS_LENGTH, LEFT, WRITTEN, report_has_left, report_name
from roles.models import User
from roles.selectors import office_staff

log = logging.getLogger(__name__)
D = ReportDelivery

MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
QUOTED_MESSAGE_ID = re.compile(r"^\s*>?\s*Message-ID:\s*(<[^<>\s]+@[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
PERMANENT_STATUS = re.compile(r"\b5\.\d{1,3}\.\d{1,3}\b")
TEMPORARY_STATUS = re.compile(r"\b4\.\d{1,3}\.\d{1,3}\b")
# Words of non-standard bounces (Exim, Sendmail, Coremail, Exchange): permanent, or a delay notice.
PERMANENT_WORDS = re.compile(r"permanent (error|failure)|could not be delivered|undeliverable|delivery has failed|"
                             r"user unknown|退信|无法投递|投递失败", re.IGNORECASE)
DELAY_WORDS = re.compile(r"delay|still trying|will (be retried|continue)|not yet been delivered|延迟", re.IGNORECASE)
# Where a non-standard bounce starts quoting the original message.
QUOTE_START = re.compile(r"^-+.*(copy of the message|original message|message headers).*$|^(Return-path|Received):",
                         re.IGNORECASE | re.MULTILINE)
DAEMONS = {"mailer-daemon", "postmaster", "mail-daemon"}
REASON_LENGTH = 500
MAX_PER_FETCH = 500  # one run stays short; the rest waits for the next


@dataclass
class Bounce:
    """What a returned mail says: the Message-IDs it names (the original's first), whether the
    failure is permanent or a delay, and the server's diagnostic (one line, at most 500 characters)."""

    message_ids: list[str] = field(default_factory=list)
    permanent: bool = False
    delayed: bool = False
    diagnostic: str = ""


def _one_line(text: str) -> str:
    return " ".join(str(text or "").split())[:REASON_LENGTH]


def _ids(text) -> list[str]:
    return MESSAGE_ID.findall(str(text or ""))


def _add(found: list[str], ids) -> None:
    for value in ids:
        if value not in found:
            found.append(value)


def parse_bounce(raw: bytes) -> Bounce:
    """Read one mail (bytes as delivered) with the standard library (policy=default). Never raises
    for a malformed mail: what cannot be read names nothing and counts as neither failure nor delay."""
    try:
        message = message_from_bytes(raw, policy=policy.default)
        return _parse(message)
    except Exception:  # noqa: BLE001 - any mail may arrive at a public address; a bad one is logged, not fatal
        log.warning("bounce mailbox: a mail could not be read", exc_info=True)
        return Bounce()


def _parse(message) -> Bounce:
    bounce = Bounce()
    status_blocks, texts = [], []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            status_blocks = [block for block in part.get_payload() if hasattr(block, "get")]
        elif kind == "message/rfc822":
            original = part.get_payload()
            original = original[0] if isinstance(original, list) and original else original
            if hasattr(original, "get"):
                _add(bounce.message_ids, _ids(original.get("Message-ID")))
        elif kind == "text/rfc822-headers":
            _add(bounce.message_ids, _ids(HeaderParser().parsestr(part.get_content()).get("Message-ID")))
        elif kind == "text/plain" and part.get_content_disposition() != "attachment" and not status_blocks:
            texts.append(part.get_content())
    _add(bounce.message_ids, _ids(message.get("In-Reply-To")) + _ids(message.get("References")))
    if status_blocks:  # RFC 3464: per-recipient fields follow the per-message block
        for block in status_blocks[1:] or status_blocks:
            action = str(block.get("Action", "")).strip().lower()
            status = str(block.get("Status", "")).strip()
            diagnostic = _one_line(f"{status} {block.get('Diagnostic-Code', '')}")
            if action == "failed" or status.startswith("5"):
                bounce.permanent, bounce.diagnostic = True, diagnostic
                break
            if action == "delayed" or status.startswith("4"):
                bounce.delayed, bounce.diagnostic = True, bounce.diagnostic or diagnostic
        return bounce
    # Not a DSN: a bounce that quotes the original in its body (Exim's default, many others).
    body = "\n".join(texts)
    quote = QUOTE_START.search(body)
    explanation, quoted = (body[:quote.start()], body[quote.start():]) if quote else (body, body)
    _add(bounce.message_ids, QUOTED_MESSAGE_ID.findall(quoted))
    # Only a mail system's own report: an out-of-office reply also answers our Message-ID.
    sender = [address.lower() for _name, address in getaddresses([str(message.get("From", ""))])]
    from_daemon = (str(message.get("Return-Path", "")).strip() == "<>"
                   or any(address.split("@")[0] in DAEMONS for address in sender))
    failed = str(message.get("X-Failed-Recipients", "")).strip()
    signs = f"{message.get('Subject', '')}\n{explanation}"
    if failed or (from_daemon and (PERMANENT_STATUS.search(explanation) or PERMANENT_WORDS.search(signs))):
        bounce.permanent = True
    elif from_daemon and (TEMPORARY_STATUS.search(explanation) or DELAY_WORDS.search(signs)):
        bounce.delayed = True
    if bounce.permanent or bounce.delayed:
        text = _one_line(explanation)
        after = text.rfind("failed:")
        bounce.diagnostic = _one_line(text[after + len("failed:"):] if after >= 0 else text) or failed
    return bounce


# ----------------------------------------------------------------------------- the effect


@dataclass
class FetchResult:
    """What one read of the mailbox did: mails read, deliveries that bounced, delay notes recorded,
    bounces that changed nothing (signed for already, bounced already) and mails that named nothing of ours."""

    read: int = 0
    bounced: int = 0
    delayed: int = 0
    ignored: int = 0
    unmatched: int = 0


def bounce_record(bounce: Bounce, at, result: FetchResult | None = None) -> FetchResult:
    """Apply one parsed mail at `at` (aware, when it was read) to the email deliveries whose
    Message-ID it names. Returns the counts (added to `result` when given)."""
    result = result or FetchResult()
    matched = list(D.objects.filter(channel=D.Channel.EMAIL, message_id__in=bounce.message_ids).order_by("pk")
                   ) if bounce.message_ids else []
    if not matched:
        result.unmatched += 1
        log.info("bounce mailbox: a mail names no report email the portal sent (ids %s)", bounce.message_ids[:5])
        return result
    for sent in matched:
        if bounce.permanent:
            changed = delivery_bounced(sent, bounce.diagnostic or _("returned by the mail server"), at)
            result.bounced += changed
            result.ignored += not changed
        elif bounce.delayed:
            result.delayed += delivery_delayed(sent, bounce.diagnostic, at)
        else:
            result.ignored += 1  # a success notice, or a reply: nothing to do
    return result


def delivery_delayed(sent: ReportDelivery, diagnostic: str, at) -> bool:
    """A delay notice (4.x.x): the server is still trying. Kept as a note; the delivery and its
    obligation stay as they are. True when the note was recorded."""
    note = _one_line(f"{timezone.localtime(at):%Y-%m-%d %H:%M} {diagnostic}")
    return bool(D.objects.filter(pk=sent.pk, state=D.State.SENT).update(delay_note=note))


@transaction.atomic
def delivery_bounced(sent: ReportDelivery, reason: str, at) -> bool:
    """退信: the recipient's mail server returned a report email that had left (rule 18). The delivery
    becomes failed with `reason` (the diagnostic), bounced at `at` (UTC, when the bounce was read);
    the obligations the report fulfilled are open again when it no longer reached every recipient the
    rule needs (and a written report owed after a phone call, rule 17, when this was the written copy
    to that recipient); the office is told at once. Nothing happens when the delivery is not `sent`:
    signed for (签收) — the recipient has it —, or bounced already (a second run). True when applied."""
    sent = D.objects.select_for_update(of=("self",)).select_related("report__incident", "recipient").get(pk=sent.pk)
    if sent.channel != D.Channel.EMAIL or sent.state != D.State.SENT:
        return False
    bounce = DeliveryBounce(delivery=sent, message_id=sent.message_id, address=sent.address, sent_at=sent.sent_at,
                            bounced_at=at, reason=reason[:2000])
    sent.state, sent.failure_reason, sent.bounced_at = D.State.FAILED, reason[:2000], at
    sent.save(update_fields=["state", "failure_reason", "bounced_at"])  # first: _reopen counts what still left
    bounce.reopened = _reopen(sent, at)
    bounce.save()
    _tell_the_office(sent, reason, reopened=bounce.reopened)
    return True


def _reopen(sent: ReportDelivery, at) -> bool:
    """Open again what this delivery had fulfilled, as it would be without it (rule 18)."""
    report, reopened = sent.report, False
    fulfilled = Obligation.objects.select_for_update().filter(report=report, kind=report.kind,
                                                              status=Obligation.Status.FULFILLED)
    if fulfilled and not report_has_left(report):
        for obligation in fulfilled:
            rules.reopen(obligation, at)
            reopened = True
    written_elsewhere = D.objects.filter(report__incident=report.incident_id, report__kind=report.kind,
                                         recipient=sent.recipient, channel__in=WRITTEN, state__in=LEFT).exists()
    if not written_elsewhere:
        for owed in Obligation.objects.select_for_update().filter(
                kind=Kind.WRITTEN_REPORT, report=report, status=Obligation.Status.FULFILLED,
                phone_delivery__recipient=sent.recipient):
            rules.reopen(owed, at)
            reopened = True
    return reopened


def _tell_the_office(sent: ReportDelivery, reason: str, *, reopened: bool) -> None:
    """As for an email that failed to leave (reporting.sending.delivery_failed): the office staff of
    the incident's own county, in-app."""
    office = office_staff(sent.report.incident.station.bureau())
    with translation.override(settings.LANGUAGE_CODE):
        title = label(_("Bounced (退信): %(report)s to %(recipient)s"), {
            "report": report_name(sent.report), "recipient": sent.recipient.display_name},
            limit=Notification._meta.get_field("title").max_length, shrink="report")
        owed = (_("The deadline is open again: the report is owed to this recipient until it leaves again. ")
                if reopened else "")
        body = owed + _("Check the address, send it again, or phone or fax it and record that.") + "\n" + reason[:300]
    outbox.notify(office, step="delivery_bounced", title=title, body=body, incident=sent.report.incident)


# ----------------------------------------------------------------------------- the mailbox


def fetch_maildir(path: str, *, now=None, limit: int = MAX_PER_FETCH) -> FetchResult:
    """Read the new mail of the Maildir at `path` once (up to `limit` messages, oldest name first):
    each is parsed, applied (bounce_record) and moved to cur/ — flagged seen (S) when it named a
    report email of ours, unflagged otherwise so that a person sees it unread. A mail another reader
    took first is skipped. FileNotFoundError when `path` is not a Maildir."""
    new, cur = os.path.join(path, "new"), os.path.join(path, "cur")
    if not (os.path.isdir(new) and os.path.isdir(cur)):
        raise FileNotFoundError(f"{path} is not a Maildir (no new/ and cur/)")
    result = FetchResult()
    for name in sorted(n for n in os.listdir(new) if not n.startswith("."))[:limit]:
        source = os.path.join(new, name)
        try:
            with open(source, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            continue  # another reader moved it
        at = now or timezone.now()
        unmatched_before = result.unmatched
        bounce_record(parse_bounce(raw), at, result)
        result.read += 1
        flags = "" if result.unmatched > unmatched_before else "S"
        try:
            os.rename(source, os.path.join(cur, f"{name.split(':')[0]}:2,{flags}"))
        except FileNotFoundError:
            pass  # moved by another reader that read it at the same time: the delivery row made it one effect
    return result


def fetch_bounces(now=None) -> FetchResult | None:
    """The beat's and the command's entry: read BOUNCE_MAILDIR; None when it is not set."""
    if not settings.BOUNCE_MAILDIR:
        return None
    return fetch_maildir(settings.BOUNCE_MAILDIR, now=now)


# ----------------------------------------------------------------------------- the record


def bounce_timeline(incident) -> list:
    """Each bounce of a report of the incident as a timeline entry (registered in reporting.apps into
    incidents.timeline.TIMELINE_SOURCES): which recipient, the server's reason, and whether the
    report is owed again. One query."""
    from incidents.timeline import TimelineEntry  # incidents' page module, read only when a page is

    entries = []
    for bounce in (DeliveryBounce.objects.filter(delivery__report__incident=incident)
                   .select_related("delivery__report", "delivery__recipient").order_by("bounced_at", "pk")):
        sent = bounce.delivery
        notes = [_("to %(address)s") % {"address": bounce.address}]
        if bounce.reopened:
            notes.append(_("The report counts as not sent to %(recipient)s: it is owed again until it leaves "
                           "to them (email, fax, phone or this system).") % {"recipient": sent.recipient.display_name})
        entries.append(TimelineEntry(
            at=bounce.bounced_at, kind="report:bounced", message=bounce.reason, notes=notes,
            title=_("Bounced (退信): %(report)s to %(recipient)s") % {
                "report": report_label(sent.report), "recipient": sent.recipient.display_name}))
    return entries


# ----------------------------------------------------------------------------- sending again


def check_resend(actor: User) -> None:
    """Only the office sends a report again (PermissionDenied, 403, naming who may)."""
    if not is_office(actor):
        raise PermissionDenied(_("Only the office sends a report again."))


@transaction.atomic
def delivery_resend(*, actor: User, sent: ReportDelivery, address: str = "") -> ReportDelivery:
    """The office sends a bounced report email again (退信后重发), to the same address or a corrected
    one (`address`, empty: the same): the delivery is queued again and its outbox row goes back to
    the queue (sent after commit with a new Message-ID; its bounce stays on record as a DeliveryBounce).
    When it leaves it fulfils what the bounce reopened, late if late (rules 4 and 18). The contact's
    own address is the administrator's to correct.

    PermissionDenied (403) for anyone but the office; InvalidTransition (409) unless the delivery is
    an email that bounced and was not sent again since; ValidationError (400, `address`) for an
    address that is not an email address."""
    check_resend(actor)
    sent = D.objects.select_for_update(of=("self",)).get(pk=sent.pk)
    if sent.channel != D.Channel.EMAIL or sent.state != D.State.FAILED or sent.bounced_at is None:
        raise InvalidTransition(_("Only a report email that bounced (退信) can be sent again here."))
    address = (address or "").strip() or sent.address
    try:
        if len(address) > ADDRESS_LENGTH:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        raise ValidationError({"address": _("Give an email address (at most %(limit)s characters).") % {
            "limit": ADDRESS_LENGTH}}) from None
    now = timezone.now()
    sent.state, sent.address, sent.failure_reason = D.State.QUEUED, address, ""
    sent.bounced_at, sent.delay_note = None, ""
    sent.save(update_fields=["state", "address", "failure_reason", "bounced_at", "delay_note"])
    row = Outbox.objects.select_for_update().get(delivery=sent)
    row.state, row.sent_at, row.attempts, row.last_error, row.resend_of_at = Outbox.State.QUEUED, None, 0, "", None
    row.recipient, row.queued_at, row.next_attempt_at = address, now, now
    row.save(update_fields=["state", "sent_at", "attempts", "last_error", "resend_of_at", "recipient", "queued_at",
                            "next_attempt_at"])
    outbox.enqueue([row.pk])
    return sent
