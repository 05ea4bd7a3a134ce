from django.urls import path

from duty import log_views, roster_views

app_name = "duty"
urlpatterns = [
    # The roster and handover (issue 14, duty.roster_views).
    path("", roster_views.roster_page, name="roster"),
    path("roster.xlsx", roster_views.roster_xlsx, name="roster_xlsx"),
    path("import/", roster_views.roster_import_page, name="roster_import"),
    path("shifts/new/", roster_views.shift_new, name="shift_new"),
    path("shifts/<int:pk>/", roster_views.shift_page, name="shift"),
    path("shifts/<int:pk>/delete/", roster_views.shift_delete, name="shift_delete"),
    path("shifts/<int:pk>/handover/", roster_views.handover_record, name="handover_record"),
    path("handovers/", roster_views.handovers, name="handovers"),
    path("handovers/<int:pk>/acknowledge/", roster_views.handover_acknowledge, name="handover_acknowledge"),
    # The duty log (值班电话记录, duty.log_views).
    path("log/", log_views.log_index, name="log"),
    path("log/new/", log_views.log_new, name="log_new"),
    path("log/<int:pk>/", log_views.log_detail, name="log_detail"),
    path("log/<int:pk>/register/", log_views.log_register, name="log_register"),
    path("log/<int:pk>/close/", log_views.log_close, name="log_close"),
]
