"""The `alerts` API (names fixed for other systems): /api/deployments/ (early-warning deployments,
read, and an owner unit reporting its task done) and /api/releases/ (drafts: create, read, change;
actions submit, approve, return, publish). ROUTES are registered on the project's router
(emergency/urls.py). Views translate HTTP to service calls: objects come through the visibility
selectors (else 404), bodies through serializers (else 400), the rest is the services' (403, 409)."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from alerts import services
from alerts.models import Deployment, DeploymentTask, Release, ReleaseVersion
from alerts.selectors import deployments_visible_to, releases_visible_to
from common import limits
from common.timebounds import validate_planned
from incidents.models import Level
from incidents.selectors import incidents_visible_to
from roles.models import Unit

class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()


CONFLICT = OpenApiResponse(response=ConflictSerializer, description="The release's or task's state does not allow this action.")


# ---------------------------------------------------------------- deployments


class DeploymentTaskSerializer(serializers.ModelSerializer):
    owner_unit = serializers.CharField(source="owner_unit.code")
    done_by = serializers.CharField(source="done_by.username", allow_null=True, default=None)

    class Meta:
        model = DeploymentTask
        fields = ["number", "title", "owner_unit", "due_at", "done_at", "done_by", "note"]


class DeploymentSerializer(serializers.ModelSerializer):
    bureau = serializers.CharField(source="bureau.code")
    holiday = serializers.CharField(source="holiday.key", allow_null=True, default=None)
    major_event = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    tasks = DeploymentTaskSerializer(many=True, read_only=True)

    class Meta:
        model = Deployment
        fields = ["id", "bureau", "name", "name_en", "holiday", "major_event", "first_day", "opens_on", "opened_at",
                  "status", "tasks"]


class TaskDoneSerializer(serializers.Serializer):
    task = serializers.IntegerField(min_value=1, max_value=32767, help_text="The task's number in the deployment.")
    note = serializers.CharField(allow_blank=True, max_length=limits.LONG_TEXT)


class DeploymentViewSet(viewsets.ReadOnlyModelViewSet):
    """Early-warning deployments before holidays and major events (三(三)4 2)), newest first."""

    serializer_class = DeploymentSerializer

    def get_queryset(self):
        return deployments_visible_to(self.request.user).select_related("bureau", "holiday").prefetch_related(
            Prefetch("tasks", queryset=DeploymentTask.objects.select_related("owner_unit", "done_by"))
        ).order_by("-first_day", "-pk")

    @extend_schema(request=TaskDoneSerializer, responses={200: DeploymentSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="complete-task")
    def complete_task(self, request, pk=None):
        """The owner unit reports its task done, with a note (fulfils the task's deadline)."""
        deployment = self.get_object()
        body = TaskDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = deployment.tasks.filter(number=body.validated_data["task"]).first()
        if task is None:
            raise DRFValidationError({"task": ["No such task in this deployment."]})
        services.deployment_task_complete(actor=request.user, task=task, note=body.validated_data["note"])
        return Response(DeploymentSerializer(self.get_queryset().get(pk=deployment.pk)).data)


# ---------------------------------------------------------------- releases


class ReleaseVersionSerializer(serializers.ModelSerializer):
    saved_by = serializers.CharField(source="saved_by.username")

    class Meta:
        model = ReleaseVersion
        fields = ["number", "title", "body", "level", "valid_from", "valid_until", "affected", "saved_by", "saved_at"]


class ReleaseSerializer(serializers.ModelSerializer):
    bureau = serializers.CharField(source="bureau.code")
    unit = serializers.CharField(source="unit.code")
    colour = serializers.CharField(source="colour_code", read_only=True,
                                   help_text="A warning's level colour: red (Ⅰ), orange, yellow, blue (Ⅳ); empty otherwise.")
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, default=None)
    published_version = serializers.IntegerField(source="published_version.number", allow_null=True, default=None)

    class Meta:
        model = Release
        fields = ["id", "kind", "status", "bureau", "unit", "incident", "deployment", "title", "body", "level", "colour",
                  "valid_from", "valid_until", "affected", "end_announcement", "created_at", "approved_by", "approved_at",
                  "published_at", "published_version"]


