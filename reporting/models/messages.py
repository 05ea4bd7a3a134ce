"""What the portal tells people: in-app notifications and the outbox every channel sends from."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.messages import render
from common.text import single_line, truncate
from incidents.models import Incident

from reporting.models.obligations import Obligation


class Notification(models.Model):
    """The in-app notification centre: one row per person and message."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="notifications")
    obligation = models.ForeignKey(Obligation, verbose_name=_("obligation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="notifications")
    incident = models.ForeignKey(Incident, verbose_name=_("incident"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    step = models.CharField(_("step"), max_length=30)
    # Kept in the portal's language (what the API gives, and all older rows have).
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    # The same message as keys and parameters (common.messages), shown in the reader's language.
    # An empty body_key with a key: the body is what someone typed (a report's text), shown as kept.
    message_key = models.CharField(_("message key"), max_length=100, blank=True)
    body_key = models.CharField(_("body key"), max_length=100, blank=True)
    message_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    @property
    def title_text(self) -> str:
        return truncate(single_line(render(self.message_key, self.message_params, self.title)), 200)

    @property
    def body_text(self) -> str:
        return render(self.body_key, self.message_params, self.body)


class Outbox(models.Model):
    """One message to send for one step of one obligation. The unique constraint is what makes
    two sweeps at once, a restart or a catch-up after an outage send each message once."""

    class Step(models.TextChoices):
        REMINDER_HALF = "reminder_half", _("reminder at half time")
        REMINDER_SOON = "reminder_soon", _("reminder shortly before the deadline")
        REMINDER_DAY = "reminder_day", _("reminder one day before the deadline")
        OVERDUE = "overdue", _("overdue notice")
        ESCALATION = "escalation", _("escalation to the leading group")
        # Not a deadline's: a step of the incident someone must hear of (reporting.notices).
        NOTICE = "notice", _("notice of a step")
        REPORT = "report", _("the report itself")

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("in-app")
        EMAIL = "email", _("email")
        WEBHOOK = "webhook", _("group robot webhook")

    class State(models.TextChoices):
        # pending → queued → sending → sent; a definite failure goes back to pending (backoff) and,
        # after MAX_ATTEMPTS, to failed; an uncertain outcome (timeout or crash after the request
        # left) goes back to pending once, marked as a resend, and to uncertain if that too is unknown.
        PENDING = "pending", _("waiting to be sent")
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        UNCERTAIN = "uncertain", _("outcome unknown")

    # Indexed by outbox_once, whose first column it is. No database constraint: the sweep writes
    # these rows only for obligations it holds locked, obligations are never deleted (PROTECT still
    # guards that in Django), and checking 2,000 keys at commit was a seventh of the sweep's time.
    # Empty for a report sent by email (`delivery`): that message carries the report, not a deadline notice.
    obligation = models.ForeignKey(Obligation, verbose_name=_("obligation"), on_delete=models.PROTECT, related_name="outbox",
                                   db_index=False, db_constraint=False, null=True, blank=True)
    # Or the incident's step it tells of (Step.NOTICE; reporting.notices), with the message for
    # this recipient's role (a common.messages key). Exactly one of obligation, event and delivery is set.
    event = models.ForeignKey("incidents.IncidentEvent", verbose_name=_("event"), on_delete=models.PROTECT,
                              related_name="+", null=True, blank=True, db_index=False)
    message_key = models.CharField(_("message key"), max_length=100, blank=True)
    delivery = models.ForeignKey("ReportDelivery", verbose_name=_("report delivery"), on_delete=models.PROTECT,
                                 related_name="outbox", null=True, blank=True)
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=300, help_text=_("user id, email address or webhook URL"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # A failed send is tried again from here on (backoff), by reporting.tasks.redeliver_unsent.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    # Handed to the broker at: redeliver_unsent leaves a queued row alone until this is stale.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    # Recorded and committed before the request leaves: a row still "sending" long after this was
    # cut off mid-send (worker killed, database gone) and its outcome is unknown.
    attempted_at = models.DateTimeField(_("attempted at"), null=True, blank=True)
    # Set when an attempt's outcome was unknown: the one resend says "resent, originally at …".
    resend_of_at = models.DateTimeField(_("resend of the attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(fields=["obligation", "step", "channel", "recipient"], name="outbox_once"),
            models.UniqueConstraint(fields=["event", "message_key", "channel", "recipient"], name="outbox_notice_once",
                                    condition=Q(event__isnull=False)),
            models.UniqueConstraint(fields=["delivery"], condition=Q(delivery__isnull=False), name="outbox_one_per_delivery"),
            # What a row carries: a deadline's notice, an incident step's notice, or a report by email; one of them.
            models.CheckConstraint(
                condition=Q(obligation__isnull=False, event__isnull=True, delivery__isnull=True)
                | Q(obligation__isnull=True, event__isnull=False, delivery__isnull=True)
                | Q(obligation__isnull=True, event__isnull=True, delivery__isnull=False),
                name="outbox_one_source"),
        ]
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent")]
