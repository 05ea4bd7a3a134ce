"""The inventory of 应急物资与装备 (plan 四(二) 物资与装备保障; 三(三)1.6 "执法车辆、通讯、检测设备处于备用状态"):
reserve points, the items kept there, and each item's checks."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Unit


class ReservePoint(models.Model):
    """A place where a bureau keeps equipment and supplies (储备点), with its keeper."""

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": Unit.Kind.BUREAU})
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    keeper = models.CharField(_("keeper"), max_length=50, blank=True)
    phone = models.CharField(_("keeper's phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("reserve point")
        verbose_name_plural = _("reserve points")
        ordering = ["bureau", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["bureau", "name"], name="reserve_point_unique_name")]

    def __str__(self):
        return self.name


class Resource(models.Model):
    """One line of the inventory: an item (a vehicle, a satellite phone) or a stock (200 test kits).

    `quantity` is what the bureau holds; `dispatched_quantity` what is out with incidents now
    (resources.services.resource_dispatch / resource_return keep it). The status says whether the
    item may be sent out: only READY items are offered for dispatch, up to what is not out."""

    class Category(models.TextChoices):
        VEHICLE = "vehicle", _("vehicle")
        COMMUNICATIONS = "communications", _("communications equipment")
        TESTING = "testing", _("rapid-test kit or testing equipment")
        PROTECTIVE = "protective", _("protective gear")
        LAW_ENFORCEMENT = "law_enforcement", _("law-enforcement equipment")
        SUPPLIES = "supplies", _("supplies")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        READY = "ready", _("ready for use")
        MAINTENANCE = "maintenance", _("in maintenance")
        DISPATCHED = "dispatched", _("dispatched")
        RETIRED = "retired", _("retired")

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": Unit.Kind.BUREAU})
    category = models.CharField(_("resource category"), max_length=20, choices=Category.choices)
    name = models.CharField(_("name"), max_length=100)
    spec = models.CharField(_("model or specification"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("0.01"))])
    unit_of_measure = models.CharField(_("unit of measure"), max_length=10, help_text=_("e.g. 台, 辆, 套, 箱"))
    dispatched_quantity = models.DecimalField(_("dispatched quantity"), max_digits=12, decimal_places=2, default=0)
    owner_unit = models.ForeignKey(Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+")
    reserve_point = models.ForeignKey(ReservePoint, verbose_name=_("reserve point"), on_delete=models.PROTECT,
                                      related_name="resources")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.READY)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    # Data, per item: its default comes from the category (resources.rules.default_check_interval).
    check_interval_days = models.PositiveSmallIntegerField(
        _("check every (days)"), validators=[MinValueValidator(1), MaxValueValidator(3650)])
    # The due time of the open check obligation (resources.services keep both in step).
    next_check_due = models.DateTimeField(_("next check due"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("emergency resource")
        verbose_name_plural = _("emergency resources")
        ordering = ["category", "name", "pk"]
        indexes = [
            # The inventory list and the readiness view: a bureau's items by status (resources.selectors).
            models.Index(fields=["bureau", "status", "category"], name="resource_bureau_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="resource_quantity_positive"),
            models.CheckConstraint(condition=Q(dispatched_quantity__gte=0) & Q(dispatched_quantity__lte=models.F("quantity")),
                                   name="resource_dispatched_within_quantity"),
        ]

    def __str__(self):
        return self.name

    @property
    def available(self) -> Decimal:
        """What may still be dispatched: the quantity not out, for a READY item; else nothing."""
        if self.status != self.Status.READY:
            return Decimal(0)
        return self.quantity - self.dispatched_quantity

    @property
    def check_overdue(self) -> bool:
        return (self.status != self.Status.RETIRED and self.next_check_due is not None
                and self.next_check_due < timezone.now())


class ResourceCheck(models.Model):
    """One check of an item (检查/维护保养), which fulfils its check obligation."""

    class Result(models.TextChoices):
        GOOD = "good", _("in good order")
        NEEDS_MAINTENANCE = "needs_maintenance", _("needs maintenance")
        UNUSABLE = "unusable", _("unusable")

    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="checks")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField(_("checked at"))
    result = models.CharField(_("check result"), max_length=20, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("resource check")
        verbose_name_plural = _("resource checks")
        ordering = ["-checked_at", "-pk"]
