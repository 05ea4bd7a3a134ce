"""`/api/duty-log/`: list, read, and create — the path 12315 and other systems push entries by.

A push names `source` and `external_id`: the idempotency key. The first push creates the entry
(201); the same push again (a retry, two racing) answers 200 with the entry stored, never a second
row; the same key with other content answers 409 with the differences, and the first stays (a
system that changes what it said must not silently rewrite the record: the office sees the first,
the integrator sees why the second was refused). Without a key (a person recording through the
API) every POST is a new entry (201). Register and close are actions on one entry."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common import limits
from common.timebounds import validate_happened
from duty import log
from duty.log_selectors import log_entries_visible_to, log_list
from duty.models import DutyLogEntry
from incidents.models import Category, Incident, Level
from roles.models import Unit


class DutyLogEntrySerializer(serializers.ModelSerializer):
    bureau = serializers.CharField(source="bureau.code", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    incident = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = DutyLogEntry
        fields = ["id", "reference", "bureau", "received_at", *log.LOG_FIELDS, "source", "external_id", "status",
                  "incident", "recorded_by", "recorded_at", "registered_at", "close_reason", "closed_at"]
        read_only_fields = fields


class DutyLogCreateSerializer(serializers.ModelSerializer):
    """The body of a push. Fields left out keep their defaults (and are not compared on a repeat)."""

    bureau = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(kind=Unit.Kind.BUREAU),
                                          required=False, help_text="The bureau's code; needed only by an account of several bureaus.")
    source = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                   help_text="The pushing system's name, e.g. 12315.")
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                        help_text="The system's own id of the entry: with source, the idempotency key.")

    class Meta:
        model = DutyLogEntry
        fields = ["bureau", "source", "external_id", *log.LOG_FIELDS]
        validators = []  # the idempotency key is not a 400: duty.log.duty_log_push answers a repeat
        extra_kwargs = {name: {"max_length": limit} for name, limit in log.TEXT_LIMITS.items()} | {
            "event_time": {"validators": [validate_happened]}}


class PushConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    id = serializers.IntegerField(help_text="The stored entry's id (null when it is another bureau's).", allow_null=True)
    differences = serializers.DictField(help_text='{"field": {"stored": …, "pushed": …}}')


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class RegisterSerializer(serializers.Serializer):
    station = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(kind=Unit.Kind.STATION))
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    title = serializers.CharField(max_length=Incident._meta.get_field("title").max_length, required=False,
                                  allow_blank=True, default="")
    proposed_level = serializers.ChoiceField(choices=Level.choices, required=False, allow_null=True, default=None)
    nature = serializers.CharField(max_length=Incident._meta.get_field("nature").max_length, required=False,
                                   allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=limits.REASON, allow_blank=True, default="")


CONFLICT = OpenApiResponse(DetailSerializer, description="The entry is already registered or closed.")


class DutyLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DutyLogEntrySerializer

    def get_queryset(self):
        if self.action == "list":
            return log_list(self.request.user)
        return log_entries_visible_to(self.request.user).select_related("bureau", "recorded_by", "incident")

    def _answer(self, entry, code):
        entry = DutyLogEntry.objects.select_related("bureau", "recorded_by", "incident").get(pk=entry.pk)
        return Response(DutyLogEntrySerializer(entry).data, status=code)

    @extend_schema(request=DutyLogCreateSerializer, responses={
        201: DutyLogEntrySerializer,
        200: OpenApiResponse(DutyLogEntrySerializer, description="A repeated push: the entry stored the first time."),
        409: OpenApiResponse(PushConflictSerializer, description="The key is known with other content; the first is kept."),
    })
    def create(self, request, *args, **kwargs):
        body = DutyLogCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        bureau = data.pop("bureau", None)
        source, external_id = data.pop("source", ""), data.pop("external_id", "")
        if not (source or external_id):
            entry = log.duty_log_record(actor=request.user, bureau=bureau, **data)
            return self._answer(entry, status.HTTP_201_CREATED)
        try:
            entry, created = log.duty_log_push(actor=request.user, bureau=bureau, source=source,
                                               external_id=external_id, **data)
        except log.PushConflict as conflict:
            visible = log_entries_visible_to(request.user).filter(pk=conflict.entry.pk).exists()
            return Response({"detail": str(conflict), "id": conflict.entry.pk if visible else None,
                             "differences": conflict.differences if visible else {}}, status=status.HTTP_409_CONFLICT)
        return self._answer(entry, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=RegisterSerializer, responses={200: DutyLogEntrySerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """登记为突发事件并指派监管所: the office registers the entry as an incident for a station."""
        entry = self.get_object()
        body = RegisterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        log.duty_log_register_incident(actor=request.user, entry=entry, **body.validated_data)
        return self._answer(entry, status.HTTP_200_OK)

    @extend_schema(request=CloseSerializer, responses={200: DutyLogEntrySerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        entry = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        log.duty_log_close(actor=request.user, entry=entry, reason=body.validated_data["reason"])
        return self._answer(entry, status.HTTP_200_OK)

