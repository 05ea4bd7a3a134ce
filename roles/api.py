from drf_spectacular.utils import extend_schema
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


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    position = serializers.CharField()
    phone = serializers.CharField()
    # "" for a user without an address: drf-spectacular then declares `format: email` or empty.
    email = serializers.EmailField(allow_blank=True)
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
