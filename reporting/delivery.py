"""Sending the outbox: in-app notification, email, group robot — each message once, and never
twice unmarked (issue 16).

The life of an outbox row (Outbox.State): the sweep writes it `queued` and hands its id to the
queue of its channel. A delivery claims it with a conditional update (`sending`, `attempted_at`)
and COMMITS before the request leaves; then it sends, with a timeout; then it records the outcome
in a second short transaction. So no row lock is held while a server is slow, and a send cut off
between the request and the commit (worker killed, database restarted, a reply that never comes)
is known as *uncertain*: it is resent once, marked "resent, originally at …", and never again.
A definite failure (refused connection, HTTP error, a robot's non-zero `errcode`, an SMTP error
reply) goes back to `pending` with backoff, up to MAX_ATTEMPTS, then `failed`, which the office
sees with the reason and can send again (reporting.services.outbox_resend).

Group robots (WeCom, DingTalk) allow about 20 messages a minute each: what is due for one robot in
one delivery goes as one digest (split only to stay under the robot's message size), a limiter
shared by all workers (the cache: Redis in production) keeps to ROBOT_MESSAGES_PER_MINUTE, and the
digest marks all of its rows. Email is a digest per person the same way; in-app notices are one
database row each, written in the same transaction that marks the outbox row sent.
"""

import hashlib
import http.client
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.text import label, single_line, truncate
from reporting.models import Kind, Notification, Outbox
from roles import webhooks
from roles.models import User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
TITLE_LENGTH = Notification._meta.get_field("title").max_length
# The first retry after a definite failure; doubled each time, at most an hour (10 attempts ≈ 4.5 h).
FIRST_BACKOFF = timedelta(seconds=30)
# WeCom takes at most 2,048 bytes of text per message (DingTalk more): a digest is split below that.
ROBOT_MAX_BYTES = 1800
# Robot error codes that mean "too many messages, try later", not "this message is wrong".
ROBOT_RATE_LIMIT_CODES = {45009, 45033, 130101, 660026}
QUEUES = {Outbox.Channel.IN_APP: "in_app", Outbox.Channel.EMAIL: "email", Outbox.Channel.WEBHOOK: "webhook"}


class DeliveryError(Exception):
    """The message was not delivered (refused, an error answer): safe to send again."""


class RateLimited(DeliveryError):
    """The robot refused for sending too fast: try again after a minute, not counted as an attempt."""


class UncertainDelivery(Exception):
    """The request left but no answer came (timeout, connection dropped): it may have arrived."""


def queued_stale() -> timedelta:
    """A row queued this long ago whose task never ran (broker lost it, worker killed) is queued again."""
    return timedelta(seconds=settings.OUTBOX_QUEUED_STALE_SECONDS)


def sending_stale() -> timedelta:
    """How long a row may stay `sending` before its worker is presumed dead. An SMTP exchange is up
    to six commands, each allowed EMAIL_TIMEOUT; a minute more for a slow database."""
    return timedelta(seconds=6 * max(settings.EMAIL_TIMEOUT, settings.ROBOT_TIMEOUT_SECONDS) + 60)


# ----------------------------------------------------------------------------- queueing


def enqueue(outbox_ids: list[int]) -> None:
    """Hand the rows to the workers once the transaction that made them has committed: one task
    per channel, each on its channel's queue (a slow mail server never holds back in-app notices).
    `robust`: the rows are committed as `queued`; if the broker is down now, redeliver_unsent
    queues them again once they are queued_stale(), and the sweep that made them does not fail."""
    if outbox_ids:
        ids = list(outbox_ids)
        transaction.on_commit(lambda: dispatch(ids), robust=True)


def dispatch(outbox_ids: list[int], *, countdown: float | None = None) -> None:
    """Publish the rows' delivery tasks now, one per channel on that channel's queue."""
    from reporting.tasks import deliver_outbox_rows  # tasks sit on top of this module

    by_channel = defaultdict(list)
    for pk, channel in Outbox.objects.filter(pk__in=outbox_ids).values_list("pk", "channel"):
        by_channel[channel].append(pk)
    for channel, ids in by_channel.items():
        deliver_outbox_rows.apply_async((ids,), queue=QUEUES[channel], countdown=countdown)


