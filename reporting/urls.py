from django.urls import path

from reporting import delivery_views, request_views, views

app_name = "reporting"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("board.xlsx", views.board_xlsx, name="board_xlsx"),
    path("accountability/", views.accountability_record, name="accountability"),
    path("accountability.xlsx", views.accountability_xlsx, name="accountability_xlsx"),
    path("accountability.pdf", views.accountability_document, name="accountability_pdf"),
    path("reports/<int:pk>.pdf", views.report_document, name="report_pdf"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("incidents/<int:pk>/reports/", views.report_create, name="report_create"),
    path("incidents/<int:pk>/request-report/", request_views.report_request, name="report_request"),
    path("obligations/<int:pk>/waive/", views.obligation_waive, name="obligation_waive"),
    path("outbox/<int:pk>/resend/", views.outbox_resend, name="outbox_resend"),
    path("reports/<int:pk>/deliveries/", delivery_views.delivery_record, name="delivery_record"),
    path("deliveries/<int:pk>/confirm/", delivery_views.delivery_confirm, name="delivery_confirm"),
    path("deliveries/<int:pk>/sign/", delivery_views.delivery_sign, name="delivery_sign"),
    path("deliveries/<int:pk>/resend/", delivery_views.delivery_resend, name="delivery_resend"),
    path("deliveries/<int:pk>.pdf", delivery_views.delivery_document, name="delivery_pdf"),
    path("inbox/", delivery_views.inbox, name="inbox"),
    path("receipt/<str:token>/", delivery_views.receipt, name="receipt"),
]
