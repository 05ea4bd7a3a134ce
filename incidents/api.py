"""The incidents API of ../shared/docs/api.md: list/detail/file, one POST per transition, the timeline.

Views only translate HTTP to service calls: the object comes through incidents_visible_to
(else 404), the body through a serializer (else 400), the rest is the service's.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common import limits
from common.filters import BoundedDateTimeFilter, TextFilter
from common.pagination import KeysFirstPagination
from common.timebounds import validate_happened, validate_planned
from incidents import services
from incidents.forms import INTAKE_TEXT_FIELDS
from incidents.models import Category, CommandHQ, Incident, IncidentEvent, Level, Measure
from incidents.selectors import incident_events, incident_list, incident_search, incidents_visible_to
from roles.models import Unit, User

# ---------------------------------------------------------------- errors


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The incident's state does not allow this action."
    default_code = "conflict"


def exception_handler(exc, context):
    """Services speak Django; the API answers 400 / 403 / 409 with JSON (api.md)."""
    if isinstance(exc, services.InvalidTransition):
        exc = Conflict(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    return drf_exception_handler(exc, context)


# ---------------------------------------------------------------- reading


class CategorySerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code")
    section_name = serializers.CharField(source="section.name")

    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "section", "section_name"]


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    queryset = Category.objects.select_related("section")
    lookup_field = "code"
    pagination_class = None


class HQSerializer(serializers.ModelSerializer):
    commander = serializers.CharField(source="commander.username")
    lead_section = serializers.CharField(source="lead_section.code")
    member_sections = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    stations = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = CommandHQ
        fields = ["commander", "lead_section", "member_sections", "stations", "formed_at"]


class MeasureSerializer(serializers.ModelSerializer):
    owner_unit = serializers.CharField(source="owner_unit.code")
    # A note the system wrote (cancelled by the end) in the reader's language (common.messages).
    completion_note = serializers.CharField(source="completion_note_text", read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "title", "description", "level", "owner_unit", "due_at", "status", "completion_note", "completed_at"]


class IncidentListSerializer(serializers.ModelSerializer):
    station = serializers.CharField(source="station.code")
    category = serializers.CharField(source="category.code", allow_null=True)

    class Meta:
        model = Incident
        fields = ["id", "reference", "title", "status", "level", "proposed_level", "station", "category",
                  "occurred_at", "received_at", "location", "created_at"]


class IncidentSerializer(IncidentListSerializer):
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # null unless merged
    hq = HQSerializer(read_only=True, allow_null=True)
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta(IncidentListSerializer.Meta):
        fields = IncidentListSerializer.Meta.fields + [
            "discovered_at", "latitude", "longitude", "nature", "description", "dead", "injured", "missing",
            "estimated_loss", "scope", "trend", "source", "source_detail", "measures_taken", "reporter_name",
            "reporter_position", "reporter_phone", "verification_summary", "merged_into", "announce_end", "hq",
            "measures", "updated_at",
        ]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True)
    actor_name = serializers.CharField(source="actor.display_name", allow_null=True)
    delegation = serializers.SerializerMethodField()
    message = serializers.CharField(source="message_text", read_only=True)  # a system note in the reader's language

    class Meta:
        model = IncidentEvent
        fields = ["id", "kind", "at", "actor", "actor_name", "actor_role", "message", "data", "delegation"]

    def get_delegation(self, event) -> dict | None:
        d = event.delegation
        if d is None:
            return None
        return {"acting": d.acting.username, "starts_at": d.starts_at.isoformat(), "ends_at": d.ends_at.isoformat(),
                "reason": d.reason}


class IncidentFilter(django_filters.FilterSet):
    """The incident list's query parameters, for the page and the API alike (common.filters)."""

    status = django_filters.MultipleChoiceFilter(choices=Incident.Status.choices)
    level = django_filters.TypedChoiceFilter(choices=Level.choices, coerce=int)
    category = TextFilter(field_name="category__code")
    station = TextFilter(field_name="station__code")
    received_after = BoundedDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = BoundedDateTimeFilter(field_name="received_at", lookup_expr="lt")
    q = TextFilter(method="search")

    class Meta:
        model = Incident
        fields = ["status", "level", "category", "station"]

    def search(self, queryset, name, value):
        return incident_search(queryset, value)


