from reporting.selectors import unread_count


def notifications(request):
    """The bell's unread count in the top bar (one COUNT query per page)."""
    user = getattr(request, "user", None)
    return {"unread_notifications": unread_count(user) if user is not None else 0}
