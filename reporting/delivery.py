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
database row each, written in the same transaction that marks the outbox row sent (a task's rows
together). The wire — the robot post, the email, the limiter — is reporting.outbound.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common.messages import define, stored
from common.text import single_line, truncate
from reporting import notices
from reporting.models import Kind, Notification, Outbox
from reporting.outbound import (  # noqa: F401 - the wire's names, also reached through this module
    ROBOT_RATE_LIMIT_CODES,
    DeliveryError,
    RateLimited,
    UncertainDelivery,
    post_to_robot,
    robot_slot,
    send_email,
    send_message,
)
from roles.models import User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
TITLE_LENGTH = Notification._meta.get_field("title").max_length
# The first retry after a definite failure; doubled each time, at most an hour (10 attempts ≈ 4.5 h).
FIRST_BACKOFF = timedelta(seconds=30)
# WeCom takes at most 2,048 bytes of text per message (DingTalk more): a digest is split below that.
ROBOT_MAX_BYTES = 1800
QUEUES = {Outbox.Channel.IN_APP: "in_app", Outbox.Channel.EMAIL: "email", Outbox.Channel.WEBHOOK: "webhook"}


def queued_stale() -> timedelta:
    """A row queued this long ago whose task never ran (broker lost it, worker killed) is queued again."""
    return timedelta(seconds=settings.OUTBOX_QUEUED_STALE_SECONDS)


def sending_stale() -> timedelta:
    """How long a row may stay `sending` before its worker is presumed dead. An SMTP exchange is up
    to six commands, each allowed EMAIL_TIMEOUT; OUTBOX_SENDING_MARGIN_SECONDS more (a minute by
    default) for a slow database."""
    return timedelta(seconds=6 * max(settings.EMAIL_TIMEOUT, settings.ROBOT_TIMEOUT_SECONDS)
                     + settings.OUTBOX_SENDING_MARGIN_SECONDS)


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


DEADLINE_TITLES = {
    Outbox.Step.REMINDER_HALF: define("deadline.reminder_half", gettext_noop(
        "Half the time is gone: %(what)s is due at %(due)s")),
    Outbox.Step.REMINDER_SOON: define("deadline.reminder_soon", gettext_noop("Due soon: %(what)s is due at %(due)s")),
    Outbox.Step.REMINDER_DAY: define("deadline.reminder_day", gettext_noop("Due tomorrow: %(what)s is due at %(due)s")),
    Outbox.Step.OVERDUE: define("deadline.overdue", gettext_noop("Overdue: %(what)s was due at %(due)s")),
    Outbox.Step.ESCALATION: define("deadline.escalation", gettext_noop(
        "Escalated to the leading group: %(what)s, due at %(due)s, is still missing")),
}
# A measure's escalation goes to the HQ commander (docs/deadlines.md rule 7).
MEASURE_ESCALATION = define("deadline.escalation_measure", gettext_noop(
    "Escalated to the HQ commander: %(what)s, due at %(due)s, is still not done"))
DEADLINE_BODY = define("deadline.body", gettext_noop(
    "Owner: %(unit)s. Late, concealed or missing reports are pursued under the plan (五(三))."))


def obligation_related() -> list[str]:
    """select_related paths from an outbox row to its obligation's subject, whatever it is (reporting.subjects)."""
    from reporting.subjects import subject_related

    return [f"obligation__{path}" for path in subject_related()]


def message_parts(row: Outbox) -> tuple[str, str, dict, str]:
    """(title key, body key, params, body as typed) of a row's message (common.messages): rendered
    in the portal's language for email and robots, in each reader's language in the app."""
    if row.event_id is not None:
        return notices.notice_parts(row)
    obligation = row.obligation
    # A station's unsent draft is named by its reference only (docs/deadlines.md rule 2): subject_label.
    # Named in the portal's language; the message's other parts are rendered in each reader's.
    with translation.override(settings.LANGUAGE_CODE):
        named = obligation.subject_label
    key = MEASURE_ESCALATION if (obligation.kind, row.step) == (Kind.MEASURE, Outbox.Step.ESCALATION) else DEADLINE_TITLES[row.step]
    params = {"what": {"deadline": [obligation.kind, named]}, "due": {"time": obligation.due_at.isoformat()},
              "unit": obligation.owner_unit.message_param}
    return key, DEADLINE_BODY, params, ""


def message(row: Outbox) -> tuple[str, str]:
    """Title and body in the portal's language (Chinese); a resend says so, with the original time.
    The title is a label: at most the column's 200 characters and one line (it is also the email's
    subject); the incident's title gives way, the kind, reference and due time stay."""
    title_key, body_key, params, typed = message_parts(row)
    prefix = resend_prefix(row.resend_of_at) if row.resend_of_at is not None else ""
    shrink = "what" if "what" in params else "incident"
    title = prefix + stored(title_key, params, limit=TITLE_LENGTH - len(prefix), shrink=shrink)
    return title, stored(body_key, params) if body_key else typed


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
    """A robot message has no subject line: the subject (or the single title) heads the text. An
    overdue notice to the office's group names who is on duty (issue 14, reporting.on_duty)."""
    subject, text = digest(rows)
    duty = on_duty_line(rows)
    return f"{subject}\n{text}" + (f"\n\n{duty}" if duty else "")


# The on-duty line fits in what ROBOT_MAX_BYTES leaves below the robots' 2,048 bytes.
DUTY_LINE_MAX_BYTES = 200