# ---------------------------------------------------------------- writing: bodies of the actions


class IncidentFileSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False, allow_null=True)
    station = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(kind=Unit.Kind.STATION),
                                           required=False)
    draft = serializers.BooleanField(default=False)

    class Meta:
        model = Incident
        fields = ["draft", "station"] + services.INTAKE_FIELDS
        # What a person may type is bounded here as in the form (the model's TextFields are unbounded), and
        # the times by the calendar window of common.timebounds (the service checks it again).
        extra_kwargs = {name: {"max_length": limits.LONG_TEXT} for name in INTAKE_TEXT_FIELDS} | {
            "occurred_at": {"validators": [validate_happened]}, "discovered_at": {"validators": [validate_happened]}}


class DraftUpdateSerializer(IncidentFileSerializer):
    class Meta(IncidentFileSerializer.Meta):
        fields = services.INTAKE_FIELDS


class TextSerializer(serializers.Serializer):
    message = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, default="", max_length=limits.REASON)


class VerifySerializer(SummarySerializer):
    accept_discovery_reason = serializers.CharField(
        allow_blank=True, default="",
        help_text="Give a reason to accept the station's discovery time as the start of the first-report clock.")


class LevelSerializer(ReasonSerializer):
    level = serializers.ChoiceField(choices=Level.choices)


class ActivateSerializer(LevelSerializer):
    form_hq = serializers.BooleanField(default=False)


class CorrectSerializer(ReasonSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False)
    proposed_level = serializers.ChoiceField(choices=Level.choices, required=False)


class MergeSerializer(ReasonSerializer):
    into = serializers.IntegerField()


class EndSerializer(SummarySerializer):
    announce = serializers.BooleanField(default=False)


class HQUpdateSerializer(serializers.Serializer):
    commander = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all(), required=False)
    lead_section = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(kind=Unit.Kind.SECTION),
                                                required=False)
    member_sections = serializers.SlugRelatedField(slug_field="code", many=True, required=False,
                                                   queryset=Unit.objects.filter(kind=Unit.Kind.SECTION))
    stations = serializers.SlugRelatedField(slug_field="code", many=True, required=False,
                                            queryset=Unit.objects.filter(kind=Unit.Kind.STATION))


class MeasureAddSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=Measure._meta.get_field("title").max_length)
    description = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)
    owner_unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(is_active=True))
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None, validators=[validate_planned])


class MeasureUpdateSerializer(serializers.Serializer):
    measure = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[Measure.Status.DONE, Measure.Status.CANCELLED])
    completion_note = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)


class TeamSerializer(serializers.Serializer):
    leader = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))
    members = serializers.SlugRelatedField(slug_field="username", many=True, required=False, default=list,
                                           queryset=User.objects.filter(is_active=True))
    experts = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)


class AfterActionSerializer(serializers.Serializer):
    cause = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)
    handling = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)
    follow_up = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)
    lessons = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)
    improvements = serializers.CharField(allow_blank=True, default="", max_length=limits.LONG_TEXT)


