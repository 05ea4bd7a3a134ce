"""Resources sent to an incident and brought back (调拨/归还); each move is on the incident's
timeline (resources.timeline, a source of incidents.timeline.TIMELINE_SOURCES)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from resources.models.inventory import Resource


class Dispatch(models.Model):
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="dispatches")
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="resource_dispatches")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("0.01"))])
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dispatched by"), on_delete=models.PROTECT,
                                      related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched at"))
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("returned by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["dispatched_at", "pk"]

    def __str__(self):
        return f"{self.resource} → {self.incident_id}"

    @property
    def is_out(self) -> bool:
        return self.returned_at is None
