from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_role_groups(**kwargs):
    from roles.services import role_groups_ensure

    role_groups_ensure()


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = _("Organization")

    def ready(self):
        # Not tied to one sender: permissions of apps migrated after this one exist only
        # after their own post_migrate, and the role groups must pick them up too.
        post_migrate.connect(_ensure_role_groups, dispatch_uid="roles.ensure_role_groups")
        from roles import authentication  # noqa: F401  (connects: a user's API token dies at logout)
        from common.messages import register_param
        from roles.models import BilingualName

        # A unit's or contact's name in a system-made message: {"name": [name, name_en]}.
        register_param("name", lambda names: BilingualName.name_in_language(*names))
