from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from roles.permissions import Role, register_role_permissions

        register_role_permissions(Role.ADMINISTRATOR, [
            "reporting.view_reportingrule", "reporting.change_reportingrule", "reporting.view_reportingrulechange",
            "reporting.view_obligation", "reporting.view_report", "reporting.view_outbox", "reporting.view_sweepheartbeat",
        ])
        from incidents.signals import incident_event
        from reporting import obligations

        # incidents emits its timeline events; reporting turns them into deadlines, in the same transaction.
        incident_event.connect(obligations.on_incident_event, dispatch_uid="reporting.obligations")
        from incidents.models import IncidentEvent
        from reporting import requests

        # 催报: the city's request becomes the county's obligation (reporting.requests; rule 15).
        obligations.HANDLERS[IncidentEvent.Kind.REPORT_REQUESTED] = requests.report_requested_event

        from incidents.views import DETAIL_PANELS
        from reporting.views import incident_panel

        if incident_panel not in DETAIL_PANELS:
            DETAIL_PANELS.append(incident_panel)
