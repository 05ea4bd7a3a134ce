"""The incident page's 应急资源 card (incidents.views.DETAIL_PANELS, registered in resources.apps).

At level Ⅰ the plan puts "执法车辆、通讯、检测设备处于备用状态" among the activation measures
(三(三)1.6): while a Ⅰ response is under way the card says so and links to the readiness view for
this incident; for an incident with an HQ, at any level, the card shows to those who command it.
It also lists what was dispatched to the incident."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from incidents.models import Incident, Level
from resources import services
from resources.selectors import incident_dispatches, user_bureau


def incident_panel(request, incident) -> dict:
    active = incident.status == Incident.Status.ACTIVE
    try:
        services.check_dispatch(request.user, incident)
        may_dispatch = True
    except (PermissionDenied, services.InvalidTransition):  # the card only reads
        may_dispatch = False
    show_link = active and user_bureau(request.user) is not None and (incident.level == Level.I or may_dispatch)
    dispatches = list(incident_dispatches(incident)[:50])
    return {
        "template": "resources/incident_panel.html",
        "show": show_link or bool(dispatches),
        "show_link": show_link,
        "standby": active and incident.level == Level.I,
        "may_dispatch": may_dispatch,
        "url": reverse("resources:readiness") + f"?incident={incident.pk}",
        "dispatches": dispatches,
    }
