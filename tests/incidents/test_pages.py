"""The incident pages in the browser: filing from a phone, the actions each role is offered,
refusals (403 with who may, 409 for the wrong state), attachments and the lists."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Attachment, Incident, Measure
from roles.services import delegation_create
from tests.incidents.conftest import kinds

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    """A real (small) JPEG: attachments must decode as what their name says (tests/incidents/test_attachments.py)."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


JPEG = _jpeg()
PE_EXECUTABLE = b"MZ\x90\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _form(categories, **overrides):
    data = {
        "title": "某小学食堂疑似食物中毒",
        "category": categories["food_safety"].pk,
        "occurred_at": (timezone.localtime() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "location": "城关镇某小学食堂",
        "description": "午餐后二十余名学生腹痛、呕吐",
        "proposed_level": "2",
        "dead": "0", "injured": "23", "missing": "0",
        "source": "station",
        "nature": "疑似食物中毒", "scope": "该校学生", "trend": "趋于稳定", "measures_taken": "封存留样",
        "intent": "submit",
    }
    data.update(overrides)
    return data


def test_a_station_files_the_first_report_with_a_photo(categories, login, cast):
    photo = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    response = login("station1").post("/incidents/new/", {**_form(categories), "files": [photo]})
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.status == Incident.Status.SUBMITTED and incident.received_at is not None
    assert incident.station.code == "chengguan" and incident.injured == 23
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("现场.jpg", "image/jpeg")
    assert "现场" not in attachment.file.name  # stored under a random name


def test_a_draft_is_saved_then_completed_and_submitted(categories, login, cast):
    client = login("station1")
    response = client.post("/incidents/new/", {"title": "市场哄抬物价", "intent": "draft", "dead": "0", "injured": "0",
                                               "missing": "0", "source": "station"})
    incident = Incident.objects.get()
    assert response.status_code == 302 and incident.status == Incident.Status.DRAFT
    assert login("office").get(f"/incidents/{incident.pk}/").status_code == 404  # nobody else sees a draft
    client = login("station1")
    response = client.post(f"/incidents/{incident.pk}/edit/", _form(categories, title="市场哄抬物价"))
    assert response.status_code == 302
    assert Incident.objects.get().status == Incident.Status.SUBMITTED


def test_submitting_an_incomplete_report_names_the_fields_and_saves_nothing(categories, login, cast):
    response = login("station1").post("/incidents/new/", _form(categories, location="", description=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("首报必须填写此项") == 2 or page.count("invalid-feedback") >= 2
    assert not Incident.objects.exists()


def test_a_renamed_executable_is_refused_and_nothing_is_saved(categories, login, cast):
    fake = SimpleUploadedFile("photo.jpg", PE_EXECUTABLE, content_type="image/jpeg")
    response = login("station1").post("/incidents/new/", {**_form(categories), "files": [fake]})
    assert response.status_code == 200
    assert not Incident.objects.exists() and not Attachment.objects.exists()


def test_an_oversized_file_is_refused(categories, login, cast, settings):
    settings.ATTACHMENT_MAX_MB = 1
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (1024 * 1024), content_type="image/jpeg")
    response = login("station1").post("/incidents/new/", {**_form(categories), "files": [big]})
    assert response.status_code == 200
    assert not Incident.objects.exists()


def test_attachments_are_served_only_to_those_who_see_the_incident(categories, login, cast):
    photo = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    login("station1").post("/incidents/new/", {**_form(categories), "files": [photo]})
    incident, attachment = Incident.objects.get(), Attachment.objects.get()
    url = f"/incidents/{incident.pk}/attachments/{attachment.pk}/"
    response = login("station1").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert login("office").get(url).status_code == 200
    assert login("station2").get(url).status_code == 404
    assert login("outsider").get(url).status_code == 404
    assert login("anonymous").get(url).status_code == 302


def test_each_role_is_offered_the_actions_of_the_moment(file_incident, to_state, login):
    incident = file_incident()
    office_page = login("office").get(f"/incidents/{incident.pk}/").content.decode()
    assert 'action="/incidents/%d/verify/"' % incident.pk in office_page
    director_page = login("director").get(f"/incidents/{incident.pk}/").content.decode()
    assert "/activate/" not in director_page  # not verified yet
    to_state(incident, "verified")
    director_page = login("director").get(f"/incidents/{incident.pk}/").content.decode()
    assert 'action="/incidents/%d/activate/"' % incident.pk in director_page
    assert "重大突发事件响应(Ⅱ级)" in director_page  # the plan's criteria beside the levels
    deputy_page = login("deputy").get(f"/incidents/{incident.pk}/").content.decode()
    assert "/activate/" not in deputy_page
    assert login("station2").get(f"/incidents/{incident.pk}/").status_code == 404


def test_a_wrong_role_gets_403_saying_who_may_and_nothing_changes(file_incident, to_state, login):
    incident = to_state(file_incident(), "verified")
    response = login("deputy").post(f"/incidents/{incident.pk}/activate/", {"activate-level": "2"})
    assert response.status_code == 403
    assert "组长" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.VERIFIED


def test_a_wrong_state_gets_409_in_chinese(file_incident, login):
    incident = file_incident()
    response = login("director").post(f"/incidents/{incident.pk}/decline/", {"decline-reason": "不构成突发事件"})
    assert response.status_code == 409
    assert "无法" in response.content.decode() or "不能" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.SUBMITTED


def test_bad_input_on_an_action_keeps_what_was_typed(file_incident, to_state, login):
    incident = to_state(file_incident(proposed_level=2), "verified")
    response = login("director").post(f"/incidents/{incident.pk}/activate/",
                                      {"activate-level": "1", "activate-reason": ""})
    assert response.status_code == 400  # a level other than proposed needs a reason
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.VERIFIED
    response = login("office").post(f"/incidents/{incident.pk}/return/", {"return-message": ""})
    assert response.status_code == 400


def test_the_whole_flow_in_the_browser(file_incident, login, cast):
    incident = file_incident(category="food_safety", proposed_level=3)
    assert login("office").post(f"/incidents/{incident.pk}/verify/", {"verify-summary": "已核实"}).status_code == 302
    assert login("director").post(f"/incidents/{incident.pk}/activate/", {"activate-level": "3"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Incident.Status.ACTIVE and incident.hq.lead_section.code == "food_coordination"
    # The food section is in the HQ now: it sees the incident and reports a measure it owns done.
    measure = Measure.objects.filter(incident=incident, owner_unit__code="food_coordination").first()
    response = login("food").post(f"/incidents/{incident.pk}/measures/{measure.pk}/", {
        f"measure-{measure.pk}-measure": measure.pk, f"measure-{measure.pk}-status": "done",
        f"measure-{measure.pk}-completion_note": "工作组已到现场"})
    assert response.status_code == 302
    assert Measure.objects.get(pk=measure.pk).status == Measure.Status.DONE
    # 五(一): no end before the summary and the leading group's approval; the timeline shows them in order.
    assert login("deputy").post(f"/incidents/{incident.pk}/end/", {"end-summary": "处置完毕"}).status_code == 409
    assert login("food").post(f"/incidents/{incident.pk}/summary/", {"summary-summary": "处置总结"}).status_code == 302
    assert login("deputy").post(f"/incidents/{incident.pk}/end/", {"end-summary": "处置完毕"}).status_code == 409
    assert "approve_end" in login("director").get(f"/incidents/{incident.pk}/").content.decode()
    assert login("director").post(f"/incidents/{incident.pk}/approve_end/", {"approve_end-reason": "同意"}).status_code == 302
    assert login("deputy").post(f"/incidents/{incident.pk}/end/", {"end-summary": "处置完毕"}).status_code == 302
    assert kinds(incident)[-3:] == ["summary_submitted", "end_approved", "ended"]
    assert login("deputy").post(f"/incidents/{incident.pk}/team/", {"team-leader": cast["food"].pk}).status_code == 302
    response = login("food").post(f"/incidents/{incident.pk}/after_action/", {
        "after_action-cause": "原因", "after_action-handling": "经过", "after_action-follow_up": "后续",
        "after_action-lessons": "教训", "after_action-improvements": "改进"})
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.ENDED  # the final report is still owed
    response = login("office").post(f"/reporting/incidents/{incident.pk}/reports/", {
        "report-kind": "final_report", "report-content": "书面报告", "report-channel": "system"})
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.CLOSED


def test_an_acting_leader_decides_and_the_page_says_so(file_incident, to_state, login, cast):
    incident = to_state(file_incident(), "verified")
    now = timezone.now()
    delegation_create(actor=cast["director"], acting=cast["deputy"], starts_at=now - timedelta(hours=1),
                      ends_at=now + timedelta(days=1), reason="局长外出")
    assert login("deputy").post(f"/incidents/{incident.pk}/activate/", {"activate-level": "2"}).status_code == 302
    page = login("office").get(f"/incidents/{incident.pk}/").content.decode()
    assert "代理组长" in page


def test_the_director_designates_an_acting_leader_on_the_page(cast, login):
    now = timezone.localtime()
    response = login("director").post("/org/delegations/", {
        "acting": cast["deputy"].pk, "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "reason": "局长外出学习"})
    assert response.status_code == 302
    assert login("deputy").post("/org/delegations/", {}).status_code == 403


def test_home_pages_list_what_to_act_on(file_incident, to_state, login):
    submitted = file_incident(title="待核实的事件")
    verified = to_state(file_incident(title="待决策的事件"), "verified")
    assert "待核实的事件" in login("office").get("/").content.decode()
    director_home = login("director").get("/").content.decode()
    to_decide = director_home.split('id="awaiting-decision"')[1].split("</section>")[0]
    assert verified.title in to_decide and submitted.title not in to_decide
    # The report not yet verified is seen before any escalation, in its own list (issue 12 item 2).
    assert submitted.title in director_home.split('id="unverified"')[1].split("</section>")[0]
    draft = file_incident(title="未提交的草稿", draft=True)
    assert draft.title in login("station1").get("/").content.decode()
    assert draft.title not in login("station2").get("/").content.decode()


def test_the_list_runs_a_constant_number_of_queries(file_incident, login):
    client = login("office")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/incidents/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        file_incident()
    few = count()
    for _ in range(22):
        file_incident()
    assert count() == few


def test_the_list_filters_and_searches_within_what_the_user_sees(file_incident, login):
    mine = file_incident(title="城关农贸市场哄抬菜价")
    theirs = file_incident(station_user="station2", title="白沙农贸市场哄抬菜价")
    page = login("station1").get("/incidents/?q=哄抬").content.decode()
    assert mine.title in page and theirs.title not in page
    page = login("office").get("/incidents/?station=baisha").content.decode()
    assert theirs.title in page and mine.title not in page


def test_the_timeline_shows_changes_but_not_snapshots_as_changes(file_incident, to_state, login, cast):
    from incidents.timeline import event_entries

    incident = to_state(file_incident(proposed_level=2), "active")
    formed, = event_entries(incident.events.filter(kind="hq_formed"))
    assert formed.changes == []  # two member sections' ids are not "old → new"
    assert [str(label) for label, _value in formed.facts][2:] == ["成员科室", "涉及的监管所"]
    activated, = event_entries(incident.events.filter(kind="activated"))
    assert [(str(label), old, new) for label, old, new in activated.changes] == [("响应级别", "—", "Ⅱ级")]
