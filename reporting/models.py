"""Reports and the legal reporting deadlines (plan 三(二)), and their enforcement.

Each deadline is a row (an Obligation) created in the same transaction as the incident event
that causes it; a Celery beat sweep marks overdue rows and writes outbox rows, which a delivery
task sends once. Late, concealed or missing reports are pursued under the plan (五(三)), so
these rows are the accountability record: they are never deleted, and a late one stays late.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.messages import render
from common.text import single_line, truncate
from incidents.models import Incident, Level
from roles.models import Contact, Unit


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


class Report(models.Model):
    """A report as submitted: immutable; a correction is a new report pointing at the old one."""

    class Channel(models.TextChoices):
        SYSTEM = "system", _("this system")
        FAX = "fax", _("fax")
        PHONE = "phone", _("phone")
        EMAIL = "email", _("email")

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    sequence = models.PositiveIntegerField(_("number"), default=1, help_text=_("续报一、二… for progress reports"))
    content = models.TextField(_("content"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by (签发人)"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+",
                                      help_text=_("The bureau leader who approved sending it."))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    corrects = models.ForeignKey("self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections")
    recipients = models.ManyToManyField(Contact, verbose_name=_("recipients"), blank=True, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.SYSTEM)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # What the plan requires a report to state (三(二)3), one entry per REPORT_FACTS key.
    facts = models.JSONField(_("facts stated"), default=dict, blank=True)
    # 越级上报 (三(二)2-1 特殊情况下可越级上报): a station reporting straight to the county government or
    # the city bureau states why; the office and the town government are told at the same moment.
    skip_level_reason = models.TextField(_("reason for reporting past the bureau (越级上报)"), blank=True)
    # 发文字号 (GB/T 9704-2012 7.2.4) of a report sent upward, e.g. 牟市监应急〔2026〕12号: taken from the
    # issuer's DocumentCounter when the report is submitted, kept as printed (a later change of the
    # prefix does not renumber documents already sent). Empty for reports that stay in the bureau.
    document_number = models.CharField(_("document number (发文字号)"), max_length=60, blank=True)
    document_issuer = models.ForeignKey(Unit, verbose_name=_("issuing unit (发文机关)"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+", db_index=False)
    document_year = models.PositiveSmallIntegerField(_("document year"), null=True, blank=True)
    document_serial = models.PositiveIntegerField(_("document serial"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["submitted_at", "pk"]
        constraints = [
            # A number is never given twice: the counter hands out each once, and this makes sure.
            models.UniqueConstraint(fields=["document_issuer", "document_year", "document_serial"],
                                    condition=Q(document_serial__isnull=False), name="report_document_number_once"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A submitted report is never changed; file a correction instead.")
        super().save(*args, **kwargs)


class DocumentCounter(models.Model):
    """The last document number an issuing unit gave in a year (发文字号 run per issuer and year).

    Taken by reporting.docnumbers.document_number_take with one INSERT … ON CONFLICT DO UPDATE …
    RETURNING, which locks this row until the report's transaction ends: two reports submitted at
    once get two numbers, never max()+1 twice."""

    unit = models.ForeignKey(Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number given"))

    class Meta:
        verbose_name = _("document number counter")
        verbose_name_plural = _("document number counters")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="document_counter_unit_year")]

    def __str__(self):
        return f"{self.unit} {self.year}: {self.last}"


class Obligation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        FULFILLED = "fulfilled", _("fulfilled")
        OVERDUE = "overdue", _("overdue")
        WAIVED = "waived", _("waived")

    # Every index on this table is rewritten when the sweep marks a thousand rows overdue, so
    # there are no redundant ones: obligation_unique_sequence serves lookups by incident, and
    # nothing looks obligations up by report or by who waived them.
    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="obligations",
                                 db_index=False)
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
    # The first report: the plan counts from occurrence (starts_at). When the station learned of it
    # later, the record also shows lateness from discovery, and the office may accept discovery as
    # the start when it verifies (with a reason, on the timeline): then the counts judge by it.
    discovered_due_at = models.DateTimeField(_("due at, counted from discovery"), null=True, blank=True)
    late_from_discovery_seconds = models.PositiveBigIntegerField(_("late from discovery (seconds)"), null=True, blank=True)
    discovery_accepted_reason = models.TextField(_("why discovery is accepted as the start"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "sequence"], name="obligation_unique_sequence"),
        ]
        indexes = [
            # The sweep's query. Partial: a million rows with nothing more to send cost nothing.
            models.Index(fields=["next_alert_at"], condition=Q(next_alert_at__isnull=False), name="obligation_next_alert"),
            # The dashboard's "due within 24 hours" (emergency.dashboards) and the end's overdue marks.
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="obligation_pending_due"),
            # /api/obligations/ and every list in the model's order (due_at, pk): read in index order,
            # LIMIT 25 stops after a page instead of sorting a million rows on disk (issue 13).
            models.Index(fields=["due_at", "id"], name="obligation_due_order"),
            # Each home page's "owed by my units" (reporting.selectors.obligations_owed_by): open rows
            # of a few units, soonest first. Partial: the closed 95 % are not in it.
            models.Index(fields=["owner_unit", "due_at"], condition=Q(status__in=["pending", "overdue"]),
                         name="obligation_open_owner_due"),
        ]

    def __str__(self):
        return f"{self.incident.reference} {self.get_kind_display()} #{self.sequence}"

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


class Notification(models.Model):
    """The in-app notification centre: one row per person and message."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="notifications")
    obligation = models.ForeignKey(Obligation, verbose_name=_("obligation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="notifications")
    incident = models.ForeignKey(Incident, verbose_name=_("incident"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    step = models.CharField(_("step"), max_length=30)
    # Kept in the portal's language (what the API gives, and all older rows have).
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    # The same message as keys and parameters (common.messages), shown in the reader's language.
    # An empty body_key with a key: the body is what someone typed (a report's text), shown as kept.
    message_key = models.CharField(_("message key"), max_length=100, blank=True)
    body_key = models.CharField(_("body key"), max_length=100, blank=True)
    message_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    @property
    def title_text(self) -> str:
        return truncate(single_line(render(self.message_key, self.message_params, self.title)), 200)

    @property
    def body_text(self) -> str:
        return render(self.body_key, self.message_params, self.body)


class Outbox(models.Model):
    """One message to send for one step of one obligation. The unique constraint is what makes
    two sweeps at once, a restart or a catch-up after an outage send each message once."""

    class Step(models.TextChoices):
        REMINDER_HALF = "reminder_half", _("reminder at half time")
        REMINDER_SOON = "reminder_soon", _("reminder shortly before the deadline")
        REMINDER_DAY = "reminder_day", _("reminder one day before the deadline")
        OVERDUE = "overdue", _("overdue notice")
        ESCALATION = "escalation", _("escalation to the leading group")
        # Not a deadline's: a step of the incident someone must hear of (reporting.notices).
        NOTICE = "notice", _("notice of a step")
        REPORT = "report", _("the report itself")

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("in-app")
        EMAIL = "email", _("email")
        WEBHOOK = "webhook", _("group robot webhook")

    class State(models.TextChoices):
        # pending → queued → sending → sent; a definite failure goes back to pending (backoff) and,
        # after MAX_ATTEMPTS, to failed; an uncertain outcome (timeout or crash after the request
        # left) goes back to pending once, marked as a resend, and to uncertain if that too is unknown.
        PENDING = "pending", _("waiting to be sent")
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        UNCERTAIN = "uncertain", _("outcome unknown")

    # Indexed by outbox_once, whose first column it is. No database constraint: the sweep writes
    # these rows only for obligations it holds locked, obligations are never deleted (PROTECT still
    # guards that in Django), and checking 2,000 keys at commit was a seventh of the sweep's time.
    # Empty for a report sent by email (`delivery`): that message carries the report, not a deadline notice.
    obligation = models.ForeignKey(Obligation, verbose_name=_("obligation"), on_delete=models.PROTECT, related_name="outbox",
                                   db_index=False, db_constraint=False, null=True, blank=True)
    # Or the incident's step it tells of (Step.NOTICE; reporting.notices), with the message for
    # this recipient's role (a common.messages key). Exactly one of obligation, event and delivery is set.
    event = models.ForeignKey("incidents.IncidentEvent", verbose_name=_("event"), on_delete=models.PROTECT,
                              related_name="+", null=True, blank=True, db_index=False)
    message_key = models.CharField(_("message key"), max_length=100, blank=True)
    delivery = models.ForeignKey("ReportDelivery", verbose_name=_("report delivery"), on_delete=models.PROTECT,
                                 related_name="outbox", null=True, blank=True)
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=300, help_text=_("user id, email address or webhook URL"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # A failed send is tried again from here on (backoff), by reporting.tasks.redeliver_unsent.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    # Handed to the broker at: redeliver_unsent leaves a queued row alone until this is stale.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    # Recorded and committed before the request leaves: a row still "sending" long after this was
    # cut off mid-send (worker killed, database gone) and its outcome is unknown.
    attempted_at = models.DateTimeField(_("attempted at"), null=True, blank=True)
    # Set when an attempt's outcome was unknown: the one resend says "resent, originally at …".
    resend_of_at = models.DateTimeField(_("resend of the attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(fields=["obligation", "step", "channel", "recipient"], name="outbox_once"),
            models.UniqueConstraint(fields=["event", "message_key", "channel", "recipient"], name="outbox_notice_once",
                                    condition=Q(event__isnull=False)),
            models.UniqueConstraint(fields=["delivery"], condition=Q(delivery__isnull=False), name="outbox_one_per_delivery"),
            # What a row carries: a deadline's notice, an incident step's notice, or a report by email; one of them.
            models.CheckConstraint(
                condition=Q(obligation__isnull=False, event__isnull=True, delivery__isnull=True)
                | Q(obligation__isnull=True, event__isnull=False, delivery__isnull=True)
                | Q(obligation__isnull=True, event__isnull=True, delivery__isnull=False),
                name="outbox_one_source"),
        ]
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent")]


class ReportDelivery(models.Model):
    """One report to one outside recipient by one channel (issue 11): the proof that it left and
    arrived. The report counts as sent to the recipient once a delivery is `sent` or `received`.

    email: the portal sends the PDF (an Outbox row, retried; `message_id`); portal: it arrives in
    the inbox of the recipient's unit (Contact.portal_unit) at once; phone / fax: a person records
    when, which number and, for a phone call, who answered (电话确认). Receipt (签收): the receiving
    office signs in the portal, an email recipient through a signed link, or the office records a
    phone confirmation."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        PORTAL = "portal", _("this system")
        PHONE = "phone", _("phone")
        FAX = "fax", _("fax")

    class State(models.TextChoices):
        QUEUED = "queued", _("being sent")
        SENT = "sent", _("sent, not yet signed for")
        RECEIVED = "received", _("received (已签收)")
        FAILED = "failed", _("failed")

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(Contact, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    address = models.CharField(_("address or number"), max_length=254, blank=True,
                               help_text=_("The email address, or the number dialled or faxed."))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("message id"), max_length=254, blank=True)
    failure_reason = models.TextField(_("reason of the failure"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # 电话确认: who at the other end confirmed it, and when.
    confirmed_name = models.CharField(_("confirmed by (电话确认)"), max_length=50, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed for by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    signed_name = models.CharField(_("signed for by (name given)"), max_length=50, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    # The 补报文字 a phone report owes (rule 15), fulfilled when the report leaves in writing.
    follow_up = models.OneToOneField(Obligation, verbose_name=_("written report owed"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="phone_delivery")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["report", "recipient", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "recipient", "channel"], name="delivery_once")]
        indexes = [models.Index(fields=["state", "sent_at"], name="delivery_state_sent")]

    def __str__(self):
        return f"{self.report_id} → {self.recipient} ({self.get_channel_display()})"

    @property
    def has_left(self) -> bool:
        return self.state in (self.State.SENT, self.State.RECEIVED)


class SweepHeartbeat(models.Model):
    """One row per sweep: pages warn when the newest is older than a minute (the beat is down)."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    marked_overdue = models.PositiveIntegerField(_("marked overdue"), default=0)
    messages = models.PositiveIntegerField(_("messages queued"), default=0)

    class Meta:
        verbose_name = _("sweep heartbeat")
        verbose_name_plural = _("sweep heartbeats")
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["-finished_at"], name="heartbeat_latest")]
