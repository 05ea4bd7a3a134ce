"""/api/resources/ and /api/reserve-points/: a bureau's staff read their own bureau's; the office
writes; another county gets 404 and never sees them in a list; bad input is a 400 with field errors."""

import pytest

from resources.models import ReservePoint, Resource

pytestmark = pytest.mark.django_db


def test_staff_list_and_read_their_bureau_items(api, items):
    response = api("station1").get("/api/resources/")
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {"食品快检车", "卫星电话", "食品快检试剂盒"}
    one = api("station1").get(f'/api/resources/{items["kits"].pk}/').json()
    assert one["owner_unit"] == "chengguan" and one["available"] == "200.00" and one["status"] == "ready"
    assert api("food").get("/api/resources/?category=vehicle").json()["count"] == 1
    assert api("food").get("/api/reserve-points/").json()["count"] == 2


def test_another_county_and_outsiders_see_nothing(api, counties, items, points):
    assert api("xz_office").get("/api/resources/").json()["count"] == 0
    assert api("xz_office").get(f'/api/resources/{items["kits"].pk}/').status_code == 404
    assert api("xz_office").get(f'/api/reserve-points/{points["depot"].pk}/').status_code == 404
    assert api("xz_office").patch(f'/api/resources/{items["kits"].pk}/', {"name": "x"}, format="json").status_code == 404
    assert api("outsider").get("/api/resources/").json()["count"] == 0
    assert api("anonymous").get("/api/resources/").status_code == 401


def test_the_office_creates_and_edits(api, points):
    body = {"category": "testing", "name": "农残快检仪", "quantity": "3", "unit_of_measure": "台",
            "owner_unit": "office", "reserve_point": points["depot"].pk}
    response = api("office").post("/api/resources/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["check_interval_days"] == 90 and response.json()["next_check_due"]
    pk = response.json()["id"]
    response = api("office").patch(f"/api/resources/{pk}/", {"status": "maintenance"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "maintenance"
    response = api("office").post("/api/reserve-points/", {"name": "白沙所储备点", "latitude": "34.7"}, format="json")
    assert response.status_code == 201 and ReservePoint.objects.filter(name="白沙所储备点").exists()


def test_a_station_may_not_write(api, points):
    response = api("station1").post("/api/resources/", {"name": "x"}, format="json")
    assert response.status_code == 403 and "办公室" in response.json()["detail"]
    assert api("station1").post("/api/reserve-points/", {"name": "x"}, format="json").status_code == 403
    assert not Resource.objects.exists()


@pytest.mark.parametrize("bad", [
    {"quantity": "0"}, {"quantity": "-1"}, {"category": "rocket"}, {"owner_unit": "xinzheng_office"},
    {"name": "长" * 101}, {"status": "dispatched"}, {"check_interval_days": 0},
])
def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(api, counties, points, bad):
    body = {"category": "testing", "name": "农残快检仪", "quantity": "3", "unit_of_measure": "台",
            "owner_unit": "office", "reserve_point": points["depot"].pk, **bad}
    response = api("office").post("/api/resources/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {*bad, "detail"}
    assert not Resource.objects.exists()


def test_a_reserve_point_of_another_county_is_not_accepted(api, counties, points):
    from resources import services
    from roles.models import Unit

    xz = Unit.objects.get(code="xinzheng_office").bureau()
    other = services.reserve_point_create(actor=counties["xz_office"], bureau=xz, name="新郑库")
    body = {"category": "testing", "name": "农残快检仪", "quantity": "3", "unit_of_measure": "台",
            "owner_unit": "office", "reserve_point": other.pk}
    response = api("office").post("/api/resources/", body, format="json")
    assert response.status_code == 400 and "reserve_point" in response.json()


def test_coordinates_out_of_range_are_refused(api, points):
    response = api("office").post("/api/reserve-points/", {"name": "错点", "latitude": "91"}, format="json")
    assert response.status_code == 400 and "latitude" in response.json()
