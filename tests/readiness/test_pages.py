"""The readiness pages: who sees them (bureau staff; outsiders 404), the office's forms (bad input
shown on the form, nothing saved), bounded lists with a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from readiness import services
from readiness.models import Course, Drill, DrillPlan, Plan, PlanVersion, RectificationItem
from tests.readiness.conftest import pdf_upload

pytestmark = pytest.mark.django_db

PAGES = ["/readiness/", "/readiness/plans/", "/readiness/drills/", "/readiness/assessments/", "/readiness/training/"]


@pytest.mark.parametrize("who", ["director", "office", "food", "station1"])
def test_the_bureaus_staff_read_every_page(login, cast, overall, held_drill, who):
    client = login(who)
    for url in [*PAGES, f"/readiness/plans/{overall.pk}/", f"/readiness/drills/{held_drill.pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "应急准备" in client.get("/").content.decode()  # the top navigation


def test_an_outsider_and_another_county_get_404(login, cast, counties, overall, held_drill):
    for who in ("outsider", "xz_office"):
        client = login(who)
        for url in [f"/readiness/plans/{overall.pk}/", f"/readiness/drills/{held_drill.pk}/",
                    f"/readiness/versions/{overall.versions.get().pk}/file/"]:
            assert client.get(url).status_code == 404, (who, url)
    assert login("outsider").get("/readiness/").status_code == 404


def test_the_office_creates_a_plan_and_a_section_may_not(login, cast, units):
    data = {"title": "食品安全事故专项应急预案", "kind": "special", "owner_section": units["food_coordination"].pk}
    response = login("food").get("/readiness/plans/new/")
    assert response.status_code == 403 and "办公室" in response.content.decode()
    response = login("office").post("/readiness/plans/new/", data)
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/readiness/plans/{plan.pk}/"


def test_bad_input_is_shown_on_the_form_and_nothing_saved(login, cast, units):
    client = login("office")
    response = client.post("/readiness/plans/new/", {"title": "", "kind": "special", "owner_section": units["chengguan"].pk})
    assert response.status_code == 200 and not Plan.objects.exists()
    body = response.content.decode()
    assert "is-invalid" in body
    response = client.post("/readiness/training/new/", {"title": "x" * 201, "topic": "t", "date": "9999-12-31", "hours": "1"})
    assert response.status_code == 200 and not Course.objects.exists()


def test_a_version_is_uploaded_and_approved_through_the_pages(login, cast, units, overall):
    client = login("office")
    response = client.post(f"/readiness/plans/{overall.pk}/versions/new/",
                           {"file": pdf_upload(), "changes": "调整分工。", "reason": "机构调整。"})
    assert response.status_code == 302
    draft = overall.versions.get(number=2)
    response = client.post(f"/readiness/versions/{draft.pk}/approve/", {"approved_on": timezone.localdate().isoformat()})
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.DRAFT  # the office may not approve: the message says who may
    response = login("director").post(f"/readiness/versions/{draft.pk}/approve/",
                                      {"approved_on": timezone.localdate().isoformat()}, follow=True)
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.APPROVED
    download = client.get(f"/readiness/versions/{draft.pk}/file/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"


def test_an_item_is_recorded_and_reported_done_through_the_pages(login, cast, units, held_drill):
    deadline = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = login("office").post(f"/readiness/drills/{held_drill.pk}/items/new/", {
        "problem": "信息报送偏慢。", "action": "修订流程。", "owner_unit": units["chengguan"].pk, "deadline": deadline})
    assert response.status_code == 302
    item = RectificationItem.objects.get()
    client = login("station1")
    assert "Report done" in client.get(f"/readiness/drills/{held_drill.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode() \
        or "报告完成" in client.get(f"/readiness/drills/{held_drill.pk}/").content.decode()
    client.post(f"/readiness/items/{item.pk}/done/", {"note": "已完成。"})
    item.refresh_from_db()
    assert item.done_at is not None


def test_the_trend_chart_and_its_table(login, cast, units):
    scores = {d: (55, "依据") for d in ("plans", "organisation", "teams", "resources", "drills_training",
                                       "information_warning", "public_participation", "recovery")}
    assessment = services.assessment_create(actor=cast["office"], bureau=units["bureau"], period="2025年度",
                                            assessed_on=timezone.localdate(), scores=scores)
    services.assessment_finalize(actor=cast["office"], assessment=assessment)
    body = login("food").get("/readiness/assessments/").content.decode()
    assert 'id="chart-trend"' in body and "trend-data" in body and "js/readiness.js" in body
    assert "2025年度" in body and ">55<" in body


def test_lists_are_paginated_with_a_fixed_number_of_queries(login, cast, units, django_assert_max_num_queries):
    drill_plan = DrillPlan.objects.create(bureau=units["bureau"], year=timezone.localdate().year)
    Drill.objects.bulk_create([Drill(drill_plan=drill_plan, title=f"演练{i}", scenario="s", type="tabletop",
                                     date=timezone.localdate()) for i in range(60)])
    Course.objects.bulk_create([Course(bureau=units["bureau"], title=f"课程{i}", topic="t", date=timezone.localdate(),
                                       hours=Decimal("2")) for i in range(60)])
    client = login("office")
    for url in ("/readiness/drills/", "/readiness/training/", "/readiness/"):
        with django_assert_max_num_queries(25):
            body = client.get(url).content.decode()
        assert body.count("/readiness/drills/") < 40 and body.count("/readiness/training/") < 40, url


def test_a_persons_training_record(login, cast, units):
    course = services.course_create(actor=cast["office"], bureau=units["bureau"], title="应急值守培训", topic="值班值守",
                                    date=timezone.localdate(), hours=Decimal("2"))
    services.attendance_record(actor=cast["office"], course=course, user=cast["station1"], result="passed", score=90)
    body = login("food").get(f"/readiness/people/{cast['station1'].pk}/training/").content.decode()
    assert "应急值守培训" in body and "值班值守" in body
    assert login("outsider").get(f"/readiness/people/{cast['station1'].pk}/training/").status_code == 404
