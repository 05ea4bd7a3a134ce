from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "readiness"
    verbose_name = _("Readiness")

    def ready(self):
        from readiness.subjects import register_subjects

        register_subjects()
        from incidents.forms import PERSON_NOTES
        from readiness.services.training import trained_for_note

        # Issue 15: who has been trained for what, shown next to people when the HQ drafts staff.
        if trained_for_note not in PERSON_NOTES:
            PERSON_NOTES.append(trained_for_note)
