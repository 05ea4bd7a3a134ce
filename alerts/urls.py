from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.deployment_list, name="deployments"),
    path("deployments/<int:pk>/", views.deployment_detail, name="deployment_detail"),
    path("deployments/<int:pk>/tasks/<int:number>/done/", views.task_complete, name="task_complete"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_edit, name="event_new"),
    path("events/<int:pk>/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", views.event_delete, name="event_delete"),
    path("releases/", views.release_list, name="releases"),
    path("releases/new/", views.release_new, name="release_new"),
    path("releases/<int:pk>/", views.release_detail, name="release_detail"),
    path("releases/<int:pk>/edit/", views.release_edit, name="release_edit"),
    path("releases/<int:pk>/<slug:action>/", views.release_action, name="release_action"),
    path("public/", views.public, name="public"),
]
