"""The plans as versioned documents (预案管理, 六(一)): the overall plan and each section's special plan."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Unit


class Plan(models.Model):
    """One plan of a bureau: the overall plan (总体预案, revised by the leading group) or a special plan
    (专项预案) maintained by its owner section (六(一))."""

    class Kind(models.TextChoices):
        OVERALL = "overall", _("overall plan (总体预案)")
        SPECIAL = "special", _("special plan (专项预案)")

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": "bureau"})
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    owner_section = models.ForeignKey(Unit, verbose_name=_("owner section"), on_delete=models.PROTECT,
                                      related_name="+",
                                      help_text=_("The section that keeps the plan up to date and owes its reviews."))
    # Empty: settings.READINESS_PLAN_REVIEW_YEARS (the plan itself says only "及时修改和完善").
    review_interval_years = models.PositiveSmallIntegerField(
        _("review interval (years)"), null=True, blank=True,
        help_text=_("Empty: the portal's default interval."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["bureau", "kind", "title", "pk"]
        constraints = [
            # One overall plan per bureau: the revision task of an incident without a special plan goes to it.
            models.UniqueConstraint(fields=["bureau"], condition=Q(kind="overall"), name="plan_one_overall"),
        ]

    def __str__(self):
        return self.title


def plan_file_path(instance, filename):
    # Never the user's file name on disk: a random name under the plan, outside the web root.
    return f"plans/{instance.plan_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class PlanVersion(models.Model):
    """One version of a plan: its document, what changed and why, the incident whose after-action
    report led to it, and the leading group's approval. The approved version is the one in force
    until the next is approved (then superseded); its review date is an obligation (PLAN_REVIEW)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved (in force)")
        SUPERSEDED = "superseded", _("superseded")

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("document"), upload_to=plan_file_path, max_length=300)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    changes = models.TextField(_("what changed"))
    reason = models.TextField(_("why"))
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident that led to it"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT,
                                   related_name="+")
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number"),
            # At most one version in force.
            models.UniqueConstraint(fields=["plan"], condition=Q(status="approved"), name="plan_version_one_in_force"),
        ]

    def __str__(self):
        return f"{self.plan.title} v{self.number}"


class RevisionRequest(models.Model):
    """A revision task: the "plan improvements" of an incident's after-action report, owed by the
    section that owns the plan (Kind.PLAN_REVISION on the version in force). Answered by the
    version that records what changed because of it."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="revision_requests")
    version = models.ForeignKey(PlanVersion, verbose_name=_("version in force"), on_delete=models.PROTECT,
                                related_name="revision_requests")
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="+")
    improvements = models.TextField(_("plan improvements"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    answered_by = models.ForeignKey(PlanVersion, verbose_name=_("answered by version"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="answers")

    class Meta:
        verbose_name = _("plan revision task")
        verbose_name_plural = _("plan revision tasks")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "incident"], name="revision_request_unique_incident"),
        ]

    def __str__(self):
        return f"{self.plan.title} ← {self.incident_id}"


class PlanReview(models.Model):
    """A periodic review of the version in force that found no revision needed (预案评估): it fulfils
    the review obligation and sets the next review date (a new obligation)."""

    version = models.ForeignKey(PlanVersion, verbose_name=_("plan version"), on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT,
                                    related_name="+")
    finding = models.TextField(_("finding"))
    next_review_due = models.DateField(_("next review due"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-reviewed_on", "-pk"]
