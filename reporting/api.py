"""/api/obligations/, /api/incidents/{id}/reports/, /api/notifications/, /api/deliveries/ (../shared/docs/api.md)."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from common import limits
from common.pagination import CountedInParts, KeysFirstPagination
from common.timebounds import validate_day, validate_happened
from incidents.selectors import incidents_visible_to
from reporting import sending, services
from reporting.bounces import check_resend, delivery_resend
from reporting.filters import ObligationFilter
from reporting.subjects import subject_field
from reporting.models import REPORT_FACTS, Notification, Obligation, Report, ReportDelivery
from reporting.selectors import (accountability, deliveries_visible_to, obligation_visibility, obligations_visible_to,
                                 reports_of)
from roles.models import Contact, User


class ObligationSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="owner_unit.code")
    # null for an obligation about another subject (a duty shift, a resource's check …): see `subject`.
    incident = serializers.IntegerField(source="incident_id", read_only=True, allow_null=True)
    subject = serializers.SerializerMethodField()
    waived_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)  # null: not waived, or by the system
    measure = serializers.IntegerField(source="measure_id", read_only=True, allow_null=True)
    missed = serializers.BooleanField(read_only=True)
    discovery_accepted = serializers.BooleanField(read_only=True)
    waived_reason = serializers.CharField(source="waived_reason_text", read_only=True)  # the system's in the reader's language

    class Meta:
        model = Obligation
        fields = ["id", "incident", "subject", "kind", "sequence", "unit", "status", "starts_at", "due_at", "fulfilled_at",
                  "late_by_seconds", "overdue_at", "missed", "waived_reason", "waived_by", "waived_at", "measure",
                  "discovered_due_at", "late_from_discovery_seconds", "discovery_accepted",
                  "discovery_accepted_reason"]

    @extend_schema_field({"type": "object", "properties": {
        "type": {"type": "string", "description": "incident, or the other subject's name (shift, deployment, resource …)"},
        "id": {"type": "integer"}, "label": {"type": "string"}, "url": {"type": "string"}},
        "required": ["type", "id", "label", "url"]})
    def get_subject(self, obligation) -> dict:
        """What the deadline is owed about (reporting.subjects): its type, id, name and page."""
        field = subject_field(obligation)
        return {"type": field, "id": getattr(obligation, f"{field}_id"), "label": obligation.subject_label,
                "url": obligation.subject_url}


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=limits.REASON)


class ObligationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilter

    pagination_class = KeysFirstPagination  # a deep page reads one page of rows, not every skipped one

    def get_queryset(self):
        return obligations_visible_to(self.request.user).select_related("waived_by").order_by("due_at", "pk")

    def paginate_queryset(self, queryset):
        # The page count as the sum of the two halves of the visibility, each counted by an index
        # (reporting.selectors.obligation_visibility; issue 13), with the same filters.
        parts = [self.filter_queryset(Obligation.objects.filter(half)) for half in obligation_visibility(self.request.user)]
        return super().paginate_queryset(CountedInParts(queryset, parts))

    @extend_schema(request=WaiveSerializer, responses=ObligationSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        """The leading group's leader or acting leader waives an obligation (403 for anyone else, 409
        when it is not open). After the deadline the miss stays on the record."""
        obligation = self.get_object()
        body = WaiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obligation = services.obligation_waive(actor=request.user, obligation=obligation, reason=body.validated_data["reason"])
        return Response(ObligationSerializer(obligation).data)


class PeriodSerializer(serializers.Serializer):
    # The same calendar window as the page's period form (common.timebounds): no 9999-12-31.
    start = serializers.DateField(validators=[validate_day])
    end = serializers.DateField(validators=[validate_day])

    def validate(self, data):
        if data["start"] > data["end"]:
            raise serializers.ValidationError({"end": "The end comes before the start."})
        return data


class AccountabilityUnitSerializer(serializers.Serializer):
    unit = serializers.CharField(source="owner_unit__code")
    total = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    missed_then_waived = serializers.IntegerField()
    waived = serializers.IntegerField(help_text="waived before the deadline: not counted in total")
    pending = serializers.IntegerField()


class AccountabilitySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    units = AccountabilityUnitSerializer(many=True)
    failures = ObligationSerializer(many=True)


class ReportRequestSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=limits.REASON, help_text="What the county should report.")
    due_at = serializers.DateTimeField(required=False, allow_null=True,
                                       help_text="Report by (ISO 8601); empty: the requested-report rule's limit.")


class ReportRequest(generics.GenericAPIView):
    """POST /api/incidents/{id}/request-report/: the city bureau asks the county for a report by a
    deadline (催报, reporting.requests.report_request): 201 with the county office's obligation; 403
    for anyone else who sees the incident, 404 for who does not, 409 once it is closed."""

    serializer_class = ReportRequestSerializer

    @extend_schema(request=ReportRequestSerializer, responses={201: ObligationSerializer})
    def post(self, request, pk):
        from reporting.requests import report_request

        incident = get_object_or_404(incidents_visible_to(request.user), pk=pk)
        body = ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obligation = report_request(actor=request.user, incident=incident, message=body.validated_data["message"],
                                    due_at=body.validated_data.get("due_at"))
        return Response(ObligationSerializer(obligation).data, status=status.HTTP_201_CREATED)


class AccountabilityRecord(generics.GenericAPIView):
    """GET /api/accountability/?start=YYYY-MM-DD&end=YYYY-MM-DD (local dates, both inclusive): the
    accountability record (五(三)) — per unit the counts, and every late or missed obligation, misses
    later waived or overtaken included. Office, leading group and administrators only (403)."""

    serializer_class = AccountabilitySerializer
    pagination_class = None

    @extend_schema(parameters=[PeriodSerializer], responses=AccountabilitySerializer)
    def get(self, request):
        from reporting.views import require_accountability

        require_accountability(request.user)
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        start, end = period.validated_data["start"], period.validated_data["end"]
        zone = timezone.get_current_timezone()
        since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
        until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        units, failures = accountability(request.user, start=since, end=until)
        return Response(AccountabilitySerializer({"start": start, "end": end, "units": units,
                                                  "failures": failures}).data)


class FactsSerializer(serializers.Serializer):
    time = serializers.CharField(required=False, allow_blank=True, max_length=limits.LONG_TEXT)
    place = serializers.CharField(required=False, allow_blank=True, max_length=limits.LONG_TEXT)
    source = serializers.CharField(required=False, allow_blank=True, max_length=limits.LONG_TEXT)
    nature = serializers.CharField(required=False, allow_blank=True, max_length=limits.LONG_TEXT)
    scope = serializers.CharField(required=False, allow_blank=True, max_length=limits.LONG_TEXT)
    trend = serializers.CharField(required=False, allow_blank=True, max_length=limits.LONG_TEXT)
    measures = serializers.CharField(required=False, allow_blank=True, max_length=limits.LONG_TEXT)


class DeliverySerializer(serializers.ModelSerializer):
    """One report to one recipient by one channel, and its receipt (issue 11)."""

    report = serializers.IntegerField(source="report_id", read_only=True)
    recipient = serializers.CharField(source="recipient.code", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    follow_up = serializers.IntegerField(source="follow_up_id", read_only=True, allow_null=True,
                                         help_text="the written-report obligation a phone report owes (rule 15)")

    class Meta:
        model = ReportDelivery
        fields = ["id", "report", "recipient", "channel", "state", "address", "sent_at", "message_id", "failure_reason",
                  "bounced_at", "delay_note", "recorded_by", "confirmed_name", "confirmed_at", "signed_by", "signed_name", "signed_at", "follow_up"]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    recipients = serializers.SlugRelatedField(slug_field="code", many=True, required=False,
                                              queryset=Contact.objects.filter(is_active=True))
    corrects = serializers.PrimaryKeyRelatedField(queryset=Report.objects.all(), required=False, allow_null=True)
    signed_off_by = serializers.SlugRelatedField(slug_field="username", required=False, allow_null=True,
                                                 queryset=User.objects.filter(is_active=True))

    facts = FactsSerializer(required=False, help_text="What the report states (plan 三(二)3); required for an upward report.")
    deliveries = DeliverySerializer(many=True, read_only=True,
                                    help_text="Where it went: the portal sends it into the inbox of a recipient in this "
                                              "system or by email; phone and fax are recorded at /api/deliveries/.")

    class Meta:
        model = Report
        fields = ["id", "kind", "sequence", "content", "author", "unit", "submitted_at", "recipients", "channel",
                  "sent_at", "corrects", "signed_off_by", "facts", "skip_level_reason", "deliveries"]
        read_only_fields = ["sequence", "submitted_at", "sent_at"]
        extra_kwargs = {"content": {"max_length": limits.REPORT_BODY}, "skip_level_reason": {"max_length": limits.REASON}}


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
        return reports_of(self.request.user, self.incident()).prefetch_related("deliveries__recipient")

    def create(self, request, *args, **kwargs):
        incident = self.incident()
        body = ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            report = services.report_submit(actor=request.user, incident=incident, **body.validated_data)
        except DjangoValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            facts = {key: errors.pop(key) for key, _label in REPORT_FACTS if key in errors}
            raise DRFValidationError({**errors, **({"facts": facts} if facts else {})}) from None
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "step", "title", "body", "incident", "obligation", "created_at", "read_at"]

    # In the reader's language where the system wrote it (common.messages); older rows as kept.
    title = serializers.CharField(source="title_text", read_only=True)
    body = serializers.CharField(source="body_text", read_only=True)


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


class RecordSerializer(serializers.Serializer):
    report = serializers.IntegerField(min_value=1)
    recipient = serializers.SlugRelatedField(slug_field="code", queryset=Contact.objects.filter(is_active=True))
    channel = serializers.ChoiceField(choices=[ReportDelivery.Channel.PHONE, ReportDelivery.Channel.FAX])
    number = serializers.CharField(max_length=sending.ADDRESS_LENGTH)
    sent_at = serializers.DateTimeField(help_text="when it was phoned or faxed", validators=[validate_happened])
    confirmed_name = serializers.CharField(required=False, allow_blank=True, max_length=sending.NAME_LENGTH,
                                           help_text="who took the call (电话确认); required for a phone report")
    confirmed_at = serializers.DateTimeField(required=False, allow_null=True, validators=[validate_happened])


class ConfirmSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=sending.NAME_LENGTH)
    at = serializers.DateTimeField(required=False, allow_null=True, validators=[validate_happened])


class ResendSerializer(serializers.Serializer):
    address = serializers.EmailField(required=False, allow_blank=True, max_length=sending.ADDRESS_LENGTH,
                                     help_text="a corrected address; empty or absent: the same one")


def _drf(exc: DjangoValidationError) -> DRFValidationError:
    return DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """GET: deliveries of reports on incidents the user sees, and those into the inbox of the user's
    bureau. POST records a report phoned or faxed (the office; 403 for others, 404 for a report it
    may not see, 409 when already recorded). Actions: `confirm` (the office records a phone
    confirmation), `sign` (签收, the receiving bureau's office only), `resend` (the office sends a
    bounced email, 退信, again; 409 unless it bounced)."""

    serializer_class = DeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportDelivery.objects.none()
        return deliveries_visible_to(self.request.user).order_by("-pk")

    @extend_schema(request=RecordSerializer, responses={201: DeliverySerializer})
    def create(self, request):
        body = RecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        report = get_object_or_404(Report.objects.filter(incident__in=incidents_visible_to(request.user)), pk=data["report"])
        try:
            sent = sending.delivery_record(actor=request.user, report=report, recipient=data["recipient"],
                                           channel=data["channel"], number=data["number"], at=data["sent_at"],
                                           confirmed_name=data.get("confirmed_name", ""),
                                           confirmed_at=data.get("confirmed_at"))
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(DeliverySerializer(sent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConfirmSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        sent = self.get_object()
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            sent = sending.delivery_confirm(actor=request.user, sent=sent, name=body.validated_data["name"],
                                            at=body.validated_data.get("at"))
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(DeliverySerializer(sent).data)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        sent = sending.delivery_sign(actor=request.user, sent=self.get_object())
        return Response(DeliverySerializer(sent).data)

    @extend_schema(request=ResendSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        sent = self.get_object()
        check_resend(request.user)
        body = ResendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            sent = delivery_resend(actor=request.user, sent=sent, address=body.validated_data.get("address", ""))
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(DeliverySerializer(sent).data)
