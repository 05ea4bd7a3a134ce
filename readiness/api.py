"""The `readiness` API: /api/plans/ (list, detail, versions), /api/drills/, /api/trainings/,
/api/assessments/. Reads for the staff of the bureau (readiness.selectors; anyone else: 404 / an
empty list); writes (a drill, its rectification items, an item done) through the services, which
say who may (403). ROUTES are registered on the project's router (emergency/urls.py)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from common import limits
from readiness import selectors, services
from readiness.models import (Assessment, Attendance, Course, DimensionScore, Drill, DrillPlan,
                              ImprovementAction, Plan, PlanVersion, RectificationItem)
from reporting.selectors import office_bureau_ids
from roles.models import Unit, User


class PlanVersionSerializer(serializers.ModelSerializer):
    approved_by = serializers.CharField(source="approved_by.username", default=None, read_only=True)
    incident = serializers.IntegerField(source="incident_id", allow_null=True, read_only=True)

    class Meta:
        model = PlanVersion
        fields = ["id", "number", "status", "file_name", "changes", "reason", "incident", "approved_by", "approved_on",
                  "next_review_due", "drafted_at"]


class PlanSerializer(serializers.ModelSerializer):
    owner_section = serializers.CharField(source="owner_section.code")
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "title", "kind", "owner_section", "review_interval_years", "in_force"]

    def get_in_force(self, plan) -> PlanVersionSerializer(allow_null=True):
        version = plan.in_force[0] if plan.in_force else None
        return PlanVersionSerializer(version).data if version else None


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.plans_visible_to(self.request.user).order_by("pk")

    @extend_schema(responses=PlanVersionSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def versions(self, request, pk=None):
        """Every version of the plan, newest first (paginated)."""
        page = self.paginate_queryset(selectors.plan_versions(self.get_object()))
        return self.get_paginated_response(PlanVersionSerializer(page, many=True).data)


class RectificationSerializer(serializers.ModelSerializer):
    owner_unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(is_active=True))
    problem = serializers.CharField(max_length=limits.LONG_TEXT)
    action = serializers.CharField(max_length=limits.LONG_TEXT)

    class Meta:
        model = RectificationItem
        fields = ["id", "problem", "action", "owner_unit", "deadline", "done_at", "done_note"]
        read_only_fields = ["done_at", "done_note"]


class DoneSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=limits.REASON)


class DrillSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="drill_plan.year", read_only=True)
    units = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)
    participants = serializers.SlugRelatedField(many=True, slug_field="username", read_only=True)

    class Meta:
        model = Drill
        fields = ["id", "year", "title", "scenario", "type", "date", "status", "units", "participants", "evaluation"]


class DrillDetailSerializer(DrillSerializer):
    rectifications = RectificationSerializer(many=True, read_only=True)

    class Meta(DrillSerializer.Meta):
        fields = [*DrillSerializer.Meta.fields, "rectifications"]


class DrillCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    scenario = serializers.CharField(max_length=limits.LONG_TEXT)
    type = serializers.ChoiceField(choices=Drill.Type.choices)
    date = serializers.DateField()
    units = serializers.SlugRelatedField(many=True, slug_field="code", queryset=Unit.objects.filter(is_active=True),
                                         required=False)
    participants = serializers.SlugRelatedField(many=True, slug_field="username",
                                                queryset=User.objects.filter(is_active=True), required=False)


def _office_bureau(user) -> Unit:
    ids = sorted(office_bureau_ids(user))
    if not ids:
        raise PermissionDenied(_("Only the office (办公室/应急管理科) of the bureau may do this."))
    return Unit.objects.get(pk=ids[0])


class DrillViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = []

    def get_queryset(self):
        return (selectors.drills_visible_to(self.request.user).prefetch_related("units", "participants", "rectifications__owner_unit")
                .order_by("-date", "-pk"))

    def get_serializer_class(self):
        if self.action == "create":
            return DrillCreateSerializer
        return DrillDetailSerializer if self.action == "retrieve" else DrillSerializer

    @extend_schema(request=DrillCreateSerializer, responses={201: DrillDetailSerializer})
    def create(self, request, *args, **kwargs):
        """A drill in the annual drill plan of its date's year (the office; the plan must exist: 400)."""
        bureau = _office_bureau(request.user)
        body = DrillCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        drill_plan = DrillPlan.objects.filter(bureau=bureau, year=data["date"].year).first()
        if drill_plan is None:
            raise serializers.ValidationError({"date": [_("Make the year's drill plan first.")]})
        drill = services.drill_create(actor=request.user, drill_plan=drill_plan, title=data["title"], scenario=data["scenario"],
                                      type=data["type"], date=data["date"], units=data.get("units", []),
                                      participants=data.get("participants", []))
        return Response(DrillDetailSerializer(drill).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RectificationSerializer, responses={201: RectificationSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def rectifications(self, request, pk=None):
        """A problem the drill found and its rectification by a deadline (the office): an obligation of the owner unit."""
        drill = self.get_object()
        body = RectificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.rectification_add(actor=request.user, drill=drill, **body.validated_data)
        return Response(RectificationSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DoneSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"], url_path=r"rectifications/(?P<item>\d+)/done", filter_backends=[])
    def rectification_done(self, request, pk=None, item=None):
        """The owner unit reports an item done with a note: its obligation is fulfilled (late if late)."""
        drill = self.get_object()
        found = get_object_or_404(RectificationItem, drill=drill, pk=item)
        body = DoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = services.rectification_complete(actor=request.user, item=found, note=body.validated_data["note"])
        return Response(RectificationSerializer(found).data)


class AttendanceSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username")

    class Meta:
        model = Attendance
        fields = ["user", "result", "score"]


class CourseSerializer(serializers.ModelSerializer):
    attendances = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = ["id", "title", "topic", "date", "hours", "attendances"]


class TrainingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CourseSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.courses_visible_to(self.request.user).prefetch_related("attendances__user").order_by("-date", "-pk")


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = DimensionScore
        fields = ["dimension", "score", "evidence"]


class ImprovementSerializer(serializers.ModelSerializer):
    owner_unit = serializers.CharField(source="owner_unit.code")

    class Meta:
        model = ImprovementAction
        fields = ["id", "dimension", "description", "owner_unit", "deadline", "done_at", "done_note"]


class AssessmentSerializer(serializers.ModelSerializer):
    scores = ScoreSerializer(many=True, read_only=True)
    actions = ImprovementSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "period", "assessed_on", "status", "summary", "scores", "actions"]


class TrendSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    datasets = serializers.ListField(child=serializers.DictField())


class AssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AssessmentSerializer
    filter_backends = []

    def get_queryset(self):
        return (selectors.assessments_visible_to(self.request.user)
                .prefetch_related("scores", "actions__owner_unit").order_by("-assessed_on", "-pk"))

    @extend_schema(responses=TrendSerializer)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def trend(self, request):
        """The final assessments, oldest first: {labels: [period], datasets: [{key, label, data: [score 0–100 or null]}]},
        one dataset per dimension (plans, organisation, teams, resources, drills_training, information_warning,
        public_participation, recovery)."""
        return Response(selectors.trend(selectors.assessments_visible_to(request.user)))


ROUTES = [
    ("plans", PlanViewSet, "plan"),
    ("drills", DrillViewSet, "drill"),
    ("trainings", TrainingViewSet, "training"),
    ("assessments", AssessmentViewSet, "assessment"),
]
PATHS = []  # django.urls.path(...) entries relative to /api/
