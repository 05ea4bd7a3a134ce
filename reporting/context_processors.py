from django.utils.functional import SimpleLazyObject

from reporting.selectors import office_bureau_ids, unread_count


def notifications(request):
    """The bell's unread count in the top bar (one COUNT query per page)."""
    user = getattr(request, "user", None)
    return {"unread_notifications": unread_count(user) if user is not None else 0}


def inbox(request):
    """The "reports received" menu entry, for the office of a bureau that receives reports in the
    portal (issue 11). Lazy: one query, only when a page draws the menu."""
    user = getattr(request, "user", None)
    return {"menu_inbox": SimpleLazyObject(lambda: user is not None and bool(office_bureau_ids(user)))}