def on_duty_line(rows: list[Outbox]) -> str:
    """"值班：张三、王五（带班领导：李四）" for the bureau of the first overdue notice among `rows`, in the
    portal's language; empty when there is none or nobody is on duty."""
    from reporting.on_duty import on_duty

    row = next((r for r in rows if r.step == Outbox.Step.OVERDUE and r.obligation_id is not None), None)
    bureau = row.obligation.owner_unit.bureau() if row is not None else None
    if bureau is None:
        return ""
    leader, staff = on_duty(bureau, timezone.now())
    if leader is None and not staff:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        line = _("On duty: %(staff)s (leader on duty: %(leader)s)") % {
            "staff": "、".join(user.display_name for user in staff) or "—",
            "leader": leader.display_name if leader is not None else "—"}
    return line.encode("utf-8")[:DUTY_LINE_MAX_BYTES].decode("utf-8", "ignore")


def notify(users, *, step: str, title: str, body: str = "", incident=None, obligation=None, message_key: str = "",
           body_key: str = "", message_params: dict | None = None) -> list[Notification]:
    """In-app notifications, one per person: what the outbox sends, and what services tell at once.
    The title is a label: made one line and cut to the column's length here, whoever built it.
    `title` and `body` are kept in the portal's language; with `message_key` (and `body_key`) and
    `message_params` the page shows them in the reader's (common.messages)."""
    title = truncate(single_line(title), TITLE_LENGTH)
    return Notification.objects.bulk_create([
        Notification(user=user, obligation=obligation, incident=incident, step=step, title=title, body=body,
                     message_key=message_key, body_key=body_key, message_params=message_params or {})
        for user in users
    ])


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
    in_app = [row.pk for row in rows if row.channel == Outbox.Channel.IN_APP]
    sent = deliver_in_app_rows(in_app) if in_app else 0
    groups = defaultdict(list)
    for row in rows:
        if row.delivery_id is not None:  # a report itself, with its PDF: alone, never in a digest
            from reporting.sending import deliver_report_email  # sending sits on top of this module

            try:
                sent += deliver_report_email(row.pk)
            except Exception:  # noqa: BLE001 - recorded on the row and the delivery; the next row still goes
                log.exception("delivery of report outbox row %s failed", row.pk)
        elif row.channel != Outbox.Channel.IN_APP:
            # A resend travels apart from first sends: its digest carries the "resent" mark.
            groups[(row.channel, row.recipient, row.resend_of_at is not None)].append(row.pk)
    for (channel, recipient, _resend), ids in groups.items():
        try:
            sent += deliver_group(channel, recipient, ids)
        except Exception:  # noqa: BLE001 - recorded on the rows by deliver_group; the next group still goes
            log.exception("delivery of outbox rows %s failed", ids)
    return sent


def deliver_in_app_rows(outbox_ids: list[int]) -> int:
    """In-app rows in one transaction: the notifications in one insert, the rows marked sent in one
    update (a sweep's batch makes hundreds; one transaction each kept the last of them waiting
    seconds behind the first, issue 16's lag target). Rows another worker holds are skipped. If
    anything in the batch fails (a recipient who no longer exists), nothing of it is kept and the
    rows go one by one, so one bad row fails alone and is recorded on itself. Returns rows sent."""
    try:
        with transaction.atomic():
            rows = list(Outbox.objects.select_for_update(of=("self",), skip_locked=True)
                        .select_related(*obligation_related(), "obligation__owner_unit", "event__incident")
                        .filter(claimable(timezone.now()), pk__in=outbox_ids, channel=Outbox.Channel.IN_APP)
                        .order_by("pk"))
            users = User.objects.in_bulk({int(row.recipient) for row in rows})
            notes = []
            for row in rows:
                title, body = message(row)
                title_key, body_key, params, _typed = message_parts(row)  # shown in each reader's language
                incident = row.event.incident if row.event_id is not None else row.obligation.incident
                notes.append(Notification(user=users[int(row.recipient)], obligation=row.obligation, step=row.step,
                                          incident=incident, body=body, title=truncate(single_line(title), TITLE_LENGTH),
                                          message_key=title_key, body_key=body_key, message_params=params))
            Notification.objects.bulk_create(notes)
            now = timezone.now()
            Outbox.objects.filter(pk__in=[row.pk for row in rows]).update(
                state=Outbox.State.SENT, sent_at=now, attempted_at=now, attempts=F("attempts") + 1)
            return len(rows)
    except Exception:  # noqa: BLE001 - rolled back whole; one by one, each failure recorded on its row
        log.warning("in-app batch of %d rows failed; delivering them one by one", len(outbox_ids), exc_info=True)
        return sum(deliver_in_app(pk) for pk in outbox_ids)


def deliver_in_app(outbox_id: int) -> int:
    """The notification and the sent mark in one transaction (a savepoint inside a caller's):
    nothing leaves the database, so there is nothing uncertain. 1 if sent."""
    try:
        with transaction.atomic():
            row = (Outbox.objects.select_for_update(of=("self",), skip_locked=True)
                   .select_related(*obligation_related(), "obligation__owner_unit", "event__incident")
                   .filter(claimable(timezone.now()), pk=outbox_id).first())
            if row is None:
                return 0
            title, body = message(row)
            title_key, body_key, params, _typed = message_parts(row)
            user = User.objects.get(pk=int(row.recipient))
            incident = row.event.incident if row.event_id is not None else row.obligation.incident
            notify([user], step=row.step, title=title, body=body, incident=incident, obligation=row.obligation,
                   message_key=title_key, body_key=body_key, message_params=params)
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
                    .select_related(*obligation_related(), "obligation__owner_unit", "event__incident")
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
