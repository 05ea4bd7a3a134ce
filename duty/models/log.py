"""The duty log (值班电话记录, issue 14 part 2): a call or message received on duty, as the person on
duty wrote it down, and what became of it — registered as an incident (one incident, once) or closed
with a reason. Systems such as 12315 push entries through the API under an idempotency key.

State changes happen only in duty.log; reads in duty.log_selectors."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Unit


class DutyLogEntry(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("phone call")
        MESSAGE = "message", _("message (SMS, fax, letter)")
        COMPLAINTS_12315 = "12315", _("12315 platform")
        OTHER_SYSTEM = "other_system", _("other system")

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting handling")
        REGISTERED = "registered", _("registered as an incident")
        CLOSED = "closed", _("closed with a reason")

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": Unit.Kind.BUREAU})
    # Server time when the entry reached the portal (typed in, or pushed the first time): never a
    # clock in the browser or in the pushing system. The caller's time of the event is event_time.
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    channel = models.CharField(_("received through"), max_length=20, choices=Channel.choices, default=Channel.PHONE)
    subject = models.CharField(_("subject"), max_length=200, help_text=_("One line: what the call is about."))

    # Who called (来电单位、姓名、职务、电话).
    caller_unit = models.CharField(_("caller's unit"), max_length=200, blank=True)
    caller_name = models.CharField(_("caller's name"), max_length=50, blank=True)
    caller_position = models.CharField(_("caller's position"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=30, blank=True)

    # What happened, as the caller told it (时间、地点、起因、经过、措施、结果、影响、趋势). The texts are
    # unbounded columns, bounded by duty.log.TEXT_LIMITS in the form, the API and the service.
    event_time = models.DateTimeField(_("time of the event"), null=True, blank=True,
                                      help_text=_("As the caller states it; the first-report clock starts from it."))
    event_place = models.CharField(_("place"), max_length=300, blank=True)
    event_cause = models.TextField(_("cause of the event"), blank=True)
    event_course = models.TextField(_("course of events"), blank=True)
    event_measures = models.TextField(_("measures taken"), blank=True)
    event_result = models.TextField(_("result of the event"), blank=True)
    event_impact = models.TextField(_("impact"), blank=True)
    event_trend = models.TextField(_("trend"), blank=True)
    already_told = models.TextField(_("already told"), blank=True,
                                    help_text=_("Whom the caller has already told (units, people)."))

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    # A pushing system's name and its own id of the entry: together the idempotency key of a push.
    # Both empty for what is typed in the portal.
    source = models.CharField(_("source system"), max_length=50, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    # One entry becomes at most one incident, and an incident comes from at most one entry.
    incident = models.OneToOneField("incidents.Incident", verbose_name=_("incident"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="duty_log_entry")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log entries")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # The idempotency key: a repeated push (a retry, two pushes racing) never makes a second row.
            models.UniqueConstraint(fields=["source", "external_id"], condition=~Q(external_id=""),
                                    name="dutylog_unique_external_id"),
            models.CheckConstraint(condition=Q(external_id="") | ~Q(source=""), name="dutylog_external_id_has_source"),
            models.CheckConstraint(
                condition=(Q(status="registered") & Q(incident__isnull=False))
                | (~Q(status="registered") & Q(incident__isnull=True)),
                name="dutylog_registered_has_incident"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(close_reason=""), name="dutylog_closed_has_reason"),
        ]
        indexes = [
            # The list (duty.log_selectors.log_list): a bureau's entries newest first, optionally by status.
            models.Index(fields=["bureau", "received_at", "id"], include=["status"], name="dutylog_bureau_received"),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        """The number quoted on the phone: local year of receipt and id, e.g. 2026-00012."""
        if not self.pk:
            return ""
        return f"{timezone.localtime(self.received_at).year}-{self.pk:05d}"
