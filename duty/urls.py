from django.urls import path

from duty import log_views

app_name = "duty"
urlpatterns = [
    path("log/", log_views.log_index, name="log"),
    path("log/new/", log_views.log_new, name="log_new"),
    path("log/<int:pk>/", log_views.log_detail, name="log_detail"),
    path("log/<int:pk>/register/", log_views.log_register, name="log_register"),
    path("log/<int:pk>/close/", log_views.log_close, name="log_close"),
]
