from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Early warning and public information")

    def ready(self):
        from roles.permissions import Role, register_role_permissions

        # Administrators keep the rules as data: which holidays open a deployment, the default tasks.
        register_role_permissions(Role.ADMINISTRATOR, [
            "alerts.view_holidaytrigger", "alerts.change_holidaytrigger", "alerts.view_tasktemplate",
            "alerts.change_tasktemplate", "alerts.add_tasktemplate", "alerts.view_deployment", "alerts.view_release",
        ])
        from incidents.signals import incident_event
        from incidents.timeline import TIMELINE_SOURCES

        from alerts.selectors import release_timeline
        from alerts.services.releases import on_incident_event

        # incidents' "announce" mark at a Ⅰ/Ⅱ end becomes a release draft, in incident_end's transaction.
        # alerts sits above incidents (and reporting) in the flow, so it listens here, as reporting does.
        incident_event.connect(on_incident_event, dispatch_uid="alerts.end_announcement")
        # The incident's page lists its releases, with a link to draft one.
        from incidents.views import DETAIL_PANELS

        from alerts.views import incident_panel

        if incident_panel not in DETAIL_PANELS:
            DETAIL_PANELS.append(incident_panel)
        # Every step of a release about an incident is on the incident's timeline.
        if release_timeline not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.append(release_timeline)
        # Deployment tasks' deadlines are obligations about a deployment: named and linked on the board,
        # the record, notifications and the API.
        from reporting.subjects import register

        from alerts.subjects import deployment_label, deployment_url

        register("deployment", label=deployment_label, url=deployment_url, related=("deployment",))
