"""An early-warning deployment (节前预警部署, plan 三(三)4 2)): opened by beat a set number of days
before a holiday or major event, with its tasks; each task's deadline is an obligation
(reporting.models.Obligation, kind deployment_task), swept like a report's."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.models.releases import Release
from roles.models import Unit


class Deployment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("all tasks done")

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="deployments",
                               limit_choices_to={"kind": Unit.Kind.BUREAU})
    # What it is for, as one key: "holiday:<trigger key>:<first day>" or "event:<major event id>".
    # Unique with the bureau: beat may run twice or catch up after missed days, one deployment each.
    occasion_key = models.CharField(_("occasion key"), max_length=80, editable=False)
    name = models.CharField(_("occasion"), max_length=150)
    name_en = models.CharField(_("occasion (English)"), max_length=150, blank=True)
    holiday = models.ForeignKey("alerts.HolidayTrigger", verbose_name=_("holiday"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="deployments")
    major_event = models.ForeignKey("alerts.MajorEvent", verbose_name=_("major event"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="deployments")
    first_day = models.DateField(_("first day of the occasion"))
    opens_on = models.DateField(_("due to open on"))
    opened_at = models.DateTimeField(_("opened at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("early-warning deployment")
        verbose_name_plural = _("early-warning deployments")
        ordering = ["-first_day", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "occasion_key"], name="deployment_unique_occasion"),
        ]

    @property
    def display_name(self) -> str:
        from roles.models import BilingualName

        return BilingualName.name_in_language(self.name, self.name_en)

    def __str__(self):
        return f"{self.display_name} {self.first_day:%Y-%m-%d}"


class DeploymentTask(models.Model):
    """A task of a deployment as the template had it when the deployment opened; its deadline is the
    obligation (deployment, kind deployment_task, sequence = number)."""

    deployment = models.ForeignKey(Deployment, verbose_name=_("deployment"), on_delete=models.PROTECT,
                                   related_name="tasks")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("task"), max_length=200)
    owner_unit = models.ForeignKey(Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT,
                                   related_name="deployment_tasks")
    due_at = models.DateTimeField(_("due at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey("roles.User", verbose_name=_("done by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    done_on_approval = models.CharField(_("done when the leader approves"), max_length=32, blank=True,
                                        choices=Release.Kind.choices)  # as the template had it

    class Meta:
        verbose_name = _("deployment task")
        verbose_name_plural = _("deployment tasks")
        ordering = ["deployment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deployment", "number"], name="deployment_task_unique_number"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"
