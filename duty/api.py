"""The `duty` API. ROUTES are registered on the project's router (emergency/urls.py);
PATHS are added under /api/."""

ROUTES = []  # (prefix, viewset, basename)
PATHS = []  # django.urls.path(...) entries relative to /api/