class ReleaseDetailSerializer(ReleaseSerializer):
    versions = ReleaseVersionSerializer(many=True, read_only=True)

    class Meta(ReleaseSerializer.Meta):
        fields = ReleaseSerializer.Meta.fields + ["versions"]


class ReleaseTextSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=200)
    body = serializers.CharField(allow_blank=True, max_length=limits.REPORT_BODY)
    level = serializers.ChoiceField(choices=Level.choices, required=False, allow_null=True, default=None)
    valid_from = serializers.DateTimeField(required=False, allow_null=True, default=None, validators=[validate_planned])
    valid_until = serializers.DateTimeField(required=False, allow_null=True, default=None, validators=[validate_planned])
    affected = serializers.CharField(allow_blank=True, required=False, default="", max_length=500)


class ReleaseCreateSerializer(ReleaseTextSerializer):
    kind = serializers.ChoiceField(choices=Release.Kind.choices)
    incident = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    deployment = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(is_active=True), required=False,
                                        allow_null=True, default=None, help_text="The drafting unit (default: yours).")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, default="", max_length=limits.REASON)


@extend_schema_view(
    partial_update=extend_schema(request=ReleaseTextSerializer, responses={200: ReleaseDetailSerializer, 409: CONFLICT}),
    update=extend_schema(request=ReleaseTextSerializer, responses={200: ReleaseDetailSerializer, 409: CONFLICT}),
)
class ReleaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Releases and warnings: drafted by the publicity section, the incident's lead section or the
    12315 centre; approved by the leading group's leader or acting leader (四(三)); published, frozen."""

    def get_queryset(self):
        rows = releases_visible_to(self.request.user).select_related("bureau", "unit", "approved_by", "published_version")
        if self.action != "list":
            rows = rows.prefetch_related(Prefetch("versions", queryset=ReleaseVersion.objects.select_related("saved_by")))
        return rows.order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return ReleaseSerializer if self.action == "list" else ReleaseDetailSerializer

    def _answer(self, release, code=200):
        return Response(ReleaseDetailSerializer(self.get_queryset().get(pk=release.pk)).data, status=code)

    @extend_schema(request=ReleaseCreateSerializer, responses={201: ReleaseDetailSerializer})
    def create(self, request, *args, **kwargs):
        body = ReleaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        incident_id, deployment_id = data.pop("incident"), data.pop("deployment")
        incident = deployment = None
        if incident_id is not None:
            incident = incidents_visible_to(request.user).select_related("station__parent", "hq").filter(pk=incident_id).first()
            if incident is None:
                raise DRFValidationError({"incident": ["No such incident."]})
        if deployment_id is not None:
            deployment = deployments_visible_to(request.user).filter(pk=deployment_id).first()
            if deployment is None:
                raise DRFValidationError({"deployment": ["No such deployment."]})
        release = services.release_draft(actor=request.user, incident=incident, deployment=deployment, **data)
        return self._answer(release, 201)

    def update(self, request, *args, **kwargs):
        release = self.get_object()
        body = ReleaseTextSerializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        services.release_update(actor=request.user, release=release, **body.validated_data)
        return self._answer(release)

    @extend_schema(request=None, responses={200: ReleaseDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the draft to the leader for approval."""
        release = self.get_object()
        services.release_submit(actor=request.user, release=release)
        return self._answer(release)

    @extend_schema(request=ReasonSerializer, responses={200: ReleaseDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The leading group's leader or acting leader approves (403 for anyone else)."""
        release = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.release_approve(actor=request.user, release=release, note=body.validated_data["reason"])
        return self._answer(release)

    @extend_schema(request=ReasonSerializer, responses={200: ReleaseDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """The leader or acting leader sends it back for changes, saying why."""
        release = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.release_return(actor=request.user, release=release, reason=body.validated_data["reason"])
        return self._answer(release)

    @extend_schema(request=None, responses={200: ReleaseDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the approved text; it is frozen from then on."""
        release = self.get_object()
        services.release_publish(actor=request.user, release=release)
        return self._answer(release)


ROUTES = [("deployments", DeploymentViewSet, "deployment"), ("releases", ReleaseViewSet, "release")]
PATHS = []  # django.urls.path(...) entries relative to /api/
