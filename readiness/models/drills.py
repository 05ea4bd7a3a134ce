"""Drills (演练): the annual drill plan, each drill, and the rectification items it finds."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Unit


class DrillPlan(models.Model):
    """A bureau's drill plan for one year (年度演练计划)."""

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": "bureau"})
    year = models.PositiveSmallIntegerField(_("year"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("drill plan")
        verbose_name_plural = _("drill plans")
        ordering = ["-year", "pk"]
        constraints = [models.UniqueConstraint(fields=["bureau", "year"], name="drill_plan_unique_year")]

    def __str__(self):
        return str(self.year)


class Drill(models.Model):
    class Type(models.TextChoices):
        TABLETOP = "tabletop", _("tabletop (桌面推演)")
        FUNCTIONAL = "functional", _("functional (功能演练)")
        FULL_SCALE = "full_scale", _("full-scale (综合演练)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    drill_plan = models.ForeignKey(DrillPlan, verbose_name=_("drill plan"), on_delete=models.PROTECT, related_name="drills")
    title = models.CharField(_("title"), max_length=200)
    scenario = models.TextField(_("scenario"))
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    date = models.DateField(_("date"))
    units = models.ManyToManyField(Unit, verbose_name=_("units taking part"), related_name="+", blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("people taking part"),
                                          related_name="drills", blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return self.title


class RectificationItem(models.Model):
    """A problem a drill found and what its owner unit must put right by a deadline (RECTIFICATION)."""

    drill = models.ForeignKey(Drill, verbose_name=_("drill"), on_delete=models.PROTECT, related_name="rectifications")
    problem = models.TextField(_("problem found"))
    action = models.TextField(_("rectification"))
    owner_unit = models.ForeignKey(Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"), help_text=_("Due by 24:00 of this day."))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    done_note = models.TextField(_("what was done"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.problem[:50]
