from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from alerts import api as alerts_api
from duty import api as duty_api
from emergency import city_dashboard, dashboards, views
from incidents.api import CategoryViewSet, IncidentViewSet
from readiness import api as readiness_api
from reporting.api import (AccountabilityRecord, DeliveryViewSet, IncidentReports, NotificationViewSet, ObligationViewSet,
                           ReportRequest)
from resources import api as resources_api
from roles.api import MeView
from roles.forms import PasswordChangeForm
from roles.signin import TokenView

router = DefaultRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("categories", CategoryViewSet, basename="category")
router.register("obligations", ObligationViewSet, basename="obligation")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("deliveries", DeliveryViewSet, basename="delivery")
# The later apps bring their own routes and paths (each app's api.py: ROUTES, PATHS).
NEW_APPS = [duty_api, alerts_api, resources_api, readiness_api]
for app_api in NEW_APPS:
    for prefix, viewset, basename in app_api.ROUTES:
        router.register(prefix, viewset, basename=basename)

api_patterns = [
    path("token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("incidents/<int:pk>/reports/", IncidentReports.as_view(), name="incident-reports"),
    path("incidents/<int:pk>/request-report/", ReportRequest.as_view(), name="incident-request-report"),
    path("accountability/", AccountabilityRecord.as_view(), name="api-accountability"),
    path("dashboard/active-by-level/", dashboards.ActiveByLevel.as_view(), name="dashboard-active-by-level"),
    path("dashboard/incidents-by-category-month/", dashboards.IncidentsByCategoryMonth.as_view(),
         name="dashboard-by-category-month"),
    path("dashboard/on-time-by-unit/", dashboards.OnTimeByUnit.as_view(), name="dashboard-on-time-by-unit"),
    path("dashboard/due-next-24-hours/", dashboards.DueNext24Hours.as_view(), name="dashboard-due-next-24-hours"),
    path("dashboard/city/", city_dashboard.CityFigures.as_view(), name="dashboard-city"),
    *[entry for app_api in NEW_APPS for entry in app_api.PATHS],
    path("", include(router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("dashboard/city/", city_dashboard.city_dashboard, name="city_dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("roles.urls")),
    path("incidents/", include("incidents.urls")),
    path("reporting/", include("reporting.urls")),
    path("duty/", include("duty.urls")),
    path("alerts/", include("alerts.urls")),
    path("resources/", include("resources.urls")),
    path("readiness/", include("readiness.urls")),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]

handler403 = "emergency.views.forbidden"
handler404 = "emergency.views.not_found"
handler500 = "emergency.views.server_error"

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
