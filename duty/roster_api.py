"""/api/duty/shifts/ and /api/duty/now/ (names fixed for other systems, issue 14).

- GET /api/duty/shifts/?bureau=&from=&to=: the shifts of the bureaus whose roster the user reads
  (their own; every one for an administrator), in time order; `from`/`to` are local dates
  (Asia/Shanghai), both inclusive, and keep the shifts that overlap those days. Outsiders: an empty list.
- POST /api/duty/shifts/, PUT/PATCH/DELETE /api/duty/shifts/{id}/: the bureau's office only (403 for
  anyone else who reads the roster, 404 for who does not); DELETE cancels a shift that has not started.
  Bad input, an overlap, a past shift: 400 with field errors.
- GET /api/duty/now/?bureau=: {"bureau": code, "at": now, "shift": {…} or null}: the shift of the
  user's bureau under way now, `shift` null when nobody is on the roster now (not a 404: "nobody on
  duty" is an answer). 404 for a bureau the user does not read, and for an account in no bureau.
"""

import datetime
from contextlib import contextmanager

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from common.filters import TextFilter
from common.timebounds import validate_day
from duty import roster
from duty.models import Shift
from duty.models.roster import NOTE_LENGTH
from duty.roster_selectors import on_duty_now, roster_bureaus, shifts_visible_to
from reporting.selectors import office_bureau_ids
from roles.models import Unit, User


class ShiftSerializer(serializers.ModelSerializer):
    bureau = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(kind=Unit.Kind.BUREAU),
                                          required=False, help_text="The bureau's code; default: the one whose office you staff.")
    leader = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True),
                                          required=False, allow_null=True, help_text="带班领导 (username); null: none yet (a gap).")
    staff = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True), many=True,
                                         required=False, help_text="值班员 (usernames); empty: none yet (a gap).")
    note = serializers.CharField(max_length=NOTE_LENGTH, required=False, allow_blank=True)
    staffed = serializers.SerializerMethodField(help_text="A leader and at least one staff member: not a roster gap.")

    class Meta:
        model = Shift
        fields = ["id", "bureau", "starts_at", "ends_at", "leader", "staff", "is_holiday", "note", "staffed"]

    def get_staffed(self, shift) -> bool:
        return shift.is_staffed([u.pk for u in shift.staff.all()])

    def validate(self, data):
        for name in ("starts_at", "ends_at"):
            if name in data:
                validate_day(data[name])
        return data


class ShiftFilter(django_filters.FilterSet):
    bureau = TextFilter(field_name="bureau__code")
    # Local days, both inclusive: the shifts that overlap them.
    from_ = django_filters.DateFilter(field_name="ends_at", method="overlap_from", validators=[validate_day],
                                      label="first local day (inclusive)")
    to = django_filters.DateFilter(field_name="starts_at", method="overlap_to", validators=[validate_day],
                                   label="last local day (inclusive)")

    class Meta:
        model = Shift
        fields = ["bureau"]

    @staticmethod
    def _start_of(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), timezone.get_default_timezone())

    def overlap_from(self, queryset, name, value):
        return queryset.filter(ends_at__gt=self._start_of(value))

    def overlap_to(self, queryset, name, value):
        return queryset.filter(starts_at__lt=self._start_of(value + datetime.timedelta(days=1)))


# The query parameter is `from` (a Python keyword, so declared as from_ above).
ShiftFilter.base_filters["from"] = ShiftFilter.base_filters.pop("from_")


class Refused(APIException):
    """400 with {"detail": "…"}: a rule of the roster refused the whole request (a past shift, a started one)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


@contextmanager
def roster_rules():
    """The roster services' ValidationError as the API's 400: field errors stay by field; a message
    about the whole shift becomes {"detail": "…"} (the schema's Error)."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise Refused(" ".join(exc.messages)) from exc


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ShiftViewSet(viewsets.ModelViewSet):
    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (shifts_visible_to(self.request.user).select_related("bureau", "leader").prefetch_related("staff")
                .order_by("starts_at", "pk"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        bureau = data.get("bureau")
        if bureau is None:
            own = sorted(office_bureau_ids(self.request.user))
            if not own:
                raise PermissionDenied(_("Only the office (办公室) of the bureau plans the duty roster."))
            bureau = Unit.objects.get(pk=own[0])
        elif not roster_bureaus(self.request.user).filter(pk=bureau.pk).exists():
            raise serializers.ValidationError({"bureau": ["Not a bureau whose roster you read."]})
        with roster_rules():
            serializer.instance = roster.shift_create(
                actor=self.request.user, bureau=bureau, starts_at=data.get("starts_at"), ends_at=data.get("ends_at"),
                leader=data.get("leader"), staff=data.get("staff", []), is_holiday=data.get("is_holiday", False),
                note=data.get("note", ""))

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "bureau" in data and data.pop("bureau") != serializer.instance.bureau:
            raise serializers.ValidationError({"bureau": [_("A shift stays in its bureau.")]})
        with roster_rules():
            serializer.instance = roster.shift_update(actor=self.request.user, shift=serializer.instance, **data)

    @extend_schema(responses={204: None, 400: DetailSerializer})
    def destroy(self, request, *args, **kwargs):
        """Cancel a shift that has not started (the office): 204; 400 once it has started or is over."""
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        with roster_rules():
            roster.shift_delete(actor=self.request.user, shift=instance)


class NowSerializer(serializers.Serializer):
    bureau = serializers.CharField()
    at = serializers.DateTimeField()
    shift = ShiftSerializer(allow_null=True, help_text="null: nobody is on the roster now")


class OnDutyNow(generics.GenericAPIView):
    """GET /api/duty/now/?bureau=code: the shift under way in the user's bureau (or the one named)."""

    serializer_class = NowSerializer

    @extend_schema(parameters=[OpenApiParameter("bureau", str, description="a bureau's code; default: your own")],
                   responses={200: NowSerializer, 404: DetailSerializer})
    def get(self, request):
        bureaus = roster_bureaus(request.user).order_by("pk")
        code = request.query_params.get("bureau", "")[:50]
        if code:
            bureau = bureaus.filter(code=code).first()
            if bureau is None:
                return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        else:
            bureau = bureaus.filter(parent__isnull=False).first() or bureaus.first()
            if bureau is None:
                return Response({"detail": _("Your account belongs to no bureau.")}, status=status.HTTP_404_NOT_FOUND)
        now = timezone.now()
        shift = on_duty_now(bureau, now)
        return Response({"bureau": bureau.code, "at": now.isoformat(),
                         "shift": ShiftSerializer(shift).data if shift is not None else None})
