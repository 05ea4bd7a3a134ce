"""/api/releases/ and /api/deployments/ (names fixed for other systems), the release pages with their
buttons, and the public page, which shows published text only and needs no login."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import Release
from tests.alerts.conftest import warning_fields

pytestmark = pytest.mark.django_db


def _warning_body(**overrides):
    fields = warning_fields(**overrides)
    return {"kind": "consumer_warning", **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items()}}


def test_the_api_drafts_submits_approves_and_publishes(drafters, api):
    hotline = api("hotline")
    created = hotline.post("/api/releases/", _warning_body(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["unit"], body["colour"], len(body["versions"])) == ("draft", "complaints_12315", "orange", 1)
    url = f"/api/releases/{body['id']}/"
    changed = hotline.patch(url, {"body": "第二稿"}, format="json")
    assert changed.status_code == 200 and [v["number"] for v in changed.json()["versions"]] == [1, 2]
    assert hotline.post(url + "submit/").json()["status"] == "submitted"
    for who in ("office", "deputy", "station1", "hotline"):
        refused = api(who).post(url + "approve/", {}, format="json")
        if who == "station1":  # a station sees no draft
            assert refused.status_code == 404
        else:
            assert refused.status_code == 403 and "组长" in refused.json()["detail"], who  # says who may
    approved = api("director").post(url + "approve/", {"reason": "同意"}, format="json")
    assert approved.status_code == 200 and approved.json()["approved_by"] == "director"
    published = hotline.post(url + "publish/")
    assert published.status_code == 200 and published.json()["published_version"] == 2
    frozen = hotline.patch(url, {"body": "发布后再改"}, format="json")
    assert frozen.status_code == 409 and "已发布" in frozen.json()["detail"]
    assert Release.objects.get().body == "第二稿"


def test_the_acting_leader_approves_through_the_api(drafters, acting, api):
    release = services.release_submit(actor=drafters["hotline"], release=services.release_draft(
        actor=drafters["hotline"], kind="consumer_warning", **warning_fields()))
    assert api("deputy").post(f"/api/releases/{release.pk}/approve/").status_code == 200


def test_bad_input_is_400_with_field_errors_and_changes_nothing(drafters, api):
    hotline = api("hotline")
    bad = hotline.post("/api/releases/", {"kind": "market_warning", "title": "价格预警", "body": "正文"}, format="json")
    assert bad.status_code == 400 and {"level", "valid_until", "affected"} <= set(bad.json())
    too_long = hotline.post("/api/releases/", _warning_body(body="字" * 20_001), format="json")
    assert too_long.status_code == 400 and "body" in too_long.json()
    far = hotline.post("/api/releases/", _warning_body(valid_until=timezone.now() + timedelta(days=800)), format="json")
    assert far.status_code == 400 and "valid_until" in far.json()
    assert api("station1").post("/api/releases/", _warning_body(), format="json").status_code == 403
    assert hotline.post("/api/releases/", {**_warning_body(), "incident": 999999}, format="json").status_code == 400
    assert not Release.objects.exists()


def test_outsiders_see_nothing(drafters, api):
    release = services.release_draft(actor=drafters["hotline"], kind="consumer_warning", **warning_fields())
    assert api("outsider").get(f"/api/releases/{release.pk}/").status_code == 404
    assert api("outsider").get("/api/releases/").json()["count"] == 0
    assert api("anonymous").get("/api/releases/").status_code == 401
    assert api("outsider").post(f"/api/releases/{release.pk}/approve/").status_code == 404


def _published(cast, title, **overrides):
    release = services.release_draft(actor=cast["hotline"], kind="consumer_warning", **warning_fields(title=title, **overrides))
    services.release_submit(actor=cast["hotline"], release=release)
    services.release_approve(actor=cast["director"], release=release)
    return services.release_publish(actor=cast["hotline"], release=release)


def test_the_public_page_shows_published_text_only_without_login(drafters, client):
    _published(drafters, "已发布的消费预警")
    past = timezone.now() - timedelta(days=10)
    _published(drafters, "上月的月饼预警", valid_from=past, valid_until=past + timedelta(days=1))
    services.release_draft(actor=drafters["hotline"], kind="consumer_warning", **warning_fields(title="尚未审批的草稿"))
    submitted = services.release_draft(actor=drafters["press"], kind="news", title="待审批通稿", body="正文")
    services.release_submit(actor=drafters["press"], release=submitted)
    page = client.get(reverse("alerts:public"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "已发布的消费预警" in text and "上月的月饼预警" in text and "text-bg-orange" in text
    assert "尚未审批的草稿" not in text and "待审批通稿" not in text
    assert text.count(">已过期</span>") == 1  # the expired one is marked
    current = client.get(reverse("alerts:public"), {"current": "1"}).content.decode()
    assert "已发布的消费预警" in current and "上月的月饼预警" not in current


def test_the_public_page_is_paginated_with_constant_queries(drafters, client, django_assert_max_num_queries):
    for n in range(25):
        _published(drafters, f"预警{n}")
    with django_assert_max_num_queries(8):
        page = client.get(reverse("alerts:public"))
    assert page.content.decode().count("<article") == 20


def test_the_release_page_offers_each_role_its_buttons(drafters, login):
    release = services.release_draft(actor=drafters["hotline"], kind="consumer_warning", **warning_fields())
    url = reverse("alerts:release_detail", args=[release.pk])
    assert "提交审批" in login("hotline").get(url).content.decode()
    login("hotline").post(reverse("alerts:release_action", args=[release.pk, "submit"]))
    leader_page = login("director").get(url).content.decode()
    assert "批准" in leader_page and "退回修改" in leader_page
    assert "批准" not in login("office").get(url).content.decode()
    refused = login("office").post(reverse("alerts:release_action", args=[release.pk, "approve"]))
    assert refused.status_code == 403
    assert login("director").post(reverse("alerts:release_action", args=[release.pk, "approve"])).status_code == 302
    release.refresh_from_db()
    assert release.status == "approved"
    assert login("station1").get(url).status_code == 404
    assert login("director").post(reverse("alerts:release_action", args=[release.pk, "nonsense"])).status_code == 404


def test_a_release_drafted_on_the_page_keeps_the_form_on_bad_input(drafters, login):
    client = login("hotline")
    bad = client.post(reverse("alerts:release_new"), {"kind": "consumer_warning", "title": "预警", "body": "正文"})
    assert bad.status_code == 400 and not Release.objects.exists()
    good = client.post(reverse("alerts:release_new"), {
        "kind": "consumer_warning", "title": "预警", "body": "正文", "level": "3", "affected": "月饼",
        "valid_from": "2026-12-01T08:00", "valid_until": "2026-12-08T08:00"})
    assert good.status_code == 302
    release = Release.objects.get()
    assert (release.level, release.colour_code, release.colour) == (3, "yellow", "黄色")


def test_pages_of_alerts_answer_each_role(drafters, login):
    for who in ("office", "director", "station1", "hotline"):
        client = login(who)
        for name in ("alerts:deployments", "alerts:releases", "alerts:public"):
            assert client.get(reverse(name)).status_code == 200, (who, name)
    office = login("office")
    for name in ("alerts:templates", "alerts:events", "alerts:event_new", "alerts:template_new"):
        assert office.get(reverse(name)).status_code == 200, name
    station = login("station1")
    for name in ("alerts:templates", "alerts:events"):
        assert station.get(reverse(name)).status_code == 403, name
    assert "预警与发布" in office.get(reverse("home")).content.decode()


def test_the_incident_page_lists_its_releases_and_offers_drafting(drafters, login, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=2), "active")
    services.release_draft(actor=drafters["press"], kind="briefing", incident=incident, title="事件情况通报", body="正文")
    url = reverse("incidents:detail", args=[incident.pk])
    press_page = login("press").get(url)
    assert press_page.status_code == 404  # publicity does not see the incident itself
    draft_link = f"{reverse('alerts:release_new')}?incident={incident.pk}"
    food_page = login("food").get(url).content.decode()  # the lead section
    assert "事件情况通报" in food_page and draft_link in food_page
    office_page = login("office").get(url).content.decode()
    assert "事件情况通报" in office_page and draft_link not in office_page


def test_lists_of_releases_and_deployments_keep_their_queries_with_many_rows(drafters, login, django_assert_max_num_queries):
    from alerts.models import Deployment
    from roles.models import Unit

    bureau = Unit.objects.get(code="bureau")
    for n in range(30):
        services.release_draft(actor=drafters["hotline"], kind="consumer_warning", **warning_fields(title=f"预警{n}"))
        Deployment.objects.create(bureau=bureau, occasion_key=f"test:{n}", name=f"节日{n}", first_day=timezone.localdate(),
                                  opens_on=timezone.localdate(), opened_at=timezone.now())
    client = login("office")
    for name in ("alerts:releases", "alerts:deployments"):
        with django_assert_max_num_queries(14):
            page = client.get(reverse(name))
        assert page.status_code == 200 and page.content.decode().count("<tr>") == 26, name  # header + 25 rows
    assert "?page=2" in client.get(reverse("alerts:releases")).content.decode()


def test_the_administrator_switches_a_holiday_on_in_the_admin(drafters, login):
    from alerts.models import HolidayTrigger

    client = login("admin")
    assert client.get(reverse("admin:alerts_holidaytrigger_changelist")).status_code == 200
    trigger = HolidayTrigger.objects.get(key="mid_autumn")
    response = client.post(reverse("admin:alerts_holidaytrigger_change", args=[trigger.pk]),
                           {"name": trigger.name, "name_en": trigger.name_en, "active": "on"})
    assert response.status_code == 302
    trigger.refresh_from_db()
    assert trigger.active
