from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "duty"
    verbose_name = _("Duty")

    def ready(self):
        # An incident registered from the duty log shows the entry on its timeline (duty.log_timeline).
        from duty.log_timeline import log_timeline
        from incidents.timeline import TIMELINE_SOURCES

        if log_timeline not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.append(log_timeline)
