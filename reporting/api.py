"""/api/obligations/, /api/incidents/{id}/reports/, /api/notifications/ (../shared/docs/api.md)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from incidents.selectors import incidents_visible_to
from reporting import services
from reporting.filters import ObligationFilter
from reporting.models import Kind, Notification, Obligation, Report
from reporting.selectors import obligations_visible_to, reports_of
from roles.models import Contact, User


class ObligationSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="owner_unit.code")
    incident = serializers.IntegerField(source="incident_id")

    class Meta:
        model = Obligation
        fields = ["id", "incident", "kind", "sequence", "unit", "status", "starts_at", "due_at", "fulfilled_at",
                  "late_by_seconds", "overdue_at", "waived_reason"]


class ObligationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilter

    def get_queryset(self):
        return obligations_visible_to(self.request.user).order_by("due_at", "pk")


class ReportSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    recipients = serializers.SlugRelatedField(slug_field="code", many=True, required=False,
                                              queryset=Contact.objects.filter(is_active=True))
    corrects = serializers.PrimaryKeyRelatedField(queryset=Report.objects.all(), required=False, allow_null=True)
    signed_off_by = serializers.SlugRelatedField(slug_field="username", required=False, allow_null=True,
                                                 queryset=User.objects.filter(is_active=True))

    class Meta:
        model = Report
        fields = ["id", "kind", "sequence", "content", "author", "unit", "submitted_at", "recipients", "channel",
                  "sent_at", "corrects", "signed_off_by"]
        read_only_fields = ["sequence", "submitted_at", "sent_at"]


class IncidentReports(generics.ListCreateAPIView):
    """GET the incident's reports; POST submits one: the office any kind, the incident's station a progress
    report while the response is under way (reporting.services.check_report). A report fulfils the open
    obligation of its kind owed by its unit."""

    serializer_class = ReportSerializer
    pagination_class = None

    def incident(self):
        return get_object_or_404(incidents_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the model for the schema
            return Report.objects.none()
        return reports_of(self.request.user, self.incident())

    def create(self, request, *args, **kwargs):
        incident = self.incident()
        body = ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.report_submit(actor=request.user, incident=incident, **body.validated_data)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "step", "title", "body", "incident", "obligation", "created_at", "read_at"]


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema then types the path id as an integer
            return Notification.objects.none()
        return Notification.objects.filter(user=self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = self.get_object()
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
        return Response(NotificationSerializer(note).data)

    @extend_schema(request=None, responses={200: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = self.get_queryset().filter(read_at=None).update(read_at=timezone.now())
        return Response({"marked_read": count})
