"""Training (培训): courses, who attended with what result, each person's record."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Unit


class Course(models.Model):
    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": "bureau"})
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=100, help_text=_("What it trains for, e.g. 食品安全事故处置"))
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("200"))])
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    class Result(models.TextChoices):
        PASSED = "passed", _("passed")
        FAILED = "failed", _("failed")
        ABSENT = "absent", _("absent")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="trainings")
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["course", "user"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="attendance_unique_person")]
