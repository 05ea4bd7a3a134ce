from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import ROMAN, Incident
from roles.permissions import Role

register = template.Library()

STATUS_COLOURS = {
    Incident.Status.DRAFT: "secondary",
    Incident.Status.AWAITING_REPORT: "warning",
    Incident.Status.SUBMITTED: "primary",
    Incident.Status.RETURNED: "warning",
    Incident.Status.VERIFIED: "info",
    Incident.Status.ACTIVE: "danger",
    Incident.Status.ENDED: "dark",
    Incident.Status.DECLINED: "light",
    Incident.Status.CLOSED: "light",
    Incident.Status.MERGED: "light",
}
LEVEL_COLOURS = {1: "danger", 2: "warning", 3: "info", 4: "primary"}


@register.filter
def status_colour(status):
    return STATUS_COLOURS.get(status, "secondary")


@register.filter
def level_colour(level):
    return LEVEL_COLOURS.get(level, "secondary")


@register.filter
def roman(level):
    return ROMAN.get(level, "—")


@register.filter
def role_label(value):
    try:
        return Role(value).label
    except ValueError:
        return value


def duration_text(seconds: int) -> str:
    """“2 d 3 h 5 min”, for countdowns and lateness."""
    minutes = abs(int(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [_("%(n)d d") % {"n": days}] if days else []
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if minutes or not parts:
        parts.append(_("%(n)d min") % {"n": minutes})
    return " ".join(parts)


@register.simple_tag
def due_in(moment):
    """“in 12 min” / “overdue by 2 h 5 min”: server time decides, the page only shows it."""
    if moment is None:
        return ""
    seconds = (moment - timezone.now()).total_seconds()
    text = duration_text(seconds)
    return _("in %(time)s") % {"time": text} if seconds >= 0 else _("overdue by %(time)s") % {"time": text}


@register.filter
def late_text(seconds):
    return duration_text(seconds) if seconds else ""
