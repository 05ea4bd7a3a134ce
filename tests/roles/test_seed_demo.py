import pytest
from django.core.management import CommandError, call_command

from roles.models import Contact, Membership, Unit, User
from roles.permissions import Role
from roles.selectors import user_roles

pytestmark = pytest.mark.django_db

ACCOUNTS = {"director", "deputy", "office", "food", "station1", "station2", "admin"}


def _snapshot():
    return (
        Unit.objects.count(),
        Contact.objects.count(),
        sorted(User.objects.values_list("username", flat=True)),
        sorted(Membership.objects.values_list("user__username", "unit__code", "role")),
        sorted(User.objects.values_list("username", "groups__name")),
    )


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_runs_with_force_when_debug_is_off(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force", "--password", "another-pass-9")
    assert set(User.objects.values_list("username", flat=True)) == ACCOUNTS
    assert User.objects.get(username="station1").check_password("another-pass-9")


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    assert first[0] == 27  # bureau, leading group, its office, 20 sections, 4 stations


def test_demo_accounts_have_the_roles_of_api_md(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--password", "pw-for-demo-1")
    roles = {u.username: user_roles(u) for u in User.objects.all()}
    assert Role.LEADING_GROUP_LEADER in roles["director"]
    assert Role.HQ_COMMANDER in roles["deputy"]
    assert Role.OFFICE_STAFF in roles["office"]
    assert roles["food"] == {Role.SECTION_STAFF}
    assert roles["station1"] == roles["station2"] == {Role.STATION_STAFF}
    assert Membership.objects.get(user__username="station1").unit != Membership.objects.get(user__username="station2").unit
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="food").check_password("pw-for-demo-1")


def test_demo_people_do_not_bear_the_names_of_the_plans_officials(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    names = {u.display_name for u in User.objects.all()}
    assert not names & {"申永强", "吕书峰", "李顺岭"}
