"""Issue 5's journeys in Chromium. Journey 1: a station on a phone files the first report it owes
with a photo, reports progress, and cannot reach another station's incident; a lost connection
does not lose a draft. Journey 2: the leading group decides; journey 3: the office verifies,
reports upward, downloads a report's PDF, exports the board and watches a deadline pass on it."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents import services as incidents
from incidents.models import Attachment, Incident
from reporting.models import Kind, Notification, Obligation, Report
from roles.models import Contact, Unit
from tests.e2e.conftest import click_and_confirm

pytestmark = pytest.mark.django_db(transaction=True)


def _open(page, action):
    """Unfold the action card of that name on the incident page, as a user would."""
    card = page.locator(f"details:has(#action-{action})")
    if card.get_attribute("open") is None:
        page.click(f"#action-{action}")
    return card


# What the first report must state besides time and place (plan 三(二)3).
FACTS_TYPED = {"nature": "疑似食物中毒", "scope": "就餐人员", "trend": "趋于稳定", "measures_taken": "封存留样,暂停营业"}


def _state_the_facts(page):
    for name, value in FACTS_TYPED.items():
        page.fill(f"#id_{name}", value)


def _act(page, action):
    card = _open(page, action)
    with page.expect_navigation():
        button = card.locator("button[type=submit]")
        if button.get_attribute("data-confirm") is not None:
            click_and_confirm(page, button)  # an irreversible step asks first
        else:
            button.click()


def _photo() -> bytes:
    """A real (small) PNG, as a phone camera app would hand over."""
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= 390


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_journey_1_station_on_a_phone(cast, categories, file_incident, to_state, open_as, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # 12315 passed it to the office, which registered it for 城关所 about 40 minutes ago: the station
    # owes the first report within the hour, so about 20 minutes are left.
    incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                       title="12315转来:某幼儿园午餐后多名儿童呕吐", category=categories["food_safety"],
                                       proposed_level=2)
    registered = timezone.now() - timedelta(minutes=39, seconds=45)
    Obligation.objects.filter(incident=incident).update(starts_at=registered, due_at=registered + timedelta(hours=1))

    station = open_as("station1", phone=True)
    row = station.locator("section[aria-labelledby=owed] tr[data-due]", has_text="12315转来")
    assert "首报" in row.inner_text()
    first = row.locator(".countdown").inner_text()
    minutes = int(re.fullmatch(r"剩余 (\d+)分钟", first).group(1))
    assert 15 <= minutes <= 20, first
    shot(station, "journey1-1-home")
    # countdown.js counts down in the page, without a reload.
    station.wait_for_function(
        "m => { const c = document.querySelector('section[aria-labelledby=owed] tr[data-due] .countdown');"
        " const found = c && c.textContent.match(/^剩余 (\\d+)分钟$/); return found && Number(found[1]) < m; }",
        arg=minutes, timeout=75000)

    # From the home page to the intake form of the incident it owes.
    with station.expect_navigation():
        row.locator("a").click()
    with station.expect_navigation():
        station.click("text=完善并提交")
    assert _fits_the_phone(station), "the intake form scrolls sideways on a 390 px phone"
    assert station.input_value("#id_title") == "12315转来:某幼儿园午餐后多名儿童呕吐"
    station.fill("#id_occurred_at", _local(registered - timedelta(minutes=5)))  # due 1 h after it occurred
    station.fill("#id_location", "城关镇某幼儿园")
    station.fill("#id_description", "午餐后9名儿童出现呕吐症状,已送县人民医院。")
    _state_the_facts(station)
    station.set_input_files("#id_files", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": _photo()}])
    with station.expect_navigation():
        click_and_confirm(station, "button[value=submit]")
    assert "首报已提交" in station.content()
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.status == Incident.Status.SUBMITTED
    photo = Attachment.objects.get(incident=incident)
    assert photo.name == "现场照片.png" and photo.content_type == "image/png" and photo.size > 0
    shown = station.request.get(f"{station.base}/incidents/{incident.pk}/attachments/{photo.pk}/")
    assert station.locator("a", has_text="现场照片.png").count() >= 1
    assert shown.status == 200 and shown.headers["content-type"] == "image/png" and shown.body() == _photo()
    first_report = Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)
    assert first_report.status == Obligation.Status.FULFILLED and first_report.late_by_seconds is None
    shot(station, "journey1-2-filed")

    # The office verifies, the director activates; the station reports how the work goes.
    to_state(incident, "active")
    station.goto(f"{station.base}/incidents/{incident.pk}/")
    station.click("#progress-report summary")
    station.fill("#id_progress-content", "9名儿童中6人已出院;涉事幼儿园食堂已停业,留样已送检。")
    with station.expect_navigation():
        click_and_confirm(station, "text=提交工作进展报告")
    assert "报告已提交" in station.content()
    report = Report.objects.get(incident=incident, kind=Kind.PROGRESS_REPORT)
    assert report.unit == incident.station and report.author == cast["station1"] and report.sequence == 1
    assert Notification.objects.filter(user=cast["office"], incident=incident, step="station_report").exists()
    assert Obligation.objects.get(incident=incident, kind=Kind.PROGRESS_REPORT).status == Obligation.Status.PENDING
    assert "城关市场监督管理所" in station.locator("#reports").locator("..").inner_text()
    assert _fits_the_phone(station), "the incident page scrolls sideways on a 390 px phone"
    shot(station, "journey1-3-progress")

    # Another station's incident, and its photo, do not exist for this station: not even by URL.
    other = file_incident(station_user="station2", title="白沙镇某超市销售过期食品")
    other_photo = incidents.attachment_add(actor=cast["station2"], incident=other,
                                           files=[SimpleUploadedFile("白沙.png", _photo(), content_type="image/png")])[0]
    response = station.goto(f"{station.base}/incidents/{other.pk}/")
    assert response.status == 404 and "白沙镇某超市" not in station.content() and "页面不存在" in station.content()
    shot(station, "journey1-4-not-found")
    response = station.goto(f"{station.base}/incidents/{other.pk}/attachments/{other_photo.pk}/")
    assert response.status == 404
    station.goto(f"{station.base}/incidents/")
    assert "12315转来" in station.content() and "白沙镇某超市" not in station.content()


def _sign_in(page, username):
    """Another person on the same phone (the same browser, the same storage)."""
    from tests.conftest import PASSWORD

    page.context.clear_cookies()
    page.goto(f"{page.base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_a_lost_connection_does_not_lose_a_draft(cast, categories, file_incident, open_as, shot):
    page = open_as("station1", phone=True)
    with page.expect_navigation():
        page.click("a:has-text('报送突发事件')")
    form_url = page.url
    assert form_url.endswith("/incidents/new/") and _fits_the_phone(page)
    typed = {"#id_title": "城关镇某餐馆疑似食物中毒", "#id_location": "城关镇商都路18号",
             "#id_description": "晚餐后6人腹痛腹泻,已送医。", "#id_occurred_at": _local(timezone.now() - timedelta(hours=1)),
             **{f"#id_{name}": value for name, value in FACTS_TYPED.items()}}
    for selector, value in typed.items():
        page.fill(selector, value)
    page.select_option("#id_category", str(categories["food_safety"].pk))
    page.check("#id_proposed_level_3")

    # The connection drops as the station presses submit: nothing is sent, the page says the draft is kept.
    page.context.set_offline(True)
    click_and_confirm(page, "button[value=submit]")
    warning = page.locator("[data-draft-offline]")
    warning.wait_for()
    assert "草稿已保存在本机" in warning.inner_text()
    assert page.url == form_url and not Incident.objects.exists()
    assert page.evaluate("() => document.getElementById('incident-form').dataset.submitted") is None  # retry possible
    shot(page, "drafts-1-offline")
    page.context.set_offline(False)

    # Back online, the form opened afresh: the draft is back in it.
    page.goto(form_url)
    assert "已恢复未提交的草稿" in page.locator("[data-draft-notice]").inner_text()
    for selector, value in typed.items():
        assert page.input_value(selector) == value, selector
    assert page.input_value("#id_category") == str(categories["food_safety"].pk)
    assert page.is_checked("#id_proposed_level_3")
    shot(page, "drafts-2-restored")

    # Someone else signing in on the same phone does not see it.
    _sign_in(page, "station2")
    page.goto(form_url)
    assert page.input_value("#id_title") == "" and page.locator("[data-draft-notice]").count() == 0

    # Back as station1, the draft is still there; submitted and accepted, it is gone.
    _sign_in(page, "station1")
    page.goto(form_url)
    assert page.input_value("#id_title") == typed["#id_title"]
    with page.expect_navigation():
        click_and_confirm(page, "button[value=submit]")
    incident = Incident.objects.get(title=typed["#id_title"])
    assert incident.status == Incident.Status.SUBMITTED and incident.proposed_level == 3
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.endsWith('/incidents/new/'))") == []
    page.goto(form_url)
    assert page.input_value("#id_title") == "" and page.locator("[data-draft-notice]").count() == 0

    # The action forms on the incident page keep drafts too, and a draft can be discarded.
    page.goto(f"{page.base}/incidents/{incident.pk}/")
    _open(page, "supplement")
    page.fill("#id_supplement-message", "又有2人到医院就诊。")
    page.goto(f"{page.base}/incidents/{incident.pk}/")
    assert page.input_value("#id_supplement-message") == "又有2人到医院就诊。"
    assert page.locator("details:has(#action-supplement)").get_attribute("open") is not None
    page.click("[data-draft-notice] button")
    assert page.input_value("#id_supplement-message") == "" and page.locator("[data-draft-notice]").count() == 0
    page.goto(f"{page.base}/incidents/{incident.pk}/")
    assert page.input_value("#id_supplement-message") == ""


def test_journey_2_the_leading_group_decides(cast, file_incident, to_state, open_as, shot):
    incident = to_state(file_incident(proposed_level=2, title="某小学食堂疑似食物中毒"), "verified")
    director = open_as("director")
    assert "某小学食堂疑似食物中毒" in director.locator("section[aria-labelledby=awaiting-decision]").inner_text()
    director.click("section[aria-labelledby=awaiting-decision] a")
    page = director.content()
    assert "情况属实" in page  # the office's summary
    assert "重大突发事件响应(Ⅱ级)" in page and "特别重大突发事件响应(Ⅰ级)" in page  # the plan's criteria
    shot(director, "journey2-1-decision")
    director.check("#id_activate-level_2")
    _act(director, "activate")
    assert "Ⅱ级响应" in director.content()
    assert director.locator("#hq").count() == 1 and director.locator("#measures").count() == 1
    shot(director, "journey2-2-activated")
    _open(director, "change_level")
    director.check("#id_change_level-level_1")
    director.fill("#id_change_level-reason", "涉及学生人数增加,影响扩大")
    _act(director, "change_level")
    assert Incident.objects.get(pk=incident.pk).level == 1
    # 五(一): the HQ's summary first, then the leading group declares the end.
    incidents.incident_summary_submit(actor=cast["deputy"], incident=incident, summary="处置情况总结")
    director.reload()
    _open(director, "end")
    director.fill("#id_end-summary", "患病学生全部出院,涉事食堂停业整改,应急处置结束。")
    _act(director, "end")
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.ENDED
    shot(director, "journey2-3-ended")


def test_journey_3_the_office_verifies_reports_and_exports(cast, file_incident, open_as, shot, live_server):
    incident = file_incident(proposed_level=2, title="某超市销售过期食品")
    office = open_as("office")
    assert "某超市销售过期食品" in office.locator("section[aria-labelledby=inbox]").inner_text()
    office.click("section[aria-labelledby=inbox] a")
    office.fill("#id_verify-summary", "经核实情况属实,建议启动Ⅱ级响应。")
    _act(office, "verify")
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.VERIFIED
    # The upward report, within its 30 minutes: it counts once it has left, here by email (issue 11).
    Contact.objects.filter(kind=Contact.Kind.UPWARD).update(email="zhiban@example.gov.cn")
    office.click("text=撰写报告")
    office.select_option("#id_report-kind", "upward_report")
    office.fill("#id_report-content", "县局已核实:某超市销售过期食品,已下架封存,立案调查。")
    with office.expect_navigation():
        click_and_confirm(office, "text=提交报告")
    upward = Obligation.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    assert upward.status == Obligation.Status.FULFILLED and upward.late_by_seconds is None
    shot(office, "journey3-1-reported")
    report = Report.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    with office.expect_download() as pdf:
        office.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = ''; document.body.appendChild(a); a.click(); }",
                        f"/reporting/reports/{report.pk}.pdf")
    assert open(pdf.value.path(), "rb").read(5) == b"%PDF-"
    # Another report came in 29 min 55 s ago: the office's upward report on it is due in 5 seconds.
    second = file_incident(proposed_level=2, title="某药店销售假药")
    received = timezone.now() - timedelta(minutes=29, seconds=55)
    Obligation.objects.filter(incident=second, kind=Kind.UPWARD_REPORT).update(
        starts_at=received, due_at=received + timedelta(minutes=30))
    office.goto(f"{office.base}/reporting/board/")
    row = office.locator("#board-rows tr", has_text="某药店销售假药")
    assert "table-danger" not in (row.get_attribute("class") or "")
    assert "剩余" in row.locator(".countdown").inner_text()
    with office.expect_download() as sheet:
        office.click("text=导出Excel")
    assert sheet.value.suggested_filename.endswith(".xlsx")
    assert open(sheet.value.path(), "rb").read(2) == b"PK"
    # No reload: the deadline passes in the browser and the row turns red.
    row.and_(office.locator("tr.table-danger")).wait_for(timeout=15000)
    assert "已逾期" in row.locator(".countdown").inner_text()
    shot(office, "journey3-2-board")
