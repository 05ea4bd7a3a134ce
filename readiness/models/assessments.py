"""Capability self-assessment (能力自评估) on the dimensions of the second source."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Unit


class Dimension(models.TextChoices):
    # The eight parts of a community's emergency capability in the second source (城市社区应急管理能力).
    PLANS = "plans", _("plans (预案体系)")
    ORGANISATION = "organisation", _("organisation (组织体系)")
    TEAMS = "teams", _("teams (队伍建设)")
    RESOURCES = "resources", _("resources (物资保障)")
    DRILLS_TRAINING = "drills_training", _("drills and training (演练培训)")
    INFORMATION_WARNING = "information_warning", _("information and warning (信息预警)")
    PUBLIC_PARTICIPATION = "public_participation", _("public participation (公众参与)")
    RECOVERY = "recovery", _("recovery (恢复重建)")


MAX_SCORE = 100


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        FINAL = "final", _("final")

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": "bureau"})
    period = models.CharField(_("period"), max_length=50, help_text=_("e.g. 2026 or 2026 first half"))
    assessed_on = models.DateField(_("assessed on"))
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("capability self-assessment")
        verbose_name_plural = _("capability self-assessments")
        ordering = ["-assessed_on", "-pk"]

    def __str__(self):
        return self.period


class DimensionScore(models.Model):
    """A score from 0 to 100 on one dimension, with the evidence it rests on."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="scores")
    dimension = models.CharField(_("dimension"), max_length=30, choices=Dimension.choices)
    score = models.PositiveSmallIntegerField(_("score (0–100)"), validators=[MaxValueValidator(MAX_SCORE)])
    evidence = models.TextField(_("evidence"))

    class Meta:
        verbose_name = _("dimension score")
        verbose_name_plural = _("dimension scores")
        ordering = ["assessment", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "dimension"], name="dimension_score_unique"),
            models.CheckConstraint(condition=models.Q(score__lte=MAX_SCORE), name="dimension_score_range"),
        ]


class ImprovementAction(models.Model):
    """What a unit will improve by a deadline after an assessment (IMPROVEMENT_ACTION)."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT,
                                   related_name="actions")
    dimension = models.CharField(_("dimension"), max_length=30, choices=Dimension.choices)
    description = models.TextField(_("improvement action"))
    owner_unit = models.ForeignKey(Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"), help_text=_("Due by 24:00 of this day."))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["deadline", "pk"]
