"""Deadlines as rows (obligations): the accountability record the sweep enforces (三(二), 五(三))."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.messages import render
from incidents.models import Incident
from roles.models import Unit

from reporting.models.reports import Report
from reporting.models.rules import Kind


# What an obligation can be owed about (reporting.subjects): exactly one of these foreign keys is set
# (the check constraint below). A new subject is a nullable foreign key here, its name in this tuple,
# and a unique (subject, kind, sequence) constraint, which is also its index.
SUBJECT_FIELDS = ("incident", "plan_version", "rectification", "improvement_action", "resource", "deployment", "shift")


def one_subject() -> Q:
    """Exactly one of SUBJECT_FIELDS set."""
    condition = Q()
    for field in SUBJECT_FIELDS:
        others = Q(**{f"{other}__isnull": True for other in SUBJECT_FIELDS if other != field})
        condition |= Q(**{f"{field}__isnull": False}) & others
    return condition


class Obligation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        FULFILLED = "fulfilled", _("fulfilled")
        OVERDUE = "overdue", _("overdue")
        WAIVED = "waived", _("waived")

    # Every index on this table is rewritten when the sweep marks a thousand rows overdue, so
    # there are no redundant ones: obligation_unique_sequence serves lookups by incident, and
    # nothing looks obligations up by report or by who waived them.
    incident = models.ForeignKey(Incident, verbose_name=_("incident"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="obligations", db_index=False)
    # An emergency resource's next check (resources.deadlines, kind resource_check); its index: obligation_unique_resource.
    resource = models.ForeignKey("resources.Resource", verbose_name=_("emergency resource"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="obligations", db_index=False)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    sequence = models.PositiveIntegerField(_("number"), default=1)
    # No index of its own: obligation_open_owner_due serves the lookups by owner (of open rows), and
    # only deleting a unit (PROTECT; units are deactivated, not deleted) would look up all rows.
    owner_unit = models.ForeignKey(Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="obligations",
                                   db_index=False)
    # The clock: what started it, and the limit in force when the row was made.
    starts_at = models.DateTimeField(_("counted from"))
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    late_by_seconds = models.PositiveBigIntegerField(_("late by (seconds)"), null=True, blank=True)
    report = models.ForeignKey(Report, verbose_name=_("report"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="obligations", db_index=False)
    # The moment the obligation became overdue: its due_at, set whether or not a sweep ran (by the
    # sweep, a late report, a waiver, a level change, the end or a merge after due_at). Never
    # cleared: a waiver after the deadline keeps the miss on the record.
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    # When the next step of this obligation falls due (a reminder, the deadline, the escalation);
    # empty once nothing more is to be sent. Swept by reporting.sweep.sweep_due every DEADLINE_SWEEP_SECONDS.
    next_alert_at = models.DateTimeField(_("next alert at"), null=True, blank=True)
    waived_reason = models.TextField(_("reason for waiving"), blank=True)
    # A reason the system gives (a level change, the end, a merge): common.messages, rendered in the
    # reader's language; `waived_reason` keeps it in the portal's language.
    waived_reason_key = models.CharField(_("reason key"), max_length=100, blank=True)
    waived_reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    waived_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("waived by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", db_index=False)
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    # For a measure's deadline (kind "measure"): the measure. No index of its own: lookups go by
    # incident first (obligation_unique_sequence), and the sweep pays for every index here.
    measure = models.ForeignKey("incidents.Measure", verbose_name=_("measure"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="obligations", db_index=False)
    # Readiness (readiness.deadlines): a plan version's review or revision, a drill's rectification item,
    # an assessment's improvement action. Indexed by their unique (subject, kind, sequence) constraints.
    plan_version = models.ForeignKey("readiness.PlanVersion", verbose_name=_("plan version"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="obligations", db_index=False)
    rectification = models.ForeignKey("readiness.RectificationItem", verbose_name=_("rectification item"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="obligations", db_index=False)
    improvement_action = models.ForeignKey("readiness.ImprovementAction", verbose_name=_("improvement action"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="obligations", db_index=False)
    # A duty shift with no leader or no staff on duty (Kind.ROSTER_GAP, duty.gaps; issue 14).
    shift = models.ForeignKey("duty.Shift", verbose_name=_("shift"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="obligations", db_index=False)
    # The first report: the plan counts from occurrence (starts_at). When the station learned of it
    # later, the record also shows lateness from discovery, and the office may accept discovery as
    # the start when it verifies (with a reason, on the timeline): then the counts judge by it.
    discovered_due_at = models.DateTimeField(_("due at, counted from discovery"), null=True, blank=True)
    late_from_discovery_seconds = models.PositiveBigIntegerField(_("late from discovery (seconds)"), null=True, blank=True)
    discovery_accepted_reason = models.TextField(_("why discovery is accepted as the start"), blank=True)
    # An early-warning deployment's task (alerts, kind deployment_task, sequence = the task's number).
    deployment = models.ForeignKey("alerts.Deployment", verbose_name=_("early-warning deployment"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="obligations", db_index=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "sequence"], name="obligation_unique_sequence"),
            # The other subjects' are partial: only their own rows are in them. Whole, each held an entry
            # for every incident's row too, written again whenever the sweep marks one (the 1,000-due
            # sweep: 64 ms with the six whole, 54 ms partial; docs/benchmarks.md).
            *[models.UniqueConstraint(fields=[field, "kind", "sequence"], condition=Q(**{f"{field}__isnull": False}),
                                      name=f"obligation_unique_{field}") for field in SUBJECT_FIELDS[1:]],
            models.CheckConstraint(condition=one_subject(), name="obligation_one_subject"),
        ]
        indexes = [
            # The sweep's query. Partial: a million rows with nothing more to send cost nothing.
            models.Index(fields=["next_alert_at"], condition=Q(next_alert_at__isnull=False), name="obligation_next_alert"),
            # The overdue board (reporting.selectors.overdue_board: open rows, earliest due first, a page
            # at a time) and the dashboard's "due within 24 hours" (emergency.dashboards, pending rows in
            # a window of due_at). Partial: 7 k open rows of a million; without it the board walked
            # obligation_due_order past 900 k closed rows for a page of 25 (4 s at province scale).
            models.Index(fields=["due_at", "id"], condition=Q(status__in=["pending", "overdue"]), name="obligation_open_due"),
            # /api/obligations/ and every list in the model's order (due_at, pk): read in index order,
            # LIMIT 25 stops after a page instead of sorting a million rows on disk (issue 13).
            models.Index(fields=["due_at", "id"], name="obligation_due_order"),
            # Each home page's "owed by my units" (reporting.selectors.obligations_owed_by): open rows
            # of a few units, soonest first. Partial: the closed 95 % are not in it.
            models.Index(fields=["owner_unit", "due_at"], condition=Q(status__in=["pending", "overdue"]),
                         name="obligation_open_owner_due"),
        ]

    def __str__(self):
        return f"{self.subject_label} {self.get_kind_display()} #{self.sequence}"

    @property
    def subject_label(self) -> str:
        """What the row is owed about, in a few words (reporting.subjects), in the active language."""
        from reporting.subjects import subject_label

        return subject_label(self)

    @property
    def subject_url(self) -> str:
        from reporting.subjects import subject_url

        return subject_url(self)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.OVERDUE)

    @property
    def missed(self) -> bool:
        """Not fulfilled by its deadline and never fulfilled: still open, or waived after the deadline."""
        return self.overdue_at is not None and self.status in (self.Status.OVERDUE, self.Status.WAIVED)

    @property
    def discovery_accepted(self) -> bool:
        return bool(self.discovery_accepted_reason)

    @property
    def waived_reason_text(self) -> str:
        return render(self.waived_reason_key, self.waived_reason_params, self.waived_reason)
