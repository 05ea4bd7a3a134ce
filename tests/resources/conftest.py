"""The inventory the resources tests speak of: two reserve points of the cast's county, a rapid-testing
vehicle (快检车), a satellite phone and 200 boxes of test kits, all entered by the office through the
services; and an incident activated at Ⅰ with its HQ, whose commander is the deputy."""

import datetime

import pytest
from django.utils import timezone

from resources import services
from roles.models import Unit
from tests.incidents.conftest import categories, file_incident, to_state  # noqa: F401  (shared fixtures)

T0 = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 0))


@pytest.fixture
def county(cast):
    return Unit.objects.get(code="chengguan").bureau()


@pytest.fixture
def points(cast, county):
    office = cast["office"]
    return {
        "depot": services.reserve_point_create(actor=office, bureau=county, name="局机关应急物资库", address="中牟县青年路1号",
                                               latitude="34.718900", longitude="113.976200", keeper="王库管", phone="0371-62100001"),
        "station": services.reserve_point_create(actor=office, bureau=county, name="城关所储备点", address="城关镇建设路2号",
                                                 keeper="李所员", phone="13800000002"),
    }


@pytest.fixture
def items(cast, county, points):
    office = cast["office"]
    office_unit = Unit.objects.get(code="office")
    chengguan = Unit.objects.get(code="chengguan")

    def make(**fields):
        return services.resource_create(actor=office, bureau=county, at=T0, **fields)

    return {
        "vehicle": make(category="vehicle", name="食品快检车", spec="依维柯快检车", quantity=1, unit_of_measure="辆",
                        owner_unit=office_unit, reserve_point=points["depot"]),
        "phone": make(category="communications", name="卫星电话", quantity=2, unit_of_measure="台",
                      owner_unit=office_unit, reserve_point=points["depot"]),
        "kits": make(category="testing", name="食品快检试剂盒", quantity=200, unit_of_measure="盒",
                     owner_unit=chengguan, reserve_point=points["station"]),
    }


@pytest.fixture
def active_i(cast, file_incident, to_state):
    """An incident of 城关所 activated at Ⅰ with its command HQ (the deputy commands it)."""
    return to_state(file_incident(proposed_level=1), "active")
