"""Supply agreements with companies (协议储备, plan 四(二)): goods a company holds for the bureau."""

from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Unit


class SupplyAgreement(models.Model):
    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": Unit.Kind.BUREAU})
    company = models.CharField(_("company"), max_length=200)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    goods = models.CharField(_("goods"), max_length=200)
    quantity = models.CharField(_("quantity agreed"), max_length=100, blank=True, help_text=_("e.g. 500箱"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("supply agreement")
        verbose_name_plural = _("supply agreements")
        ordering = ["valid_until", "pk"]
        constraints = [models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="agreement_valid_range")]

    def __str__(self):
        return f"{self.company} · {self.goods}"

    def expires_within(self, days: int, today=None) -> bool:
        """Still valid today (local date) and ending within `days` days."""
        today = today or timezone.localdate()
        return self.valid_from <= today <= self.valid_until <= today + timedelta(days=days)

    def is_expired(self, today=None) -> bool:
        return self.valid_until < (today or timezone.localdate())
