from django.urls import path

from incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_index, name="list"),
    path("new/", views.incident_new, name="new"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/edit/", views.incident_edit, name="edit"),
    path("<int:pk>/measures/<int:measure_pk>/", views.measure_update, name="measure_update"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/<slug:action>/", views.incident_action, name="action"),
]
