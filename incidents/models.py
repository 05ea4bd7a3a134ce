"""An incident and its life under the plan (二(三), 三, 五): intake, verification, the level
decision, the command HQ, measures, ending and after-action, with an append-only timeline.

State changes happen only in incidents.services; reads that need care in incidents.selectors.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from common.messages import render
from roles.models import BilingualName, Unit


class Level(models.IntegerChoices):
    """Response levels, Ⅰ the most severe (plan 三(一)). Stored 1–4, shown in Roman numerals."""

    I = 1, _("Ⅰ particularly serious")
    II = 2, _("Ⅱ serious")
    III = 3, _("Ⅲ relatively serious")
    IV = 4, _("Ⅳ general")


ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}


class LevelPolicy(models.Model):
    """What the plan ties to each level, as data an administrator can edit (design.md)."""

    class EndedBy(models.TextChoices):
        LEADING_GROUP = "leading_group", _("the leading group (its leader or acting leader)")
        HQ_COMMANDER = "hq_commander", _("the HQ commander (deputy director in charge)")

    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, unique=True)
    criteria = models.TextField(_("criteria (plan 三(一))"))
    hq_required = models.BooleanField(_("command HQ required"), help_text=_("Ⅰ–Ⅲ form an HQ; Ⅳ may skip it (plan 三(三))."))
    ended_by = models.CharField(_("end declared by"), max_length=20, choices=EndedBy.choices)
    may_announce_end = models.BooleanField(_("end may be announced to the public"), default=False)
    # The version of the plan these criteria were taken from (readiness, 六(一)): shown in the admin, so a
    # revised plan shows which rules still follow the old text.
    plan_version = models.ForeignKey("readiness.PlanVersion", verbose_name=_("from plan version"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("level policy")
        verbose_name_plural = _("level policies")
        ordering = ["level"]

    def __str__(self):
        return Level(self.level).label


class Category(BilingualName):
    """Incident categories, each with its responsible section (plan 二(二)1; codes in api.md)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    section = models.ForeignKey(
        Unit, verbose_name=_("responsible section"), on_delete=models.PROTECT, limit_choices_to={"kind": Unit.Kind.SECTION}
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "code"]


