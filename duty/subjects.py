"""A roster gap's deadline names its shift (reporting.subjects): "值班 2026-12-01 08:00–次日08:00"."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _


def shift_label(obligation) -> str:
    shift = obligation.shift
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return _("Duty shift %(start)s–%(end)s") % {"start": start.strftime("%Y-%m-%d %H:%M"),
                                                "end": end.strftime("%m-%d %H:%M")}


def shift_url(obligation) -> str:
    return reverse("duty:shift", args=[obligation.shift_id])


def register_shift_subject() -> None:
    """Called once from duty.apps."""
    from reporting.subjects import register

    register("shift", label=shift_label, url=shift_url, related=("shift",))