def mark_queued(outbox_ids: list[int], now=None) -> None:
    Outbox.objects.filter(pk__in=outbox_ids, sent_at=None).update(state=Outbox.State.QUEUED, queued_at=now or timezone.now())


# ----------------------------------------------------------------------------- messages


def message(row: Outbox) -> tuple[str, str]:
    """Title and body in the portal's language (Chinese); a resend says so, with the original time."""
    obligation = row.obligation
    incident = obligation.incident
    with translation.override(settings.LANGUAGE_CODE):
        due = timezone.localtime(obligation.due_at).strftime("%Y-%m-%d %H:%M")
        titles = {
            Outbox.Step.REMINDER_HALF: _("Half the time is gone: %(what)s is due at %(due)s"),
            Outbox.Step.REMINDER_SOON: _("Due soon: %(what)s is due at %(due)s"),
            Outbox.Step.REMINDER_DAY: _("Due tomorrow: %(what)s is due at %(due)s"),
            Outbox.Step.OVERDUE: _("Overdue: %(what)s was due at %(due)s"),
            Outbox.Step.ESCALATION: _("Escalated to the leading group: %(what)s, due at %(due)s, is still missing"),
        }
        if obligation.kind == Kind.MEASURE:  # a measure's escalation goes to the HQ commander (docs/deadlines.md rule 7)
            titles[Outbox.Step.ESCALATION] = _("Escalated to the HQ commander: %(what)s, due at %(due)s, is still not done")
        # A label: at most the column's 200 characters and one line (it is also the email's subject);
        # the incident's title gives way, the kind, reference and due time stay. A station's unsent
        # draft is named by its reference only: its text is the station's (docs/deadlines.md rule 2).
        named = incident.reference if incident.status == incident.Status.DRAFT else f"{incident.reference} {incident.title}"
        what = f"{obligation.get_kind_display()}（{named}）"
        prefix = resend_prefix(row.resend_of_at) if row.resend_of_at is not None else ""
        title = label(prefix.replace("%", "%%") + titles[row.step], {"what": what, "due": due}, limit=TITLE_LENGTH,
                      shrink="what")
        body = _("Owner: %(unit)s. Late, concealed or missing reports are pursued under the plan (五(三)).") % {
            "unit": obligation.owner_unit.display_name}
    return title, body


def resend_prefix(original) -> str:
    """"重发：原定于 2026-11-20 09:30:05 发送。" — the reader knows it may be the second copy."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Resent: originally sent at %(time)s. ") % {
            "time": timezone.localtime(original).strftime("%Y-%m-%d %H:%M:%S")}


def digest(rows: list[Outbox]) -> tuple[str, str]:
    """One subject and text for several rows to one recipient (email, robot)."""
    items = [message(row) for row in rows]
    if len(items) == 1:
        return items[0]
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(count)d notices about reporting deadlines") % {"count": len(items)}
    return subject, "\n\n".join(f"{n}. {title}\n{body}" for n, (title, body) in enumerate(items, 1))


def robot_chunks(rows: list[Outbox]) -> list[list[Outbox]]:
    """Split a robot's rows into digests of at most ROBOT_MAX_BYTES of text each (one row may exceed it alone)."""
    chunks, current, size = [], [], 100  # room for the digest's heading and numbering
    for row in rows:
        title, body = message(row)
        item = len(f"{title}\n{body}\n\n".encode("utf-8")) + 6
        if current and size + item > ROBOT_MAX_BYTES:
            chunks.append(current)
            current, size = [], 100
        current.append(row)
        size += item
    if current:
        chunks.append(current)
    return chunks


def robot_text(rows: list[Outbox]) -> str:
    """A robot message has no subject line: the subject (or the single title) heads the text."""
    subject, text = digest(rows)
    return f"{subject}\n{text}"


def notify(users, *, step: str, title: str, body: str = "", incident=None, obligation=None) -> list[Notification]:
    """In-app notifications, one per person: what the outbox sends, and what services tell at once.
    The title is a label: made one line and cut to the column's length here, whoever built it."""
    title = truncate(single_line(title), TITLE_LENGTH)
    return Notification.objects.bulk_create([
        Notification(user=user, obligation=obligation, incident=incident, step=step, title=title, body=body)
        for user in users
    ])