# ---------------------------------------------------------------- the viewset


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    filterset_class = IncidentFilter
    pagination_class = KeysFirstPagination  # deep pages read one page of rows, not all skipped ones

    def get_queryset(self):
        if self.action == "list":
            return incident_list(self.request.user)
        return incidents_visible_to(self.request.user).select_related("category", "station", "hq__commander",
                                                                       "hq__lead_section").prefetch_related(
            "hq__member_sections", "hq__stations", Prefetch("measures", queryset=Measure.objects.select_related("owner_unit"))
        )

    def get_serializer_class(self):
        if self.action == "list":
            return IncidentListSerializer
        if self.action == "create":
            return IncidentFileSerializer
        return IncidentSerializer

    def _answer(self, incident, code=status.HTTP_200_OK):
        current = self.get_queryset().filter(pk=incident.pk).first()
        if current is None:
            # The action itself took the user's access away (e.g. the lead section handed the HQ
            # to another section): it is done, but what they may no longer see is not shown.
            return Response({"id": incident.pk}, status=code)
        return Response(IncidentSerializer(current).data, status=code)

    @extend_schema(request=IncidentFileSerializer, responses={201: IncidentSerializer})
    def create(self, request, *args, **kwargs):
        body = IncidentFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        station = data.pop("station", None) or self._own_station(request.user)
        incident = services.incident_file(actor=request.user, station=station, **data)
        return self._answer(incident, status.HTTP_201_CREATED)

    @staticmethod
    def _own_station(user):
        stations = list(Unit.objects.filter(kind=Unit.Kind.STATION, memberships__user=user))
        if len(stations) != 1:
            raise DRFValidationError({"station": ["Name the station (its code)."]})
        return stations[0]

    def _act(self, request, body_class, service, **extra):
        incident = self.get_object()  # 404 for what the user may not see
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        service(actor=request.user, incident=incident, **body.validated_data, **extra)
        return self._answer(incident)

    @extend_schema(request=DraftUpdateSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="update-draft")
    def update_draft(self, request, pk=None):
        incident = self.get_object()
        body = DraftUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.incident_update_draft(actor=request.user, incident=incident, **body.validated_data)
        return self._answer(incident)

    @extend_schema(request=None, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        incident = self.get_object()
        services.incident_submit(actor=request.user, incident=incident)
        return self._answer(incident)

    @extend_schema(request=TextSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(request, TextSerializer, services.incident_return)

    @extend_schema(request=TextSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def supplement(self, request, pk=None):
        return self._act(request, TextSerializer, services.incident_supplement)

    @extend_schema(request=CorrectSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        return self._act(request, CorrectSerializer, services.incident_correct)

    @extend_schema(request=MergeSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        incident = self.get_object()
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        into = incidents_visible_to(request.user).filter(pk=body.validated_data["into"]).first()
        if into is None:
            raise DRFValidationError({"into": ["No such incident."]})
        services.incident_merge(actor=request.user, incident=incident, into=into, reason=body.validated_data["reason"])
        return self._answer(incident)

    @extend_schema(request=VerifySerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._act(request, VerifySerializer, services.incident_verify)

    @extend_schema(request=TextSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        return self._act(request, TextSerializer, services.incident_comment)

    @extend_schema(request=ActivateSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._act(request, ActivateSerializer, services.incident_activate)

    @extend_schema(request=ReasonSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(request, ReasonSerializer, services.incident_decline)

    @extend_schema(request=LevelSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="change-level")
    def change_level(self, request, pk=None):
        return self._act(request, LevelSerializer, services.incident_change_level)

    @extend_schema(request=HQUpdateSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def hq(self, request, pk=None):
        return self._act(request, HQUpdateSerializer, services.incident_hq_update)

    @extend_schema(request=MeasureAddSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="add-measure")
    def add_measure(self, request, pk=None):
        return self._act(request, MeasureAddSerializer, services.measure_add)

    @extend_schema(request=MeasureUpdateSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="update-measure")
    def update_measure(self, request, pk=None):
        incident = self.get_object()
        body = MeasureUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        measure = incident.measures.filter(pk=data.pop("measure")).first()
        if measure is None:
            raise DRFValidationError({"measure": ["No such measure in this incident."]})
        services.measure_update(actor=request.user, measure=measure, **data)
        return self._answer(incident)

    @extend_schema(request=SummarySerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def summary(self, request, pk=None):
        return self._act(request, SummarySerializer, services.incident_summary_submit)

    @extend_schema(request=ReasonSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="approve-end")
    def approve_end(self, request, pk=None):
        """Ⅲ and Ⅳ: the leading group approves the end after the summary (五(一))."""
        return self._act(request, ReasonSerializer, services.incident_approve_end)

    @extend_schema(request=EndSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self._act(request, EndSerializer, services.incident_end)

    @extend_schema(request=TeamSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def team(self, request, pk=None):
        return self._act(request, TeamSerializer, services.incident_team_name)

    @extend_schema(request=AfterActionSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="after-action")
    def after_action(self, request, pk=None):
        return self._act(request, AfterActionSerializer, services.incident_after_action_file)

    # The whole history as a plain list, not paginated, and not filtered like the incident list.
    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        incident = self.get_object()
        return Response(EventSerializer(incident_events(incident), many=True).data)
