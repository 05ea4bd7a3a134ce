"""The bureau of the plan (二、组织体系) as a tree of units."""

import pytest
from django.core.exceptions import ValidationError

from roles import plan_data
from roles.models import Contact, Unit
from roles.selectors import office_section
from roles.setup import bureau_setup_from_plan

pytestmark = pytest.mark.django_db


def test_the_bureau_has_the_plans_twenty_sections_in_order_with_their_duties(bureau):
    sections = list(Unit.objects.filter(kind=Unit.Kind.SECTION).order_by("number"))
    assert [s.number for s in sections] == list(range(1, 21))
    assert sections[0].name == "办公室(应急管理科)"
    assert sections[5].name == "食品安全协调督查科"
    assert sections[5].responsibility == "负责我县食品安全突发事件应急预案的制订及实施工作。"
    assert sections[10].duties.startswith("拟订特种设备安全监督管理制度措施")
    assert all(s.parent == bureau for s in sections)


def test_leading_group_and_its_office_housed_in_the_office_section(bureau):
    leading_group = Unit.objects.get(kind=Unit.Kind.LEADING_GROUP)
    office = Unit.objects.get(kind=Unit.Kind.LEADING_GROUP_OFFICE)
    assert leading_group.parent == bureau
    assert office.parent == leading_group
    assert office.housed_in.code == "office"
    assert office_section() == office.housed_in
    assert office.ancestors() == [leading_group, bureau]


def test_stations_are_named_after_zhongmou_towns_and_contacts_exist(bureau):
    stations = Unit.objects.filter(kind=Unit.Kind.STATION)
    assert stations.count() >= 3
    assert {s.town for s in stations} >= {"城关镇", "白沙镇", "韩寺镇"}
    upward = set(Contact.objects.filter(kind=Contact.Kind.UPWARD).values_list("code", flat=True))
    assert upward == {"county_government", "city_bureau"}


def test_every_unit_has_its_own_group(bureau):
    assert not Unit.objects.filter(group=None).exists()
    assert Unit.objects.get(code="chengguan").group.name == "unit:chengguan"


def test_setup_is_idempotent_and_keeps_what_the_office_filled_in(bureau):
    counts = (Unit.objects.count(), Contact.objects.count())
    Contact.objects.filter(code="county_government").update(phone="0371-00000000")
    Unit.objects.filter(code="chengguan").update(phone="0371-11111111")
    bureau_setup_from_plan()
    assert (Unit.objects.count(), Contact.objects.count()) == counts
    assert Contact.objects.get(code="county_government").phone == "0371-00000000"
    assert Unit.objects.get(code="chengguan").phone == "0371-11111111"
    assert counts == (3 + len(plan_data.SECTIONS) + len(plan_data.STATIONS), len(plan_data.CONTACTS))


def test_a_second_county_bureau_fits_under_a_city_bureau(bureau):
    city = Unit.objects.create(code="city", kind=Unit.Kind.BUREAU, name="市局")
    bureau.parent = city
    bureau.full_clean()  # a bureau may sit under a bureau: the tree grows upward without a rewrite
    bureau.save()
    other = Unit(code="other_county", kind=Unit.Kind.BUREAU, name="另一县局", parent=city)
    other.full_clean()
    other.save()
    assert Unit.objects.get(code="chengguan").ancestors() == [bureau, city]


@pytest.mark.parametrize(
    "kind, parent_code",
    [
        (Unit.Kind.STATION, "office"),  # a station under a section
        (Unit.Kind.SECTION, "leading_group"),
        (Unit.Kind.LEADING_GROUP_OFFICE, "bureau"),
        (Unit.Kind.SECTION, None),  # a section must belong to a bureau
    ],
)
def test_a_unit_cannot_sit_under_the_wrong_kind_of_parent(bureau, kind, parent_code):
    parent = Unit.objects.get(code=parent_code) if parent_code else None
    with pytest.raises(ValidationError) as refused:
        Unit(code="new", kind=kind, name="新", parent=parent).full_clean()
    assert refused.value.message_dict["parent"] == ["该类别的单位不能隶属于所选上级单位。"]


def test_a_unit_cannot_be_its_own_ancestor(bureau):
    city = Unit.objects.create(code="city", kind=Unit.Kind.BUREAU, name="市局", parent=bureau)
    bureau.parent = city
    with pytest.raises(ValidationError) as refused:
        bureau.full_clean()
    assert "parent" in refused.value.message_dict


def test_only_the_leading_group_office_is_housed_in_a_section(bureau):
    station = Unit.objects.get(code="chengguan")
    station.housed_in = Unit.objects.get(code="office")
    with pytest.raises(ValidationError) as refused:
        station.full_clean()
    assert "housed_in" in refused.value.message_dict


def test_display_name_follows_the_language(bureau):
    from django.utils import translation

    unit = Unit.objects.get(code="chengguan")
    with translation.override("en"):
        assert unit.display_name == "Chengguan Supervision Station"
    with translation.override("zh-hans"):
        assert unit.display_name == "城关市场监督管理所"
