"""Role groups follow memberships; unit groups carry object permissions."""

import pytest
from django.core.exceptions import ValidationError

from roles.models import Membership, Unit, User
from roles.permissions import Role
from roles.selectors import user_roles
from roles.services import membership_remove, membership_set

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "username, roles",
    [
        ("director", {Role.LEADING_GROUP_MEMBER, Role.LEADING_GROUP_LEADER}),
        ("deputy", {Role.LEADING_GROUP_MEMBER, Role.HQ_COMMANDER}),
        ("office", {Role.OFFICE_STAFF}),
        ("food", {Role.SECTION_STAFF}),
        ("station1", {Role.STATION_STAFF}),
        ("outsider", set()),
        ("admin", {Role.ADMINISTRATOR}),
    ],
)
def test_roles_of_the_cast(cast, username, roles):
    assert user_roles(User.objects.get(username=username)) == roles


def test_membership_in_the_leading_group_office_makes_office_staff(cast):
    user = cast["food"]
    membership_set(user=user, unit=Unit.objects.get(code="leading_group_office"))
    assert user_roles(User.objects.get(pk=user.pk)) == {Role.SECTION_STAFF, Role.OFFICE_STAFF}


def test_removing_a_membership_removes_the_role_and_the_unit_group(cast):
    user, station = cast["station1"], Unit.objects.get(code="chengguan")
    assert user.groups.filter(pk=station.group_id).exists()
    membership_remove(user=user, unit=station)
    user = User.objects.get(pk=user.pk)
    assert user_roles(user) == set()
    assert not user.groups.filter(pk=station.group_id).exists()


def test_moving_a_person_to_another_station_moves_their_object_permissions(cast):
    user = cast["station1"]
    chengguan, baisha = Unit.objects.get(code="chengguan"), Unit.objects.get(code="baisha")
    assert user.has_perm("roles.edit_unit_contacts", chengguan)
    membership_remove(user=user, unit=chengguan)
    membership_set(user=user, unit=baisha)
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("roles.edit_unit_contacts", baisha)
    assert not user.has_perm("roles.edit_unit_contacts", chengguan)


def test_sync_keeps_the_administrator_group_given_by_hand(cast):
    admin = cast["admin"]
    membership_set(user=admin, unit=Unit.objects.get(code="office"))
    assert user_roles(User.objects.get(pk=admin.pk)) == {Role.ADMINISTRATOR, Role.OFFICE_STAFF}


def test_leader_is_a_role_of_the_leading_group_only(cast):
    with pytest.raises(ValidationError):
        membership_set(user=cast["food"], unit=Unit.objects.get(code="office"), role=Membership.Role.LEADER)
    assert not Membership.objects.filter(user=cast["food"], unit__code="office").exists()
