"""Dispatches on the incident's record: each move of a resource to the incident and back is a line
of its timeline (incidents.timeline.TIMELINE_SOURCES, registered in resources.apps)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from incidents.timeline import TimelineEntry
from resources.models import Dispatch


def _amount(dispatch) -> str:
    return f"{dispatch.quantity.normalize():f} {dispatch.resource.unit_of_measure}"


def dispatch_entries(incident) -> list[TimelineEntry]:
    """incident → TimelineEntry for each dispatch (at dispatched_at) and each return (at returned_at).
    One query whatever the number of dispatches."""
    entries = []
    rows = (Dispatch.objects.filter(incident=incident)
            .select_related("resource__reserve_point", "dispatched_by", "returned_by").order_by("dispatched_at", "pk"))
    for dispatch in rows:
        resource = dispatch.resource
        link = [(resource.name, reverse("resources:detail", args=[resource.pk]))]
        facts = [(_("Resource"), f"{resource.name} {resource.spec}".strip()), (_("Quantity"), _amount(dispatch)),
                 (_("Reserve point"), resource.reserve_point.name)]
        entries.append(TimelineEntry(at=dispatch.dispatched_at, title=_("resource dispatched (应急资源调拨)"),
                                     actor=dispatch.dispatched_by, message=dispatch.note, facts=facts, links=link,
                                     kind="resource_dispatched"))
        if dispatch.returned_at is not None:
            entries.append(TimelineEntry(at=dispatch.returned_at, title=_("resource returned"), actor=dispatch.returned_by,
                                         facts=facts[:2], links=link, kind="resource_returned"))
    return entries
