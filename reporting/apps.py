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
        from common.messages import register_param
        from incidents.signals import incident_event
        from reporting import notices, obligations

        # incidents emits its timeline events; reporting turns them into deadlines, in the same
        # transaction, then into notices for whom they concern (after: a notice names the new deadline).
        incident_event.connect(obligations.on_incident_event, dispatch_uid="reporting.obligations")
        incident_event.connect(notices.on_incident_event, dispatch_uid="reporting.notices")
        # 五(二), 六(一): an after-action report's plan improvements open a revision task for the section
        # that owns the plan (readiness, below reporting in the flow; named here with every receiver).
        from readiness.services.plans import on_incident_event as plan_revision_on_incident_event

        incident_event.connect(plan_revision_on_incident_event, dispatch_uid="readiness.plans")
        # A deadline named in a system-made message ({"deadline": [kind, incident]}), in the reader's language.
        register_param("deadline", notices.deadline_named)
        from incidents.models import IncidentEvent
        from reporting import requests

        # 催报: the city's request becomes the county's obligation (reporting.requests; rule 16).
        obligations.HANDLERS[IncidentEvent.Kind.REPORT_REQUESTED] = requests.report_requested_event

        from incidents.views import DETAIL_PANELS
        from reporting.views import incident_panel

        if incident_panel not in DETAIL_PANELS:
            DETAIL_PANELS.append(incident_panel)

        # Every report is on the incident's timeline (issue 12 item 3), merged when the page is read.
        from incidents.timeline import TIMELINE_SOURCES
        from reporting.selectors import report_timeline

        if report_timeline not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.append(report_timeline)
        from reporting.bounces import bounce_timeline

        if bounce_timeline not in TIMELINE_SOURCES:  # 退信: which recipient, and that the report is owed again
            TIMELINE_SOURCES.append(bounce_timeline)
