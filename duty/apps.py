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

        from roles.permissions import Role, register_role_permissions

        register_role_permissions(Role.ADMINISTRATOR, ["duty.view_shift", "duty.view_handover"])

        # The roster's part (issue 14): what goes to "the office" reaches the people on duty first
        # (reporting.on_duty), and a roster gap is a deadline whose subject is the shift (reporting.subjects).
        from duty.roster_selectors import on_duty_people_of
        from reporting import on_duty

        on_duty.register(on_duty_people_of)
        from duty.subjects import register_shift_subject

        register_shift_subject()
