"""The `resources` API: /api/resources/ and /api/reserve-points/ (list, detail; the office of the
bureau creates and edits). Visibility as on the pages: a bureau's staff see its own items and points,
county bureaus never each other's (404). Writes go through resources.services (403 says who may).
ROUTES are registered on the project's router (emergency/urls.py); PATHS are added under /api/."""

from decimal import Decimal

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from common import limits
from common.timebounds import validate_happened
from resources import services
from resources.models import ReservePoint, Resource
from resources.selectors import reserve_points_visible_to, resources_visible_to, user_bureau
from roles.models import Unit


class ReservePointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReservePoint
        fields = ["id", "name", "address", "latitude", "longitude", "keeper", "phone", "is_active"]


class ResourceSerializer(serializers.ModelSerializer):
    owner_unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(is_active=True))
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True)
    reserve_point = serializers.PrimaryKeyRelatedField(queryset=ReservePoint.objects.none())
    reserve_point_name = serializers.CharField(source="reserve_point.name", read_only=True)
    status = serializers.ChoiceField(choices=Resource.Status.choices, required=False,
                                     help_text="Set: ready or maintenance (dispatch, return and retirement have their own actions).")
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    check_interval_days = serializers.IntegerField(min_value=1, max_value=3650, required=False,
                                                   help_text="Days between checks; default: the category's.")
    available = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Resource
        fields = ["id", "category", "name", "spec", "quantity", "unit_of_measure", "dispatched_quantity", "available",
                  "owner_unit", "owner_unit_name", "reserve_point", "reserve_point_name", "status", "last_checked_at",
                  "check_interval_days", "next_check_due", "note"]
        read_only_fields = ["dispatched_quantity", "next_check_due"]
        extra_kwargs = {"note": {"max_length": limits.LONG_TEXT}, "last_checked_at": {"validators": [validate_happened]}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["reserve_point"].queryset = reserve_points_visible_to(request.user)


class ResourceFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Resource.Category.choices)
    status = django_filters.ChoiceFilter(choices=Resource.Status.choices)
    reserve_point = django_filters.NumberFilter(field_name="reserve_point_id", min_value=1, max_value=2**31 - 1)

    class Meta:
        model = Resource
        fields = ["category", "status", "reserve_point"]


class _BureauViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """List and detail of what the user's bureau holds; create and edit through the services."""

    def _save(self, serializer, code, **kwargs):
        serializer.is_valid(raise_exception=True)
        saved = self.write(serializer.validated_data, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=saved.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        bureau = user_bureau(request.user)
        services.check_manage(request.user, bureau)  # 403 before the body is read
        return self._save(self.get_serializer(data=request.data), status.HTTP_201_CREATED, bureau=bureau)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()  # 404 for another bureau's
        services.check_manage(request.user, instance.bureau)
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        return self._save(serializer, status.HTTP_200_OK, instance=instance)


@extend_schema(tags=["resources"])
class ResourceViewSet(_BureauViewSet):
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilter

    def get_queryset(self):
        return resources_visible_to(self.request.user).select_related("owner_unit", "reserve_point").order_by(
            "category", "name", "pk")

    def write(self, data, *, bureau=None, instance=None):
        data = dict(data)
        if instance is None:
            return services.resource_create(actor=self.request.user, bureau=bureau, **data)
        data.pop("last_checked_at", None)  # recorded by a check, not typed over
        return services.resource_update(actor=self.request.user, resource=instance, **data)


@extend_schema(tags=["resources"])
class ReservePointViewSet(_BureauViewSet):
    serializer_class = ReservePointSerializer

    def get_queryset(self):
        return reserve_points_visible_to(self.request.user).order_by("name", "pk")

    def write(self, data, *, bureau=None, instance=None):
        if instance is None:
            return services.reserve_point_create(actor=self.request.user, bureau=bureau, **data)
        return services.reserve_point_update(actor=self.request.user, point=instance, **data)


ROUTES = [
    ("resources", ResourceViewSet, "resource"),
    ("reserve-points", ReservePointViewSet, "reserve-point"),
]  # (prefix, viewset, basename)
PATHS = []  # django.urls.path(...) entries relative to /api/
