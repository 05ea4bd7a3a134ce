"""Sending one outbox row, once: in-app notification, email, or a group-robot webhook."""

import json
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.text import label, single_line, truncate
from reporting.models import Notification, Outbox
from roles import webhooks
from roles.models import User

MAX_ATTEMPTS = 10
WEBHOOK_TIMEOUT_SECONDS = 10
TITLE_LENGTH = Notification._meta.get_field("title").max_length


def enqueue(outbox_ids: list[int]) -> None:
    """Hand the rows to a worker once the transaction that made them has committed: one message
    for the lot (a sweep may queue thousands), each row still sent once by deliver()."""
    from reporting.tasks import deliver_outbox_rows

    if outbox_ids:
        transaction.on_commit(lambda: deliver_outbox_rows.delay(list(outbox_ids)))


def message(row: Outbox) -> tuple[str, str]:
    """Title and body in the portal's language (Chinese)."""
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
        # A label: at most the column's 200 characters and one line (it is also the email's subject);
        # the incident's title gives way, the kind, reference and due time stay.
        what = f"{obligation.get_kind_display()}（{incident.reference} {incident.title}）"
        title = label(titles[row.step], {"what": what, "due": due}, limit=TITLE_LENGTH, shrink="what")
        body = _("Owner: %(unit)s. Late, concealed or missing reports are pursued under the plan (五(三)).") % {
            "unit": obligation.owner_unit.display_name}
    return title, body


class DeliveryError(Exception):
    pass


def notify(users, *, step: str, title: str, body: str = "", incident=None, obligation=None) -> list[Notification]:
    """In-app notifications, one per person: what the outbox sends, and what services tell at once.
    The title is a label: made one line and cut to the column's length here, whoever built it."""
    title = truncate(single_line(title), TITLE_LENGTH)
    return Notification.objects.bulk_create([
        Notification(user=user, obligation=obligation, incident=incident, step=step, title=title, body=body)
        for user in users
    ])


def _send(row: Outbox) -> None:
    title, body = message(row)
    if row.channel == Outbox.Channel.IN_APP:
        user = User.objects.get(pk=int(row.recipient))
        notify([user], step=row.step, title=title, body=body, incident=row.obligation.incident,
               obligation=row.obligation)
    elif row.channel == Outbox.Channel.EMAIL:
        send_mail(single_line(title), body, settings.DEFAULT_FROM_EMAIL, [row.recipient])  # a header: one line
    elif row.channel == Outbox.Channel.WEBHOOK:
        webhooks.check_webhook_url(row.recipient)  # SSRF: resolved again now; a refusal is recorded on the row
        # The text message both WeCom and DingTalk group robots accept.
        payload = json.dumps({"msgtype": "text", "text": {"content": f"{title}\n{body}"}}, ensure_ascii=False)
        request = urllib.request.Request(row.recipient, data=payload.encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310 (the office sets these URLs)
            if response.status >= 300:
                raise DeliveryError(f"webhook answered {response.status}")


def deliver(outbox_id: int) -> bool:
    """Send the row unless it was sent already. True when this call sent it."""
    with transaction.atomic():
        row = (Outbox.objects.select_for_update(of=("self",))
               .select_related("obligation__incident", "obligation__owner_unit").get(pk=outbox_id))
        if row.sent_at is not None:
            return False
        try:
            _send(row)
        except Exception as exc:  # any failure of a channel: recorded and tried again later
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.next_attempt_at = timezone.now() + timedelta(minutes=min(60, 2 ** row.attempts))
            row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            return False
        row.sent_at = timezone.now()
        row.attempts += 1
        row.save(update_fields=["sent_at", "attempts"])
        return True


def unsent_due(now=None):
    now = now or timezone.now()
    return Outbox.objects.filter(sent_at=None, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS).order_by("next_attempt_at")
