"""The duty roster (值班表) and the handover between shifts (交接班): plan 四(一) "24小时值班",
三(三)1 "24小时值班" in a level Ⅰ response, 三(三)4 holiday duty (节假日值班).

A shift is one bureau's stretch of 24-hour duty: a leader on duty (带班领导) and the staff on duty
(值班员). Times are stored in UTC and shown in Asia/Shanghai. Shifts of one bureau never overlap;
duty.services.roster checks that under a lock on the bureau (an ExclusionConstraint would need the
btree_gist extension, which the SQLite of `make run` does not have).

State changes are duty.services.roster's; reads duty.selectors'.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Unit

NOTE_LENGTH = 200


class ShiftQuerySet(models.QuerySet):
    def planned(self):
        """Shifts not cancelled: the roster. A cancelled shift is kept (its roster-gap deadline holds it)."""
        return self.filter(cancelled_at__isnull=True)


class Shift(models.Model):
    bureau = models.ForeignKey(Unit, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="shifts",
                               limit_choices_to={"kind": Unit.Kind.BUREAU}, db_index=False)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader on duty (带班领导)"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="shifts_led")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("staff on duty (值班员)"), blank=True,
                                   related_name="duty_shifts")
    is_holiday = models.BooleanField(_("holiday duty (节假日值班)"), default=False)
    note = models.CharField(_("note"), max_length=NOTE_LENGTH, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("planned by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # Deleting a shift cancels it: a deadline row (the accountability record) may name it, and rows are never deleted.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cancelled by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+", db_index=False)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
        ]
        indexes = [
            # on_duty_now (every page's top bar), the roster's month and the overlap check: by bureau, in time order.
            models.Index(fields=["bureau", "starts_at"], name="shift_bureau_start"),
        ]
        permissions = [("plan_roster", _("Can plan the duty roster"))]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        return f"{self.bureau} {start:%Y-%m-%d %H:%M}"

    def is_staffed(self, staff_ids=None) -> bool:
        """A leader and at least one staff member; anything less is a roster gap (值班空缺)."""
        if staff_ids is None:
            staff_ids = [user.pk for user in self.staff.all()]
        return self.leader_id is not None and bool(staff_ids)


class Handover(models.Model):
    """交接班: the outgoing shift records what is open; someone of the incoming shift acknowledges it.

    `open_items` is what the outgoing shift wrote; `open_snapshot` is what the portal found open at
    that moment (the bureau's open deadlines and the responses under way), kept as it was."""

    shift_out = models.ForeignKey(Shift, verbose_name=_("outgoing shift"), on_delete=models.PROTECT,
                                  related_name="handovers_given")
    shift_in = models.ForeignKey(Shift, verbose_name=_("incoming shift"), on_delete=models.PROTECT,
                                 related_name="handovers_taken")
    open_items = models.TextField(_("what is open"))
    open_snapshot = models.JSONField(_("open deadlines and incidents at handover"), default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            # One handover between two shifts: a second record would leave the incoming shift two to acknowledge.
            models.UniqueConstraint(fields=["shift_out"], name="handover_one_per_shift_out"),
        ]

    def __str__(self) -> str:
        return f"{self.shift_out} → {self.shift_in}"
