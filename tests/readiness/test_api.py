"""/api/plans/ (list, detail, versions), /api/drills/ (with rectification items), /api/trainings/,
/api/assessments/ (and their trend): the bureau's staff read, the office writes, others 404."""

import datetime

import pytest
from django.utils import timezone

from readiness.models import RectificationItem
from reporting.models import Kind, Obligation

pytestmark = pytest.mark.django_db


def test_plans_list_detail_and_versions(api, overall):
    client = api("station1")
    listed = client.get("/api/plans/").json()
    assert listed["count"] == 1 and listed["results"][0]["in_force"]["number"] == 1
    detail = client.get(f"/api/plans/{overall.pk}/").json()
    assert detail["owner_section"] == "office" and detail["kind"] == "overall"
    versions = client.get(f"/api/plans/{overall.pk}/versions/").json()
    assert [v["number"] for v in versions["results"]] == [1] and versions["results"][0]["approved_by"] == "director"


def test_other_bureaus_and_outsiders_see_nothing(api, counties, overall, held_drill):
    for who in ("outsider", "xz_office"):
        client = api(who)
        assert client.get(f"/api/plans/{overall.pk}/").status_code == 404
        assert client.get(f"/api/drills/{held_drill.pk}/").status_code == 404
        assert client.get("/api/drills/").json()["count"] == 0
    assert api("anonymous").get("/api/plans/").status_code == 401


def test_the_office_records_an_item_and_the_owner_reports_it_done(api, cast, units, held_drill):
    deadline = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    body = {"problem": "物资清点不清。", "action": "建立台账。", "owner_unit": "chengguan", "deadline": deadline}
    assert api("food").post(f"/api/drills/{held_drill.pk}/rectifications/", body, format="json").status_code == 403
    response = api("office").post(f"/api/drills/{held_drill.pk}/rectifications/", body, format="json")
    assert response.status_code == 201, response.json()
    item = RectificationItem.objects.get(pk=response.json()["id"])
    assert Obligation.objects.get(rectification=item).kind == Kind.RECTIFICATION
    url = f"/api/drills/{held_drill.pk}/rectifications/{item.pk}/done/"
    assert api("station2").post(url, {"note": "完成"}, format="json").status_code == 403
    assert api("station1").post(url, {"note": ""}, format="json").status_code == 400
    response = api("station1").post(url, {"note": "台账已建立。"}, format="json")
    assert response.status_code == 200 and response.json()["done_note"] == "台账已建立。"
    assert Obligation.objects.get(rectification=item).status == Obligation.Status.FULFILLED


def test_bad_input_is_400_with_field_errors(api, cast, units, held_drill):
    client = api("office")
    response = client.post(f"/api/drills/{held_drill.pk}/rectifications/",
                           {"problem": "p", "action": "a", "owner_unit": "chengguan", "deadline": "9999-12-31"}, format="json")
    assert response.status_code == 400 and "deadline" in response.json()
    response = client.post("/api/drills/", {"title": "t", "scenario": "s", "type": "bogus", "date": "2026-01-01"}, format="json")
    assert response.status_code == 400 and "type" in response.json()
    assert not RectificationItem.objects.exists()


def test_the_office_creates_a_drill_in_the_years_plan(api, cast, held_drill):
    day = held_drill.date.isoformat()
    response = api("office").post("/api/drills/", {"title": "食品安全功能演练", "scenario": "冷链食品抽检阳性。",
                                                   "type": "functional", "date": day, "units": ["chengguan"],
                                                   "participants": ["station1"]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["units"] == ["chengguan"] and response.json()["status"] == "planned"
    assert api("station1").post("/api/drills/", {"title": "t", "scenario": "s", "type": "functional", "date": day},
                                format="json").status_code == 403


def test_trainings_and_assessments_read(api, cast, units):
    from decimal import Decimal

    from readiness import services
    from tests.readiness.test_assessments_training import _assessment

    course = services.course_create(actor=cast["office"], bureau=units["bureau"], title="t", topic="值班值守",
                                    date=timezone.localdate(), hours=Decimal("3"))
    services.attendance_record(actor=cast["office"], course=course, user=cast["station1"], result="passed")
    _assessment(cast, units, "2025", 66)
    client = api("food")
    assert client.get("/api/trainings/").json()["results"][0]["attendances"] == [{"user": "station1", "result": "passed", "score": None}]
    assessment = client.get("/api/assessments/").json()["results"][0]
    assert len(assessment["scores"]) == 8
    trend = client.get("/api/assessments/trend/").json()
    assert trend["labels"] == ["2025"] and trend["datasets"][0]["data"] == [66]
