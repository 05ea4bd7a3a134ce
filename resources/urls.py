from django.urls import path

from resources import views

app_name = "resources"
urlpatterns = [
    path("", views.inventory, name="inventory"),
    path("new/", views.resource_new, name="new"),
    path("export.xlsx", views.export, name="export"),
    path("import/", views.import_view, name="import"),
    path("readiness/", views.readiness, name="readiness"),
    path("points/", views.points, name="points"),
    path("points/new/", views.point_edit, name="point_new"),
    path("points/<int:pk>/", views.point_edit, name="point_edit"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.agreement_edit, name="agreement_new"),
    path("agreements/<int:pk>/", views.agreement_edit, name="agreement_edit"),
    path("dispatches/<int:pk>/return/", views.dispatch_return, name="return"),
    path("<int:pk>/", views.resource_detail, name="detail"),
    path("<int:pk>/edit/", views.resource_edit, name="edit"),
    path("<int:pk>/check/", views.resource_check, name="check"),
    path("<int:pk>/retire/", views.resource_retire, name="retire"),
    path("<int:pk>/dispatch/", views.dispatch, name="dispatch"),
]
