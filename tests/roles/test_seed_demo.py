import pytest
from django.core.management import CommandError, call_command

from roles.models import Contact, Membership, Unit, User
from roles.permissions import Role
from roles.selectors import user_roles

pytestmark = pytest.mark.django_db

ACCOUNTS = {"director", "deputy", "office", "food", "station1", "station2", "admin",
            "city_office", "xz_director", "xz_deputy", "xz_office", "xz_station"}


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
    # Two counties of 27 units (bureau, leading group, its office, 20 sections, 4 stations) and the
    # city's 4 (bureau, leading group, its office, the office section).
    assert first[0] == 2 * 27 + 4


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
    assert roles["city_office"] == {Role.CITY_STAFF}
    assert Role.OFFICE_STAFF in roles["xz_office"] and Role.LEADING_GROUP_LEADER in roles["xz_director"]


def test_the_demo_is_a_city_with_two_counties_whose_reports_reach_the_city(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--password", "pw-for-demo-1")
    city = Unit.objects.get(code="zhengzhou")
    assert set(Unit.objects.filter(parent=city, kind=Unit.Kind.BUREAU).values_list("code", flat=True)) == {"bureau", "xinzheng"}
    for county in ("bureau", "xinzheng"):
        upward = Contact.objects.get(bureau__code=county, kind=Contact.Kind.UPWARD, portal_unit__isnull=False)
        assert upward.portal_unit == city and upward.name == "郑州市市场监督管理局"
    assert Contact.objects.get(code="xinzheng_county_government").name == "新郑市人民政府"
    assert Contact.objects.get(code="county_government").name == "中牟县人民政府"  # the first county as it was


def test_demo_people_do_not_bear_the_names_of_the_plans_officials(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    names = {u.display_name for u in User.objects.all()}
    assert not names & {"申永强", "吕书峰", "李顺岭"}
