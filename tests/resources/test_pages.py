"""The inventory pages: list with filters (one page of rows in a fixed number of queries), an item's
page with its check form, reserve points, agreements with the ones expiring soon marked, and the
forms' errors in the user's language."""

from datetime import timedelta

import pytest
from django.utils import timezone

from resources import services
from resources.models import Resource, ResourceCheck, SupplyAgreement
from roles.models import Unit

pytestmark = pytest.mark.django_db


def test_the_inventory_lists_and_filters(items, login):
    client = login("station2")
    page = client.get("/resources/").content.decode()
    assert "食品快检车" in page and "卫星电话" in page and "食品快检试剂盒" in page
    assert "200 盒" in page and "E+" not in page  # quantities as people write them
    filtered = client.get("/resources/?category=testing").content.decode()
    assert "食品快检试剂盒" in filtered and "卫星电话" not in filtered
    by_point = client.get(f'/resources/?point={items["kits"].reserve_point_id}').content.decode()
    assert "食品快检试剂盒" in by_point and "食品快检车" not in by_point
    assert "/resources/new/" not in page  # only the office adds items


def test_the_inventory_page_costs_the_same_queries_for_many_rows(cast, county, points, login,
                                                                django_assert_max_num_queries):
    office_unit = Unit.objects.get(code="office")
    for n in range(60):
        services.resource_create(actor=cast["office"], bureau=county, category="supplies", name=f"物资{n}", quantity=1,
                                 unit_of_measure="箱", owner_unit=office_unit, reserve_point=points["depot"])
    client = login("office")
    with django_assert_max_num_queries(25):
        page = client.get("/resources/").content.decode()
    assert page.count('href="/resources/') >= 50 and "?page=2" in page
    with django_assert_max_num_queries(20):
        client.get("/resources/readiness/")


def test_the_office_adds_an_item_through_the_form(points, login):
    client = login("office")
    response = client.post("/resources/new/", {
        "category": "communications", "name": "对讲机", "quantity": "5", "unit_of_measure": "台",
        "owner_unit": Unit.objects.get(code="office").pk, "reserve_point": points["depot"].pk, "status": "ready"})
    assert response.status_code == 302
    assert Resource.objects.get(name="对讲机").check_interval_days == 30


def test_bad_form_input_shows_errors_and_saves_nothing(points, login):
    response = login("office").post("/resources/new/", {
        "category": "communications", "name": "", "quantity": "0", "unit_of_measure": "台",
        "owner_unit": Unit.objects.get(code="office").pk, "reserve_point": points["depot"].pk, "status": "ready"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Resource.objects.exists()


def test_the_owner_unit_records_a_check_on_the_item_page(items, login):
    client = login("station1")
    page = client.get(f'/resources/{items["kits"].pk}/').content.decode()
    assert f'/resources/{items["kits"].pk}/check/' in page
    assert client.post(f'/resources/{items["kits"].pk}/check/', {"result": "good", "note": "效期内"}).status_code == 302
    assert ResourceCheck.objects.get().checked_by.username == "station1"
    assert client.post(f'/resources/{items["vehicle"].pk}/check/', {"result": "good"}).status_code == 403
    assert client.post(f'/resources/{items["kits"].pk}/check/', {"result": "bad"}).status_code == 400
    assert ResourceCheck.objects.count() == 1


def test_only_the_office_edits_and_retires(items, login):
    assert login("station1").get(f'/resources/{items["kits"].pk}/edit/').status_code == 403
    assert login("station1").post(f'/resources/{items["kits"].pk}/retire/').status_code == 403
    assert login("office").post(f'/resources/{items["kits"].pk}/retire/').status_code == 302
    assert Resource.objects.get(pk=items["kits"].pk).status == Resource.Status.RETIRED


def test_reserve_points_show_keeper_phones(points, login):
    page = login("station1").get("/resources/points/").content.decode()
    assert 'href="tel:13800000002"' in page and "王库管" in page


def test_agreements_expiring_soon_are_marked(cast, county, login):
    today = timezone.localdate()
    services.agreement_create(actor=cast["office"], bureau=county, company="中牟县某超市", goods="饮用水",
                              quantity="500箱", valid_from=today - timedelta(days=300), valid_until=today + timedelta(days=10))
    services.agreement_create(actor=cast["office"], bureau=county, company="某医药公司", goods="消毒用品",
                              valid_from=today, valid_until=today + timedelta(days=365))
    page = login("office").get("/resources/agreements/").content.decode()
    assert page.count("text-bg-warning") == 1 and "中牟县某超市" in page
    response = login("office").post("/resources/agreements/new/", {
        "company": "坏", "goods": "x", "valid_from": "2026-12-01", "valid_until": "2026-01-01"})
    assert response.status_code == 200 and SupplyAgreement.objects.count() == 2


def test_outsiders_get_404_and_anonymous_sign_in(items, login):
    assert login("outsider").get("/resources/").status_code == 404
    assert login("outsider").get(f'/resources/{items["kits"].pk}/').status_code == 404
    assert login("anonymous").get("/resources/").status_code == 302


def test_the_readiness_view_is_capped_and_filtered_by_category(cast, items, login):
    from resources.selectors import ready_resources

    groups, more = ready_resources(cast["office"], limit=2)
    assert more and sum(len(rows) for points in groups.values() for rows in points.values()) == 2
    groups, more = ready_resources(cast["office"], category="testing")
    assert not more and [r.name for points in groups.values() for rows in points.values() for r in rows] == ["食品快检试剂盒"]
    page = login("station1").get("/resources/readiness/?category=vehicle").content.decode()
    assert "食品快检车" in page and "食品快检试剂盒" not in page
    assert login("station1").get("/resources/readiness/?category=nonsense").status_code == 200
