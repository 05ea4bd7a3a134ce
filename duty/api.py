"""The `duty` API. ROUTES are registered on the project's router (emergency/urls.py);
PATHS are added under /api/."""

from django.urls import path

from duty.log_api import DutyLogViewSet
from duty.roster_api import OnDutyNow, ShiftViewSet

ROUTES = [("duty/shifts", ShiftViewSet, "duty-shift"), ("duty-log", DutyLogViewSet, "duty-log")]  # (prefix, viewset, basename)
PATHS = [path("duty/now/", OnDutyNow.as_view(), name="duty-now")]  # django.urls.path(...) entries relative to /api/
