from django.urls import path

from roles import views

app_name = "roles"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("units/<slug:code>/", views.unit_detail, name="unit"),
    path("units/<slug:code>/edit/", views.unit_edit_contacts, name="unit_edit"),
    path("contacts/<slug:code>/edit/", views.contact_edit, name="contact_edit"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke_view, name="delegation_revoke"),
]
