"""An item's check as an obligation of its owner unit (docs/deadlines.md, rule "resource check"):
created with the item, due at next_check_due, swept overdue at a moved time like any deadline,
fulfilled by a check that opens the next one, waived when the item is retired."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from reporting.models import Kind, Notification, Obligation
from reporting.sweep import sweep_due
from resources import services
from resources.deadlines import RETIRED
from resources.models import Resource, ResourceCheck
from roles.models import Unit
from tests.resources.conftest import T0

pytestmark = pytest.mark.django_db
S = Obligation.Status


def checks_of(resource):
    return list(Obligation.objects.filter(resource=resource, kind=Kind.RESOURCE_CHECK).order_by("sequence"))


def test_a_new_item_owes_its_first_check_after_the_category_interval(items):
    vehicle, kits = items["vehicle"], items["kits"]
    [obligation] = checks_of(vehicle)
    assert vehicle.check_interval_days == 30 and vehicle.next_check_due == T0 + timedelta(days=30)
    assert obligation.due_at == vehicle.next_check_due and obligation.status == S.PENDING
    assert obligation.owner_unit == Unit.objects.get(code="office") and obligation.sequence == 1
    assert obligation.incident_id is None
    [kit_check] = checks_of(kits)
    assert kit_check.owner_unit.code == "chengguan" and kit_check.due_at == T0 + timedelta(days=90)


def test_the_default_interval_is_data(cast, county, points, settings):
    settings.RESOURCE_CHECK_INTERVAL_DAYS = {"vehicle": 7}
    car = services.resource_create(actor=cast["office"], bureau=county, category="vehicle", name="执法车", quantity=1,
                                   unit_of_measure="辆", owner_unit=Unit.objects.get(code="office"),
                                   reserve_point=points["depot"], at=T0)
    assert checks_of(car)[0].due_at == T0 + timedelta(days=7)


def test_an_item_last_checked_long_ago_is_born_overdue(cast, county, points):
    old = services.resource_create(actor=cast["office"], bureau=county, category="communications", name="对讲机",
                                   quantity=10, unit_of_measure="台", owner_unit=Unit.objects.get(code="office"),
                                   reserve_point=points["depot"], last_checked_at=T0 - timedelta(days=400))
    [obligation] = checks_of(old)
    assert obligation.status == S.OVERDUE and obligation.due_at == T0 - timedelta(days=370)


def test_the_sweep_reminds_then_marks_the_missed_check_overdue(cast, items, django_capture_on_commit_callbacks):
    kits = items["kits"]
    [obligation] = checks_of(kits)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_due(now=T0 + timedelta(days=89, hours=23))
    obligation.refresh_from_db()
    assert obligation.status == S.PENDING
    assert Notification.objects.filter(user=cast["station1"], step__startswith="reminder").exists()
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_due(now=T0 + timedelta(days=90, minutes=1))
    obligation.refresh_from_db()
    assert obligation.pk in result.marked_overdue and obligation.status == S.OVERDUE
    assert obligation.overdue_at == T0 + timedelta(days=90)
    # The owner unit and its bureau's office are told.
    assert Notification.objects.filter(user=cast["station1"], step="overdue").exists()
    assert Notification.objects.filter(user=cast["office"], step="overdue").exists()


def test_a_check_fulfils_the_obligation_and_opens_the_next(cast, items):
    vehicle = items["vehicle"]
    at = T0 + timedelta(days=20)
    check = services.resource_check_record(actor=cast["office"], resource=vehicle, result="good", note="试车正常", at=at)
    first, second = checks_of(vehicle)
    assert first.status == S.FULFILLED and first.fulfilled_at == at and first.late_by_seconds is None
    assert second.sequence == 2 and second.status == S.PENDING and second.due_at == at + timedelta(days=30)
    vehicle.refresh_from_db()
    assert vehicle.last_checked_at == at and vehicle.next_check_due == second.due_at
    assert check.checked_by == cast["office"]


def test_a_late_check_is_recorded_late_after_the_sweep_marked_it(cast, items):
    kits = items["kits"]
    sweep_due(now=T0 + timedelta(days=91))
    at = T0 + timedelta(days=92)
    services.resource_check_record(actor=cast["station1"], resource=kits, result="needs_maintenance", at=at)
    first, second = checks_of(kits)
    assert first.status == S.FULFILLED and first.late_by_seconds == 2 * 24 * 3600 and first.overdue_at is not None
    assert second.due_at == at + timedelta(days=90)
    kits.refresh_from_db()
    assert kits.status == Resource.Status.MAINTENANCE  # a check that finds a fault takes it out of service
    services.resource_check_record(actor=cast["station1"], resource=kits, result="good", at=at + timedelta(days=1))
    kits.refresh_from_db()
    assert kits.status == Resource.Status.READY and len(checks_of(kits)) == 3


def test_only_the_owner_unit_or_the_office_record_a_check(cast, items):
    with pytest.raises(PermissionDenied):
        services.resource_check_record(actor=cast["station2"], resource=items["kits"], result="good")
    with pytest.raises(PermissionDenied):
        services.resource_check_record(actor=cast["station1"], resource=items["vehicle"], result="good")
    assert not ResourceCheck.objects.exists() and len(checks_of(items["kits"])) == 1


def test_retiring_waives_the_open_check_with_a_system_reason(cast, items):
    services.resource_retire(actor=cast["office"], resource=items["phone"], at=T0 + timedelta(days=1))
    [obligation] = checks_of(items["phone"])
    assert obligation.status == S.WAIVED and obligation.waived_reason_key == RETIRED
    assert obligation.overdue_at is None  # waived before the deadline: out of the counts
    assert obligation.pk not in sweep_due(now=T0 + timedelta(days=60)).marked_overdue


def test_a_shorter_interval_brings_the_check_earlier_never_later(cast, items):
    vehicle = items["vehicle"]
    services.resource_update(actor=cast["office"], resource=vehicle, check_interval_days=10, at=T0)
    assert checks_of(vehicle)[0].due_at == T0 + timedelta(days=10)
    services.resource_update(actor=cast["office"], resource=vehicle, check_interval_days=60, at=T0)
    assert checks_of(vehicle)[0].due_at == T0 + timedelta(days=10)


def test_a_new_owner_unit_takes_over_the_open_check(cast, items):
    services.resource_update(actor=cast["office"], resource=items["vehicle"], owner_unit=Unit.objects.get(code="chengguan"))
    assert checks_of(items["vehicle"])[0].owner_unit.code == "chengguan"


def test_a_missed_check_is_on_the_overdue_board_named_and_linked(cast, items, login):
    kits = items["kits"]
    sweep_due(now=T0 + timedelta(days=91))
    for who in ("office", "station1"):
        page = login(who).get("/reporting/board/").content.decode()
        assert "应急资源 食品快检试剂盒" in page, who
        assert f"/resources/{kits.pk}/" in page, who
    assert "食品快检试剂盒" not in login("station2").get("/reporting/board/").content.decode()
