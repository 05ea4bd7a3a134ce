from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from roles.selectors import user_memberships, user_roles


class MembershipSerializer(serializers.Serializer):
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    name_en = serializers.CharField(source="unit.name_en")
    kind = serializers.CharField(source="unit.kind")
    role = serializers.CharField()
    title = serializers.CharField()


@extend_schema_field({"type": "string", "anyOf": [{"format": "email"}, {"maxLength": 0}],
                     "description": "The e-mail address, or an empty string when none is known."})
class EmailOrBlankField(serializers.EmailField):
    """An e-mail address or "" (a user without one): the schema says so, where `format: email` alone
    would call "" invalid."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    position = serializers.CharField()
    phone = serializers.CharField()
    email = EmailOrBlankField()
    units = MembershipSerializer(many=True)
    roles = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    """The signed-in user, their units and their roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "position": user.position,
            "phone": user.phone,
            "email": user.email,
            "units": user_memberships(user),
            "roles": sorted(role.value for role in user_roles(user)),
        }
        return Response(MeSerializer(data).data)
