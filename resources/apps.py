from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("Emergency resources")

    def ready(self):
        from incidents.timeline import TIMELINE_SOURCES
        from incidents.views import DETAIL_PANELS
        from resources.panels import incident_panel
        from resources.timeline import dispatch_entries

        # Each dispatch and return is a line of the incident's record; its page has a resources card.
        if dispatch_entries not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.append(dispatch_entries)
        if incident_panel not in DETAIL_PANELS:
            DETAIL_PANELS.append(incident_panel)
        # An item's check deadline is named and linked like any obligation (reporting.subjects).
        from resources.deadlines import register_subject

        register_subject()