class MeasureTemplate(models.Model):
    """One item of a level's measures checklist (plan 三(三)), copied into each activation."""

    class Owner(models.TextChoices):
        LEAD_SECTION = "lead_section", _("the lead section (emergency office)")
        OFFICE = "office", _("the office")
        STATION = "station", _("the station of the incident")

    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_hours = models.PositiveIntegerField(
        _("due within hours of activation"), null=True, blank=True, help_text=_("Empty: no fixed limit in the plan.")
    )
    owner = models.CharField(_("owner"), max_length=20, choices=Owner.choices, default=Owner.LEAD_SECTION)
    is_active = models.BooleanField(_("active"), default=True)
    plan_version = models.ForeignKey("readiness.PlanVersion", verbose_name=_("from plan version"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("measure template")
        verbose_name_plural = _("measure templates")
        ordering = ["level", "order"]

    def __str__(self):
        return f"{ROMAN[self.level]} · {self.title}"


class Incident(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        AWAITING_REPORT = "awaiting_report", _("awaiting the station's first report")
        SUBMITTED = "submitted", _("awaiting verification")
        RETURNED = "returned", _("returned to the station for more")
        VERIFIED = "verified", _("awaiting the leading group's decision")
        DECLINED = "declined", _("not activated (routine handling)")
        ACTIVE = "active", _("emergency response under way")
        ENDED = "ended", _("ended, after-action review under way")
        CLOSED = "closed", _("closed")
        MERGED = "merged", _("merged into another incident")

    class Source(models.TextChoices):
        STATION = "station", _("station's own finding")
        HOTLINE = "hotline", _("duty hotline")
        COMPLAINTS_12315 = "12315", _("12315 complaints")
        MEDIA = "media", _("media or public opinion")
        HIGHER_AUTHORITY = "higher_authority", _("higher authority")
        OTHER = "other", _("other")

    # What the station files (首报, plan 三(二)3: time, place, source, nature, scope, trend, measures).
    title = models.CharField(_("title"), max_length=200)
    # Drafts may be incomplete; incidents.services.incident_submit checks what a first report needs.
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True)
    station = models.ForeignKey(
        Unit, verbose_name=_("station"), on_delete=models.PROTECT, related_name="incidents",
        limit_choices_to={"kind": Unit.Kind.STATION},
    )
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    discovered_at = models.DateTimeField(_("discovered at"), null=True, blank=True, help_text=_("When the station learned of it; defaults to the time it occurred."))
    location = models.CharField(_("place"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    nature = models.CharField(_("nature"), max_length=200, blank=True, help_text=_("e.g. food poisoning, price gouging"))
    description = models.TextField(_("what happened"), blank=True)
    proposed_level = models.PositiveSmallIntegerField(_("proposed level"), choices=Level.choices, null=True, blank=True)
    dead = models.PositiveIntegerField(_("dead"), default=0)
    injured = models.PositiveIntegerField(_("injured"), default=0)
    missing = models.PositiveIntegerField(_("missing"), default=0)
    estimated_loss = models.DecimalField(_("estimated loss (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
                                         validators=[MinValueValidator(0)])
    scope = models.TextField(_("scope of impact"), blank=True)
    trend = models.TextField(_("trend"), blank=True)
    source = models.CharField(_("information source"), max_length=30, choices=Source.choices, default=Source.STATION)
    source_detail = models.CharField(_("source details"), max_length=200, blank=True)
    measures_taken = models.TextField(_("measures already taken"), blank=True)
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_position = models.CharField(_("reporter's position"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)

    # The lifecycle.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True,
                                       help_text=_("Server time of the first report; lateness is judged by it."))
    verification_summary = models.TextField(_("office's summary"), blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_incidents")
    announce_end = models.BooleanField(_("end announced to the public"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at"]
        indexes = [
            # A station's incidents (incidents.selectors.own_stations_incidents, station_to_do), by status.
            models.Index(fields=["station", "status"]),
            # The incident list's order (incidents.selectors.incident_list: -created_at, -pk), read
            # backwards: page 1 of 100,000 incidents stops after 25 rows instead of sorting them all.
            # With the status, the bureau-wide visibility condition (not a draft) is read from the
            # index alone: a deep page's keys (common.pagination) come without touching the table.
            models.Index(fields=["created_at", "id"], include=["status"], name="incident_created"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The number people quote on the phone: year of filing and id."""
        year = timezone.localtime(self.received_at or self.created_at or timezone.now()).year
        return f"{year}-{self.pk:05d}" if self.pk else ""

    @property
    def level_roman(self) -> str:
        return ROMAN.get(self.level, "")

    @property
    def proposed_level_roman(self) -> str:
        return ROMAN.get(self.proposed_level, "")

    @property
    def casualties(self) -> int:
        return self.dead + self.injured + self.missing


class IncidentGroupObjectPermission(GroupObjectPermissionBase):
    """Object permissions on incidents, granted to unit groups (direct foreign key: fast at scale)."""

    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="group_permissions")

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class CommandHQ(models.Model):
    """The special emergency HQ (专项应急指挥部) formed on activation (plan 二(一)2, 三(三))."""

    incident = models.OneToOneField(Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="hq")
    commander = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("commander"), on_delete=models.PROTECT,
                                  related_name="+")
    lead_section = models.ForeignKey(Unit, verbose_name=_("lead section (hosts the emergency office)"),
                                     on_delete=models.PROTECT, related_name="+")
    member_sections = models.ManyToManyField(Unit, verbose_name=_("member sections"), related_name="+", blank=True)
    stations = models.ManyToManyField(Unit, verbose_name=_("stations involved"), related_name="+", blank=True)
    formed_at = models.DateTimeField(_("formed at"), default=timezone.now)

    class Meta:
        verbose_name = _("command HQ")
        verbose_name_plural = _("command HQs")

    def units(self) -> list[Unit]:
        return [self.lead_section, *self.member_sections.all(), *self.stations.all()]


class Measure(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="measures")
    template = models.ForeignKey(MeasureTemplate, verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_unit = models.ForeignKey(Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    completion_note = models.TextField(_("completion note"), blank=True)
    # A note the system writes (a measure cancelled by the end or a level change): common.messages.
    completion_note_key = models.CharField(_("completion note key"), max_length=100, blank=True)
    completion_note_params = models.JSONField(_("completion note parameters"), default=dict, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("completed by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        # Deadlines first, soonest on top; items without one after them, on every database.
        ordering = [models.F("due_at").asc(nulls_last=True), "created_at", "pk"]

    @property
    def completion_note_text(self) -> str:
        return render(self.completion_note_key, self.completion_note_params, self.completion_note)

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at is not None and self.due_at < timezone.now()


class InvestigationTeam(models.Model):
    """The after-action investigation team (事故原因调查小组, plan 五(二))."""

    incident = models.OneToOneField(Incident, verbose_name=_("incident"), on_delete=models.CASCADE,
                                    related_name="investigation")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("team leader"), on_delete=models.PROTECT,
                               related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="+", blank=True)
    experts = models.TextField(_("outside experts"), blank=True)
    named_at = models.DateTimeField(_("named at"), default=timezone.now)
    # The analysis, filed once.
    cause = models.TextField(_("cause"), blank=True)
    handling = models.TextField(_("handling"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)
    improvements = models.TextField(_("plan improvements"), blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("investigation team")
        verbose_name_plural = _("investigation teams")


def attachment_path(instance, filename):
    # Never the user's file name on disk: a random name under the incident, outside the web root.
    return f"incidents/{instance.incident_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Attachment(models.Model):
    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey("IncidentEvent", verbose_name=_("event"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="attachments")
    measure = models.ForeignKey(Measure, verbose_name=_("measure"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]


class IncidentEvent(models.Model):
    """One line of the timeline. Append-only: every action writes one; none is changed or deleted."""

    class Kind(models.TextChoices):
        DRAFT_SAVED = "draft_saved", _("draft saved")
        REGISTERED = "registered", _("registered by the office and assigned to a station")
        SUBMITTED = "submitted", _("first report submitted")
        RETURNED = "returned", _("returned to the station for more")
        SUPPLEMENTED = "supplemented", _("supplementary information")
        CORRECTED = "corrected", _("corrected by the office")
        MERGED = "merged", _("merged")
        VERIFIED = "verified", _("verified and presented to the leading group")
        DISCOVERY_ACCEPTED = "discovery_accepted", _("discovery time accepted as the start of the first-report clock")
        COMMENTED = "commented", _("comment")
        ACTIVATED = "activated", _("response activated")
        DECLINED = "declined", _("not activated")
        LEVEL_CHANGED = "level_changed", _("level changed")
        HQ_FORMED = "hq_formed", _("command HQ formed")
        HQ_CHANGED = "hq_changed", _("command HQ changed")
        MEASURE_ADDED = "measure_added", _("measure added")
        MEASURE_UPDATED = "measure_updated", _("measure updated")
        SUMMARY_SUBMITTED = "summary_submitted", _("summary submitted")
        END_APPROVED = "end_approved", _("the leading group approved the end")
        ENDED = "ended", _("emergency declared ended")
        TEAM_NAMED = "team_named", _("investigation team named")
        AFTER_ACTION_FILED = "after_action_filed", _("after-action analysis filed")
        CLOSED = "closed", _("closed")
        ATTACHMENT_ADDED = "attachment_added", _("attachment added")
        REPORT_REQUESTED = "report_requested", _("the city bureau asked for a report (催报)")

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(_("in the role of"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    # A note the system writes itself: rendered in the reader's language (common.messages); `message`
    # then keeps it in the portal's language. Empty for what people typed, and for older rows.
    message_key = models.CharField(_("message key"), max_length=100, blank=True)
    message_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    # What changed: {"field": [old, new], …} and other facts of the step (e.g. the first report).
    data = models.JSONField(_("data"), default=dict, blank=True)
    delegation = models.ForeignKey("roles.Delegation", verbose_name=_("under delegation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "pk"]

    @property
    def message_text(self) -> str:
        return render(self.message_key, self.message_params, self.message)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Incident events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Incident events are append-only.")
