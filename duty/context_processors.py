"""Who is on duty now, in every page's top bar (base.html) and on the office's and the leading
group's home page (issue 14)."""

from django.utils.functional import SimpleLazyObject


def on_duty(request):
    """`on_duty`: a list of duty.roster_selectors.OnDuty, one per bureau the user works in that has a
    shift under way (usually one; empty for an outsider or when nobody is on duty). Lazy, and ONE
    query when a page draws it (user_bureau_ids is cached on the user for the request, and the page's
    print header has already asked it)."""

    def found():
        from duty.roster_selectors import on_duty_names
        from roles.selectors import user_bureau_ids

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return on_duty_names(user_bureau_ids(user))

    return {"on_duty": SimpleLazyObject(found)}
