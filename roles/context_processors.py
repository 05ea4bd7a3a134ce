from django.conf import settings
from django.utils.functional import SimpleLazyObject

from roles.models import Unit


def bureau(request):
    """The bureau's name, for the heading of printed pages (base.html): one small query, made only
    when a page shows it. Not cached across requests: a renamed bureau prints at once."""

    def name():
        from roles.selectors import user_bureau_ids

        user = getattr(request, "user", None)
        own = user_bureau_ids(user) if user is not None else []
        # The person's own bureau (a county's staff print their county's name); else the top one.
        bureaus = Unit.objects.filter(pk__in=own) if own else Unit.objects.filter(kind=Unit.Kind.BUREAU, parent=None)
        bureau = bureaus.only("name", "name_en").order_by("pk").first()
        return bureau.display_name if bureau else ""

    return {"bureau_name": SimpleLazyObject(name)}


def menu(request):
    """Menu entries that depend on the person's roles (base.html). "API" is for the office (which
    integrates other systems) and administrators; the other roles work in the pages. Lazy: the
    role query runs only when a page draws the menu, once per request (user_roles caches)."""
    from roles.permissions import Role
    from roles.selectors import user_roles

    user = getattr(request, "user", None)
    return {"menu_api": SimpleLazyObject(
        lambda: user is not None and bool(user_roles(user) & {Role.OFFICE_STAFF, Role.ADMINISTRATOR})),
        # Each language by its own name, untranslated ({% get_available_languages %} would call
        # English "英语" on a Chinese page): the reader looks for their language's name in itself.
        "menu_languages": settings.LANGUAGES}
