"""Reports as submitted (immutable) and their document numbers (GB/T 9704 发文字号)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident
from roles.models import Contact, Unit

from reporting.models.rules import Kind


class Report(models.Model):
    """A report as submitted: immutable; a correction is a new report pointing at the old one."""

    class Channel(models.TextChoices):
        SYSTEM = "system", _("this system")
        FAX = "fax", _("fax")
        PHONE = "phone", _("phone")
        EMAIL = "email", _("email")

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    sequence = models.PositiveIntegerField(_("number"), default=1, help_text=_("续报一、二… for progress reports"))
    content = models.TextField(_("content"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by (签发人)"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+",
                                      help_text=_("The bureau leader who approved sending it."))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    corrects = models.ForeignKey("self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections")
    recipients = models.ManyToManyField(Contact, verbose_name=_("recipients"), blank=True, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.SYSTEM)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # What the plan requires a report to state (三(二)3), one entry per REPORT_FACTS key.
    facts = models.JSONField(_("facts stated"), default=dict, blank=True)
    # 越级上报 (三(二)2-1 特殊情况下可越级上报): a station reporting straight to the county government or
    # the city bureau states why; the office and the town government are told at the same moment.
    skip_level_reason = models.TextField(_("reason for reporting past the bureau (越级上报)"), blank=True)
    # 发文字号 (GB/T 9704-2012 7.2.4) of a report sent upward, e.g. 牟市监应急〔2026〕12号: taken from the
    # issuer's DocumentCounter when the report is submitted, kept as printed (a later change of the
    # prefix does not renumber documents already sent). Empty for reports that stay in the bureau.
    document_number = models.CharField(_("document number (发文字号)"), max_length=60, blank=True)
    document_issuer = models.ForeignKey(Unit, verbose_name=_("issuing unit (发文机关)"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+", db_index=False)
    document_year = models.PositiveSmallIntegerField(_("document year"), null=True, blank=True)
    document_serial = models.PositiveIntegerField(_("document serial"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["submitted_at", "pk"]
        constraints = [
            # A number is never given twice: the counter hands out each once, and this makes sure.
            models.UniqueConstraint(fields=["document_issuer", "document_year", "document_serial"],
                                    condition=Q(document_serial__isnull=False), name="report_document_number_once"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A submitted report is never changed; file a correction instead.")
        super().save(*args, **kwargs)


class DocumentCounter(models.Model):
    """The last document number an issuing unit gave in a year (发文字号 run per issuer and year).

    Taken by reporting.docnumbers.document_number_take with one INSERT … ON CONFLICT DO UPDATE …
    RETURNING, which locks this row until the report's transaction ends: two reports submitted at
    once get two numbers, never max()+1 twice."""

    unit = models.ForeignKey(Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number given"))

    class Meta:
        verbose_name = _("document number counter")
        verbose_name_plural = _("document number counters")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="document_counter_unit_year")]

    def __str__(self):
        return f"{self.unit} {self.year}: {self.last}"
