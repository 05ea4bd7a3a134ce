"""Public information and warnings (信息发布, 市场预警, 消费预警; plan 二(二)1 entries 2 and 19,
三(三)4, 四(三)): drafted by the publicity section, an incident's lead section or the 12315 centre,
approved by the leading group's leader or acting leader (四(三) 特别重要的信息发布要经应急领导小组审批),
then published. Every saved draft is kept (ReleaseVersion); the published version is frozen."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.models import ROMAN, Level
from roles.models import Unit


class Release(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("news release (新闻通稿)")
        BRIEFING = "briefing", _("situation briefing (情况通报)")
        MARKET_WARNING = "market_warning", _("market warning (市场预警)")
        CONSUMER_WARNING = "consumer_warning", _("consumer warning (消费预警)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted for approval")
        RETURNED = "returned", _("returned for changes")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")

    WARNING_KINDS = (Kind.MARKET_WARNING, Kind.CONSUMER_WARNING)
    # Ⅰ red, Ⅱ orange, Ⅲ yellow, Ⅳ blue: the colour of a warning's level (and its Bootstrap badge).
    # level: (code for other systems, label, Bootstrap badge)
    COLOURS = {1: ("red", _("red"), "danger"), 2: ("orange", _("orange"), "orange"), 3: ("yellow", _("yellow"), "warning"),
               4: ("blue", _("blue"), "primary")}
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="bureau_releases",
                               limit_choices_to={"kind": Unit.Kind.BUREAU})
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="drafted_releases")
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="releases")
    deployment = models.ForeignKey("alerts.Deployment", verbose_name=_("deployment"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="releases")
    # The text as last saved (a copy of the newest version); frozen once published.
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    level = models.PositiveSmallIntegerField(_("warning level"), choices=Level.choices, null=True, blank=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    affected = models.CharField(_("affected goods or markets"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Made by the system from a Ⅰ/Ⅱ end announcement (incidents' "announce" mark).
    end_announcement = models.BooleanField(_("end announcement"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_version = models.ForeignKey("alerts.ReleaseVersion", verbose_name=_("published version"), null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4), name="release_level_range"),
            # A published text has its frozen version.
            models.CheckConstraint(condition=~Q(status="published") | Q(published_version__isnull=False),
                                   name="release_published_has_version"),
        ]
        indexes = [
            # The public page: published, newest first.
            models.Index(fields=["published_at", "id"], condition=Q(status="published"), name="release_published"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_warning(self) -> bool:
        return self.kind in self.WARNING_KINDS

    @property
    def level_roman(self) -> str:
        return ROMAN.get(self.level, "")

    @property
    def colour_code(self) -> str:
        """red, orange, yellow, blue ("" without a level): the API's value."""
        return self.COLOURS[self.level][0] if self.level in self.COLOURS else ""

    @property
    def colour(self) -> str:
        """The colour in the reader's language."""
        return str(self.COLOURS[self.level][1]) if self.level in self.COLOURS else ""

    @property
    def badge(self) -> str:
        return self.COLOURS[self.level][2] if self.level in self.COLOURS else "secondary"


class ReleaseVersion(models.Model):
    """Each saved text of a release, kept: what was approved and what was published can be shown."""

    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    level = models.PositiveSmallIntegerField(_("warning level"), choices=Level.choices, null=True, blank=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    affected = models.CharField(_("affected goods or markets"), max_length=500, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("saved by"), on_delete=models.PROTECT,
                                 related_name="+")
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("release version")
        verbose_name_plural = _("release versions")
        ordering = ["release", "number"]
        constraints = [models.UniqueConstraint(fields=["release", "number"], name="release_version_unique_number")]


class ReleaseEvent(models.Model):
    """A step of a release (drafted, saved, submitted, returned, approved, published): the release's
    record, and lines on its incident's timeline (alerts.selectors.release_timeline)."""

    class Kind(models.TextChoices):
        DRAFTED = "drafted", _("release drafted")
        SAVED = "saved", _("release draft saved")
        SUBMITTED = "submitted", _("release submitted for approval")
        RETURNED = "returned", _("release returned for changes")
        APPROVED = "approved", _("release approved")
        PUBLISHED = "published", _("release published")

    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    delegation = models.ForeignKey("roles.Delegation", verbose_name=_("under delegation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("release step")
        verbose_name_plural = _("release steps")
        ordering = ["at", "pk"]
