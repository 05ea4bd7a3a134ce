"""Reports leaving the portal (issue 11): one delivery per report, recipient and channel; the sweep's heartbeat."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Contact

from reporting.models.obligations import Obligation
from reporting.models.reports import Report


class ReportDelivery(models.Model):
    """One report to one outside recipient by one channel (issue 11): the proof that it left and
    arrived. The report counts as sent to the recipient once a delivery is `sent` or `received`.

    email: the portal sends the PDF (an Outbox row, retried; `message_id`); portal: it arrives in
    the inbox of the recipient's unit (Contact.portal_unit) at once; phone / fax: a person records
    when, which number and, for a phone call, who answered (电话确认). Receipt (签收): the receiving
    office signs in the portal, an email recipient through a signed link, or the office records a
    phone confirmation."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        PORTAL = "portal", _("this system")
        PHONE = "phone", _("phone")
        FAX = "fax", _("fax")

    class State(models.TextChoices):
        QUEUED = "queued", _("being sent")
        SENT = "sent", _("sent, not yet signed for")
        RECEIVED = "received", _("received (已签收)")
        FAILED = "failed", _("failed")

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(Contact, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    address = models.CharField(_("address or number"), max_length=254, blank=True,
                               help_text=_("The email address, or the number dialled or faxed."))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("message id"), max_length=254, blank=True)
    failure_reason = models.TextField(_("reason of the failure"), blank=True)
    # 退信: when the portal read the recipient's mail server's bounce (reporting.bounces). A bounce
    # makes the delivery failed (the reason is the server's diagnostic) after it had left.
    bounced_at = models.DateTimeField(_("bounced at (退信)"), null=True, blank=True)
    # A delay notice (4.x.x, Action: delayed): the server is still trying; a note, no effect.
    delay_note = models.TextField(_("delay notice from the mail server"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # 电话确认: who at the other end confirmed it, and when.
    confirmed_name = models.CharField(_("confirmed by (电话确认)"), max_length=50, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed for by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    signed_name = models.CharField(_("signed for by (name given)"), max_length=50, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    # The 补报文字 a phone report owes (rule 15), fulfilled when the report leaves in writing.
    follow_up = models.OneToOneField(Obligation, verbose_name=_("written report owed"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="phone_delivery")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["report", "recipient", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "recipient", "channel"], name="delivery_once")]
        indexes = [models.Index(fields=["state", "sent_at"], name="delivery_state_sent"),
                   # A bounce names the Message-ID it returns (reporting.bounces); only emails have one.
                   models.Index(fields=["message_id"], condition=~Q(message_id=""), name="delivery_message_id")]

    def __str__(self):
        return f"{self.report_id} → {self.recipient} ({self.get_channel_display()})"

    @property
    def has_left(self) -> bool:
        return self.state in (self.State.SENT, self.State.RECEIVED)


class DeliveryBounce(models.Model):
    """One bounce (退信) of a report email, kept for the record (docs/deadlines.md rule 18): which
    message (its Message-ID, when it left, to which address), when the portal read the bounce, the
    server's reason, and whether it opened the report's deadline again. The delivery itself may be
    sent again after it (the office's "send again"); this row stays."""

    delivery = models.ForeignKey(ReportDelivery, verbose_name=_("report delivery"), on_delete=models.PROTECT,
                                 related_name="bounces")
    message_id = models.CharField(_("message id"), max_length=254)
    address = models.CharField(_("address"), max_length=254)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at (退信)"))
    reason = models.TextField(_("reason of the failure"), blank=True)
    reopened = models.BooleanField(_("deadline open again after the bounce"), default=False)

    class Meta:
        verbose_name = _("bounce (退信)")
        verbose_name_plural = _("bounces (退信)")
        ordering = ["bounced_at", "pk"]
        # One message bounces once, however often its bounce is read (two readers, a second DSN).
        constraints = [models.UniqueConstraint(fields=["delivery", "message_id"], name="bounce_once")]

    def __str__(self):
        return f"{self.delivery_id} {self.message_id}"


class SweepHeartbeat(models.Model):
    """One row per sweep: pages warn when the newest is older than a minute (the beat is down)."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    marked_overdue = models.PositiveIntegerField(_("marked overdue"), default=0)
    messages = models.PositiveIntegerField(_("messages queued"), default=0)

    class Meta:
        verbose_name = _("sweep heartbeat")
        verbose_name_plural = _("sweep heartbeats")
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["-finished_at"], name="heartbeat_latest")]
