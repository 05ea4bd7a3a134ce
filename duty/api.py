"""The `duty` API. ROUTES are registered on the project's router (emergency/urls.py);
PATHS are added under /api/."""

from duty.log_api import DutyLogViewSet

ROUTES = [("duty-log", DutyLogViewSet, "duty-log")]  # (prefix, viewset, basename)
PATHS = []  # django.urls.path(...) entries relative to /api/
