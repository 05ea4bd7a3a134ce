"""The bureau's organization (plan 二、组织体系) as data: units in a tree, people, memberships,
and the outside bodies the bureau reports to or works with.

This app knows nothing of incidents: data flows roles ← incidents ← reporting.
"""

from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from roles.webhooks import check_webhook_url


class BilingualName(models.Model):
    """Names are kept as the plan writes them (Chinese), with an English name for the English interface."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        return self.name_in_language(self.name, self.name_en)

    @property
    def message_param(self) -> dict:
        """The name as a parameter of a system-made message (common.messages): both names, kept with
        the message (no query to show it; the record keeps the name it had), shown by the one rule."""
        return {"name": [self.name, self.name_en]}

    @staticmethod
    def name_in_language(name: str, name_en: str) -> str:
        """The one rule for names on every page and export (issue 12 item 5): the English name in
        English when there is one (setup_bureau fills them from the plan), the Chinese name otherwise.
        Official documents (the PDFs) keep the Chinese name."""
        if name_en and (get_language() or "").startswith("en"):
            return name_en
        return name

    def __str__(self) -> str:
        return self.display_name


class User(AbstractUser):
    position = models.CharField(_("position"), max_length=50, blank=True, help_text=_("e.g. 局长, 科员"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        # Chinese names read family name first, without a space.
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    def __str__(self) -> str:
        return self.display_name


class Unit(BilingualName):
    """A unit of the bureau. Units form a tree, so that several county bureaus under a city
    bureau fit later: a bureau's parent may be another bureau."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("bureau")
        LEADING_GROUP = "leading_group", _("leading group")
        LEADING_GROUP_OFFICE = "leading_group_office", _("leading group office")
        SECTION = "section", _("section")
        STATION = "station", _("supervision station")

    # Which kind of unit may sit under which: the shape of plan 二(一).
    ALLOWED_PARENTS = {
        Kind.BUREAU: {None, Kind.BUREAU},
        Kind.LEADING_GROUP: {Kind.BUREAU},
        Kind.LEADING_GROUP_OFFICE: {Kind.LEADING_GROUP},
        Kind.SECTION: {Kind.BUREAU},
        Kind.STATION: {Kind.BUREAU},
    }

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    housed_in = models.ForeignKey(
        "self",
        verbose_name=_("housed in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_units",
        help_text=_("The leading group office is housed in the Office section (plan 二(一)1)."),
    )
    number = models.PositiveSmallIntegerField(_("number in the plan"), null=True, blank=True)
    responsibility = models.TextField(_("responsibility in emergencies"), blank=True)
    duties = models.TextField(_("duties"), blank=True)
    town = models.CharField(_("town"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    robot_webhook_url = models.URLField(
        _("group robot webhook"), blank=True,
        help_text=_("The WeCom or DingTalk group robot that receives this unit's deadline reminders."),
        # The worker posts here from inside the bureau's network: https, allowed hosts, public addresses only.
        validators=[check_webhook_url],
    )
    # 发文机关代字 (GB/T 9704-2012 7.2.4): the issuer's part of a document number, e.g. 牟市监应急 in
    # 牟市监应急〔2026〕12号. Empty: the unit's name stands in its place.
    document_prefix = models.CharField(_("document number prefix (发文机关代字)"), max_length=20, blank=True,
                                       help_text=_("e.g. 牟市监应急, printed as 牟市监应急〔2026〕12号"))
    is_active = models.BooleanField(_("active"), default=True)
    # The unit's own group: object permissions on incidents and on the unit itself are
    # granted to it, and every member is in it (see roles.services.user_sync_groups).
    group = models.OneToOneField(Group, on_delete=models.PROTECT, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "number", "code"]
        permissions = [
            ("edit_unit_contacts", _("Can edit a unit's phone, fax, email and address")),
            # Not given to a unit's own group: the worker posts to this address (issue 10, SSRF).
            ("set_robot_webhook", _("Can set a unit's group robot webhook")),
        ]

    def clean(self):
        parent_kind = self.parent.kind if self.parent_id else None
        if self.kind and parent_kind not in self.ALLOWED_PARENTS[self.Kind(self.kind)]:
            raise ValidationError({"parent": _("A unit of this kind cannot sit under that parent.")})
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("A unit cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent
        if self.housed_in_id and self.kind != self.Kind.LEADING_GROUP_OFFICE:
            raise ValidationError({"housed_in": _("Only the leading group office is housed in a section.")})

    def bureau(self) -> "Unit | None":
        """The bureau this unit belongs to (itself for a bureau): a county's office, sections and
        stations answer to their county bureau, which a city bureau may sit above."""
        node = self
        while node is not None and node.kind != self.Kind.BUREAU:
            node = node.parent
        return node

    def ancestors(self) -> list["Unit"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-foreign-key table for object permissions on units (faster than guardian's generic one)."""

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("leader (组长)")
        COMMANDER = "commander", _("deputy director in charge, HQ commander (分管副局长)")
        DIRECTOR = "director", _("director of the office (主任)")
        HEAD = "head", _("head (科长/所长)")
        MEMBER = "member", _("member")
        STAFF = "staff", _("staff")

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role in the unit"), max_length=20, choices=Role.choices, default=Role.STAFF)
    title = models.CharField(_("title in the unit"), max_length=50, blank=True, help_text=_("As written in the unit, e.g. 组长, 副主任"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")]
        ordering = ["unit__kind", "unit__number", "unit__code", "role"]

    def clean(self):
        leading_roles = {self.Role.LEADER, self.Role.COMMANDER}
        if self.role in leading_roles and self.unit_id and self.unit.kind != Unit.Kind.LEADING_GROUP:
            raise ValidationError({"role": _("Leader and commander are roles in the leading group only.")})

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Contact(BilingualName):
    """A body outside the bureau: where reports go upward (plan 三(二)), or a partner (二(三))."""

    class Kind(models.TextChoices):
        UPWARD = "upward", _("upward recipient")
        PARTNER = "partner", _("partner")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A recipient that itself uses the portal (the city bureau above a county bureau, issue 11): upward
    # reports to it are delivered to that unit's inbox, where its office signs for them.
    portal_unit = models.ForeignKey(
        Unit, verbose_name=_("unit in this portal"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="contact_entries", limit_choices_to={"kind": "bureau"},
        help_text=_("Set when the recipient is a bureau that uses this portal: reports then arrive in its inbox."),
    )
    # Whose contact this is: each county bureau has its own county government, town governments and
    # partners. Empty only in a deployment of one bureau set up before there were several.
    bureau = models.ForeignKey(
        Unit, verbose_name=_("bureau"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="contacts", limit_choices_to={"kind": "bureau"},
        help_text=_("The bureau whose recipient or partner this is."),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["kind", "code"]


class Delegation(models.Model):
    """The leader designates a member of the leading group as acting leader (代理组长) for a
    stated period; decisions taken under it name it (plan 二(一)1: the leader decides)."""

    leader = models.ForeignKey(User, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="delegations_given")
    acting = models.ForeignKey(User, verbose_name=_("acting leader"), on_delete=models.PROTECT, related_name="delegations")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="delegation_ends_after_start")
        ]

    def covers(self, at) -> bool:
        return self.revoked_at is None and self.starts_at <= at < self.ends_at

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at).strftime("%Y-%m-%d %H:%M")
        end = timezone.localtime(self.ends_at).strftime("%Y-%m-%d %H:%M")
        return f"{self.acting} · {start} – {end}"
