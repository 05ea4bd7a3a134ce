from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from common.messages import register_param
        from incidents.models import Level
        from roles.permissions import Role, register_role_permissions

        # A level in a system-made message ({"level": 2}), shown in the reader's language.
        register_param("level", lambda level: str(Level(level).label) if level else "—")

        # Administrators keep the plan's rules as data: categories, level policy, measure templates.
        register_role_permissions(Role.ADMINISTRATOR, [
            "incidents.view_category", "incidents.change_category", "incidents.add_category",
            "incidents.view_levelpolicy", "incidents.change_levelpolicy",
            "incidents.view_measuretemplate", "incidents.change_measuretemplate", "incidents.add_measuretemplate",
            "incidents.view_incident",
        ])
