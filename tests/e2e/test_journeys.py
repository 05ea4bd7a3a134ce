"""Issue 5's journeys in Chromium. Journey 2: the leading group decides; journey 3: the office
verifies, reports upward, exports the board and downloads a report's PDF."""

import pytest

from incidents.models import Incident
from reporting.models import Kind, Obligation, Report

pytestmark = pytest.mark.django_db(transaction=True)


def _open(page, action):
    """Unfold the action card of that name on the incident page, as a user would."""
    card = page.locator(f"details:has(#action-{action})")
    if card.get_attribute("open") is None:
        page.click(f"#action-{action}")
    return card


def _act(page, action):
    card = _open(page, action)
    with page.expect_navigation():
        card.locator("button[type=submit]").click()


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
    # The upward report, within its 30 minutes.
    office.click("text=撰写报告")
    office.select_option("#id_report-kind", "upward_report")
    office.fill("#id_report-content", "县局已核实:某超市销售过期食品,已下架封存,立案调查。")
    with office.expect_navigation():
        office.click("text=提交报告")
    upward = Obligation.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    assert upward.status == Obligation.Status.FULFILLED and upward.late_by_seconds is None
    shot(office, "journey3-1-reported")
    report = Report.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    with office.expect_download() as pdf:
        office.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = ''; document.body.appendChild(a); a.click(); }",
                        f"/reporting/reports/{report.pk}.pdf")
    assert open(pdf.value.path(), "rb").read(5) == b"%PDF-"
    office.goto(f"{office.base}/reporting/board/")
    with office.expect_download() as sheet:
        office.click("text=导出Excel")
    assert sheet.value.suggested_filename.endswith(".xlsx")
    assert open(sheet.value.path(), "rb").read(2) == b"PK"
    shot(office, "journey3-2-board")