# ----------------------------------------------------------------------------- the wire


def post_to_robot(url: str, text: str) -> None:
    """POST one text message to a WeCom / DingTalk group robot, with ROBOT_TIMEOUT_SECONDS.

    Returns when the robot accepted it (HTTP 2xx and `errcode` 0). Raises DeliveryError when it
    certainly did not arrive (no connection, HTTP error, non-zero errcode; RateLimited for the
    robot's rate-limit codes), UncertainDelivery when the request left but no answer came.
    This is the one place the portal posts to a robot.
    """
    try:
        webhooks.check_webhook_url(url)  # SSRF: the name is resolved again now, not trusted from save time
    except ValidationError as exc:
        raise DeliveryError(f"robot address refused: {' '.join(exc.messages)}") from exc
    # The text message both WeCom and DingTalk group robots accept.
    payload = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=payload, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        # urlopen wraps errors of connecting and sending the request in URLError; what goes wrong
        # while waiting for the answer (timeout, reset, a half answer) comes through unwrapped.
        with urllib.request.urlopen(request, timeout=settings.ROBOT_TIMEOUT_SECONDS) as response:  # noqa: S310 (the office sets these URLs)
            status, answer = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"robot answered HTTP {exc.code}") from exc
    except urllib.error.URLError as exc:
        raise DeliveryError(f"robot not reached: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise UncertainDelivery(f"no answer from the robot: {type(exc).__name__}: {exc}") from exc
    if status >= 300:
        raise DeliveryError(f"robot answered HTTP {status}")
    try:
        body = json.loads(answer or b"{}")
    except ValueError:
        body = {}
    code = body.get("errcode", 0) if isinstance(body, dict) else 0
    if code not in (0, "0"):
        error = (RateLimited if code in ROBOT_RATE_LIMIT_CODES else DeliveryError)
        raise error(f"robot errcode {code}: {str(body.get('errmsg', ''))[:200]}")


def send_email(to: str, subject: str, body: str) -> None:
    """One email over the configured backend (send_message). A header is one line: a newline typed
    into a title must not make every email fail."""
    send_message(EmailMessage(single_line(subject), body, settings.DEFAULT_FROM_EMAIL, [to]))


def send_message(message: EmailMessage) -> None:
    """One email over the configured backend, with EMAIL_TIMEOUT on every SMTP command.
    DeliveryError: not sent (no connection, the server refused); UncertainDelivery: the server
    stopped answering once the message was under way."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"mail server not reached: {type(exc).__name__}: {exc}") from exc
    try:
        connection.send_messages([message])
    except smtplib.SMTPResponseException as exc:  # the server answered: it refused
        raise DeliveryError(f"mail server refused: {exc.smtp_code} {exc.smtp_error!r}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"mail server refused the recipient: {exc.recipients}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise UncertainDelivery(f"no answer from the mail server: {type(exc).__name__}: {exc}") from exc
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a dead connection must not change the outcome
            pass


def robot_slot(url: str) -> float:
    """0 when one more message may go to this robot now; else the seconds until the next minute.

    A fixed one-minute window counted in the cache, shared by every worker when the cache is Redis
    (production); with the local-memory cache of development it is per process, which is all one
    process needs. If the cache is unreachable the message goes (the robot's own error code and
    the retry are the second line)."""
    now = time.time()
    key = "robot-rate:%s:%d" % (hashlib.sha256(url.encode()).hexdigest()[:24], now // 60)
    try:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - a cache outage must not stop delivery
        log.warning("robot rate limiter unavailable; sending without it", exc_info=True)
        return 0
    return 0 if count <= settings.ROBOT_MESSAGES_PER_MINUTE else 60 - now % 60 + 0.5


# ----------------------------------------------------------------------------- delivering


def claimable(now) -> Q:
    """Rows a delivery may take: queued, or pending whose backoff has passed."""
    return Q(sent_at=None) & (Q(state=Outbox.State.QUEUED) | Q(state=Outbox.State.PENDING, next_attempt_at__lte=now))


def deliver(outbox_id: int) -> bool:
    """Send the row unless it was sent, is being sent, or waits for its backoff. True when this call sent it."""
    return deliver_rows([outbox_id]) == 1


def deliver_rows(outbox_ids: list[int]) -> int:
    """Deliver these rows: in-app one by one, email as one digest per person, robots as digests
    per robot. Each row's error is recorded on the row; one bad row never stops the others.
    Returns how many rows this call sent."""
    rows = list(Outbox.objects.filter(claimable(timezone.now()), pk__in=outbox_ids).order_by("pk"))
    sent = 0
    groups = defaultdict(list)
    for row in rows:
        if row.delivery_id is not None:  # a report itself, with its PDF: alone, never in a digest
            from reporting.sending import deliver_report_email  # sending sits on top of this module

            try:
                sent += deliver_report_email(row.pk)
            except Exception:  # noqa: BLE001 - recorded on the row and the delivery; the next row still goes
                log.exception("delivery of report outbox row %s failed", row.pk)
        elif row.channel == Outbox.Channel.IN_APP:
            sent += deliver_in_app(row.pk)
        else:
            # A resend travels apart from first sends: its digest carries the "resent" mark.
            groups[(row.channel, row.recipient, row.resend_of_at is not None)].append(row.pk)
    for (channel, recipient, _resend), ids in groups.items():
        try:
            sent += deliver_group(channel, recipient, ids)
        except Exception:  # noqa: BLE001 - recorded on the rows by deliver_group; the next group still goes
            log.exception("delivery of outbox rows %s failed", ids)
    return sent


def deliver_in_app(outbox_id: int) -> int:
    """The notification and the sent mark in one transaction (a savepoint inside a caller's):
    nothing leaves the database, so there is nothing uncertain. 1 if sent."""
    try:
        with transaction.atomic():
            row = (Outbox.objects.select_for_update(of=("self",), skip_locked=True)
                   .select_related("obligation__incident", "obligation__owner_unit")
                   .filter(claimable(timezone.now()), pk=outbox_id).first())
            if row is None:
                return 0
            title, body = message(row)
            user = User.objects.get(pk=int(row.recipient))
            notify([user], step=row.step, title=title, body=body, incident=row.obligation.incident,
                   obligation=row.obligation)
            now = timezone.now()
            Outbox.objects.filter(pk=row.pk).update(state=Outbox.State.SENT, sent_at=now, attempted_at=now,
                                                    attempts=row.attempts + 1)
            return 1
    except Exception as exc:  # noqa: BLE001 - any failure: recorded on the row, retried later
        record_failure([outbox_id], exc)
        return 0


def claim(ids: list[int]) -> list[Outbox]:
    """Take the rows still claimable (skipping any another worker holds), mark them `sending` with
    the attempt's time, and commit before anything is sent."""
    with transaction.atomic():
        now = timezone.now()
        rows = list(Outbox.objects.select_for_update(of=("self",), skip_locked=True)
                    .select_related("obligation__incident", "obligation__owner_unit")
                    .filter(claimable(now), pk__in=ids).order_by("pk"))
        Outbox.objects.filter(pk__in=[row.pk for row in rows]).update(state=Outbox.State.SENDING, attempted_at=now)
        for row in rows:
            row.state, row.attempted_at = Outbox.State.SENDING, now
    return rows


def deliver_group(channel: str, recipient: str, ids: list[int]) -> int:
    """Email or robot rows for one recipient: claim, send as digest(s), record. Returns rows sent."""
    rows = claim(ids)
    if not rows:
        return 0
    sent = 0
    chunks = robot_chunks(rows) if channel == Outbox.Channel.WEBHOOK else [rows]
    for index, chunk in enumerate(chunks):
        pks = [row.pk for row in chunk]
        if channel == Outbox.Channel.WEBHOOK:
            wait = robot_slot(recipient)
            if wait:  # over the robot's limit: the rest goes after the minute, not as an attempt
                rest = [row.pk for later in chunks[index:] for row in later]
                defer(rest, wait)
                break
        if index:  # the attempt's time is the time this digest leaves
            Outbox.objects.filter(pk__in=pks).update(attempted_at=timezone.now())
        try:
            if channel == Outbox.Channel.WEBHOOK:
                post_to_robot(recipient, robot_text(chunk))
            else:
                send_email(recipient, *digest(chunk))
        except Exception as exc:  # noqa: BLE001 - classified and recorded on the rows
            record_failure(pks, exc)
            continue
        record_sent(pks)
        sent += len(pks)
    return sent


def defer(ids: list[int], seconds: float) -> None:
    """Put claimed rows back in the queue to be tried after `seconds` (a robot's minute is full)."""
    now = timezone.now()
    Outbox.objects.filter(pk__in=ids, state=Outbox.State.SENDING).update(
        state=Outbox.State.QUEUED, queued_at=now + timedelta(seconds=seconds),
        next_attempt_at=now + timedelta(seconds=seconds))
    transaction.on_commit(lambda: dispatch(ids, countdown=seconds), robust=True)


def record_sent(ids: list[int]) -> None:
    Outbox.objects.filter(pk__in=ids).update(state=Outbox.State.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1)


def record_failure(ids: list[int], exc: BaseException) -> None:
    """Write the outcome of a failed attempt on each row, in its own transaction.

    Definite failure: back to pending after a doubling backoff, `failed` after MAX_ATTEMPTS.
    Rate limited: pending again after a minute, not counted. Uncertain: resent once at once,
    marked with the original time; uncertain again: `uncertain`, for the office to decide."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = timezone.now()
    with transaction.atomic():
        for row in Outbox.objects.select_for_update(of=("self",)).filter(pk__in=ids, sent_at=None):
            row.last_error = error
            if isinstance(exc, UncertainDelivery):
                row.attempts += 1
                if row.resend_of_at is None:
                    row.state, row.resend_of_at, row.next_attempt_at = Outbox.State.PENDING, row.attempted_at or now, now
                else:
                    row.state = Outbox.State.UNCERTAIN
            elif isinstance(exc, RateLimited):
                row.state, row.next_attempt_at = Outbox.State.PENDING, now + timedelta(minutes=1)
            else:
                row.attempts += 1
                if row.attempts >= MAX_ATTEMPTS:
                    row.state = Outbox.State.FAILED
                else:
                    row.state = Outbox.State.PENDING
                    row.next_attempt_at = now + min(timedelta(hours=1), FIRST_BACKOFF * 2 ** (row.attempts - 1))
            row.save(update_fields=["last_error", "attempts", "state", "resend_of_at", "next_attempt_at"])


# ----------------------------------------------------------------------------- recovery


def recover_stale(now=None) -> int:
    """Rows left `sending` past sending_stale(): their worker died or lost the database mid-send, so
    the outcome is unknown. Treated like a timeout: resent once marked, then `uncertain`."""
    now = now or timezone.now()
    stale = list(Outbox.objects.filter(state=Outbox.State.SENDING, sent_at=None,
                                       attempted_at__lt=now - sending_stale()).values_list("pk", flat=True)[:1000])
    if stale:
        record_failure(stale, UncertainDelivery("the send was cut off (worker stopped or database lost): outcome unknown"))
    return len(stale)


def unsent_due(now=None):
    """Rows to queue again: pending past their backoff, or queued so long ago that the task was lost.
    Never a row queued recently or being sent (that would send it from two workers)."""
    now = now or timezone.now()
    return (Outbox.objects.filter(sent_at=None)
            .filter(Q(state=Outbox.State.PENDING, next_attempt_at__lte=now)
                    | Q(state=Outbox.State.QUEUED, queued_at__lt=now - queued_stale()))
            .order_by("next_attempt_at"))


def requeue_unsent(now=None, limit: int = 500) -> int:
    """recover_stale, then queue what unsent_due finds (marking it queued first). Returns rows queued."""
    recover_stale(now)
    now = now or timezone.now()  # after recover_stale: what it puts back is due at once
    with transaction.atomic():
        ids = list(unsent_due(now).select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        mark_queued(ids, now)
        enqueue(ids)
    return len(ids)
