"""What an early-warning deployment is opened for (plan 三(三)4 2) 节日市场应急预警, 3) 重要活动): the
statutory holidays that trigger one, the major events the office adds, and the tasks of a
deployment as a template the office edits. All of it data: code reads it, it does not name holidays
or tasks."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alerts.models.releases import Release
from roles.models import BilingualName, Unit


class HolidayTrigger(BilingualName):
    """A statutory holiday that opens a deployment. `key` names it in alerts.calendar.HOLIDAY_NAMES
    (the `holidays` library's own names for it); seeded with the plan's four (元旦, 春节, “五一”,
    “十一”); the others the library knows (清明, 端午, 中秋) are there, switched off."""

    key = models.SlugField(_("key"), max_length=30, unique=True)
    active = models.BooleanField(_("opens a deployment"), default=True)

    class Meta:
        verbose_name = _("holiday that opens a deployment")
        verbose_name_plural = _("holidays that open a deployment")
        ordering = ["pk"]


class MajorEvent(models.Model):
    """An important activity or meeting the office adds (三(三)4 3) 重要会议活动期间): a deployment
    opens before its first day as before a holiday."""

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="major_events",
                               limit_choices_to={"kind": Unit.Kind.BUREAU})
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    places = models.CharField(_("places"), max_length=300, blank=True)
    created_by = models.ForeignKey("roles.User", verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("major event")
        verbose_name_plural = _("major events")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="major_event_ends_after_start"),
        ]

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})

    def __str__(self):
        return self.name


class TaskTemplate(models.Model):
    """One task of every deployment of a bureau (the office edits them): its title, the section that
    owes it (by its number in the plan, 二(二)1, so that one template fits every county's sections),
    and how many days before the occasion's first day it is due (at 24:00 Asia/Shanghai of that day).

    Rows without a bureau are the plan's defaults (seeded by migration 0003_task_templates); a bureau's
    own rows are copied from them the first time it needs them (alerts.services.task_templates_for)."""

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="alert_task_templates", limit_choices_to={"kind": Unit.Kind.BUREAU})
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("task"), max_length=200)
    owner_number = models.PositiveSmallIntegerField(
        _("owner section (number in the plan)"), validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("The section's number in the plan: 1 the office, 2 publicity, 19 the 12315 complaint centre."))
    days_before = models.PositiveSmallIntegerField(
        _("due days before the first day"), validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("1: due by 24:00 of the day before the occasion's first day."))
    active = models.BooleanField(_("in use"), default=True)
    # The plan's "消费预警起草并经领导审批" is done the moment the leader approves the warning (四(三)).
    done_on_approval = models.CharField(
        _("done when the leader approves"), max_length=32, blank=True, choices=Release.Kind.choices,
        help_text=_("A release of this kind, linked to the deployment, completes the task when the leader approves it."))

    class Meta:
        verbose_name = _("deployment task template")
        verbose_name_plural = _("deployment task templates")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "number"], name="task_template_unique_number"),
            models.UniqueConstraint(fields=["number"], condition=Q(bureau=None), name="task_template_unique_default"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"
