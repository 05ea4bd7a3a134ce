"""The policy data: the kinds of report the plan names and the limits that tie them to levels (三(二))."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Level



class Kind(models.TextChoices):
    FIRST_REPORT = "first_report", _("first report (首报)")
    UPWARD_REPORT = "upward_report", _("upward report (上报)")
    PROGRESS_REPORT = "progress_report", _("progress report (续报)")
    FINAL_REPORT = "final_report", _("final report (终报)")
    AFTER_ACTION_REPORT = "after_action_report", _("after-action report")
    MEASURE = "measure", _("measure (response task)")
    # The station's answer when the office returns its report for more (退回): docs/deadlines.md rule 15.
    RETURN_ANSWER = "return_answer", _("answer to a return (退回补报)")
    # The city bureau above the county asks for more (催报/要求续报) by a deadline it names: rule 16.
    REQUESTED_REPORT = "requested_report", _("report the city asked for (催报)")
    # 先电话报告，后补报文字: a report phoned to a recipient owes the same report in writing (docs/deadlines.md rule 17).
    WRITTEN_REPORT = "written_report", _("written report after a phone report (补报文字)")
    # Readiness (readiness.deadlines; docs/deadlines.md rules 22–25): the plans' reviews and revisions (六(一)),
    # a drill's rectification items, an assessment's improvement actions.
    PLAN_REVIEW = "plan_review", _("plan review (预案评估)")
    PLAN_REVISION = "plan_revision", _("plan revision (预案修订)")
    RECTIFICATION = "rectification", _("drill rectification (演练整改)")
    IMPROVEMENT_ACTION = "improvement_action", _("improvement action (能力提升措施)")
    # An emergency resource's periodic check (应急物资装备检查), owed by its owner unit: docs/deadlines.md rule 19.
    RESOURCE_CHECK = "resource_check", _("check of an emergency resource (应急物资装备检查)")
    # A task of an early-warning deployment before a holiday or major event (alerts; docs/deadlines.md rule 20).
    DEPLOYMENT_TASK = "deployment_task", _("deployment task (预警部署任务)")
    # A duty shift with no leader or no staff on duty, owed by the office before it starts (issue 14, rule 21).
    ROSTER_GAP = "roster_gap", _("duty roster gap (值班空缺)")


# The kinds the plan ties to levels Ⅰ–Ⅲ (三(二)2-1), judged on the incident's effective level; which
# levels have a limit is the policy table's (ReportingRule), not code's.
SEVERE_ONLY = {Kind.FIRST_REPORT, Kind.UPWARD_REPORT}
# What a first report and an upward report must state (三(二)3): key, label.
REPORT_FACTS = [
    ("time", _("time")),
    ("place", _("place")),
    ("source", _("information source")),
    ("nature", _("nature")),
    ("scope", _("scope of impact")),
    ("trend", _("trend")),
    ("measures", _("measures already taken")),
]


class ReportingRule(models.Model):
    """How long each kind of report may take at each level: the plan's limits as data.

    A limit is counted from the event that starts the clock (the incident, the bureau's receipt,
    activation, the end): `limit_minutes` by the clock ("1小时内", "30分钟内"), or `limit_days` by the
    calendar ("四日内": until 24:00 Asia/Shanghai of the 4th day after the day of the event,
    《民法典》第二百零一条; holidays do not extend it). For progress reports it is the period between
    two reports. Both empty: the plan names no limit (e.g. the first report of a level Ⅳ incident).
    docs/deadlines.md is the rule book.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    limit_minutes = models.PositiveIntegerField(_("limit in minutes"), null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("limit in calendar days"), null=True, blank=True,
                                                  help_text=_("Counted by the calendar: the day of the event does not count, and the limit ends at 24:00 of the last day."))
    basis = models.CharField(_("basis in the plan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")
        ordering = ["kind", "level"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "level"], name="reporting_rule_kind_level"),
            models.CheckConstraint(condition=Q(limit_minutes__isnull=True) | Q(limit_days__isnull=True),
                                   name="reporting_rule_one_limit"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {Level(self.level).label}"


class ReportingRuleChange(models.Model):
    """Each change of a rule, kept: a late report is judged by the rule in force at the time."""

    rule = models.ForeignKey(ReportingRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    old_limit_minutes = models.PositiveIntegerField(_("old limit"), null=True, blank=True)
    new_limit_minutes = models.PositiveIntegerField(_("new limit"), null=True, blank=True)
    old_limit_days = models.PositiveSmallIntegerField(_("old limit in days"), null=True, blank=True)
    new_limit_days = models.PositiveSmallIntegerField(_("new limit in days"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting rule change")
        verbose_name_plural = _("reporting rule changes")
        ordering = ["-changed_at"]
