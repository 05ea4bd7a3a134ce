"""Issue 5: printing an incident's page gives a clean office copy. Chromium emulates print media,
then prints the page to PDF (kept in test-artifacts/), and pdftotext (poppler-utils, installed by
`make`) reads its text back. Not pypdf: Chromium's PDFs map some CJK glyphs of Noto Sans CJK to
look-alike radicals in their text layer (⻝ for 食), which pypdf reports and poppler resolves."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from reporting.models import Kind
from reporting.services import report_submit
from tests.incidents.conftest import FACTS

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# What the screen shows and paper must not: the menu, every button, form and action card.
SCREEN_ONLY = ["nav", "form", "button", ".btn", ".action-card", "a[href='#main']"]

PRINT_STYLE = """() => {
  const seen = sel => [...document.querySelectorAll(sel)].filter(el => el.checkVisibility()).length;
  const badge = document.querySelector('h1 ~ .badge');
  const link = document.querySelector('#timeline ~ ol a, main a[href]');
  return {
    shown: Object.fromEntries(%s.map(sel => [sel, seen(sel)])),
    badgeColour: getComputedStyle(badge).color,
    badgeBorder: getComputedStyle(badge).borderTopStyle,
    linkAfter: link ? getComputedStyle(link, '::after').content : 'none',
  };
}""" % SCREEN_ONLY


@pytest.fixture
def printed_incident(cast, file_incident, to_state):
    incident = to_state(file_incident(title="城关镇某学校食堂疑似食物中毒", proposed_level=2), "active")
    report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT,
                  content="城关镇某学校食堂发生疑似食物中毒,12名学生送医,县局已启动Ⅱ级响应。", facts=FACTS)
    return incident


def test_an_incident_prints_as_a_clean_office_copy(printed_incident, open_as):
    page = open_as("office")
    page.goto(f"{page.base}/incidents/{printed_incident.pk}/")
    assert page.locator(".action-card").count() > 0 and page.locator("nav").first.is_visible()  # the screen has them
    assert not page.locator(".print-header").is_visible()

    page.emulate_media(media="print")
    style = page.evaluate(PRINT_STYLE)
    assert style["shown"] == {sel: 0 for sel in SCREEN_ONLY}
    # Backgrounds are not printed: a badge must be dark text in a border, not white on nothing.
    assert style["badgeColour"] == "rgb(0, 0, 0)" and style["badgeBorder"] == "solid"
    assert style["linkAfter"] in ("none", "normal")
    header = page.locator(".print-header")
    assert header.is_visible()
    assert "中牟县市场监督管理局" in header.inner_text()
    assert "打印" in header.inner_text() and "office" in header.inner_text()
    for shown in ("h1", "#first-report", "#timeline", "#reports"):
        assert page.locator(shown).is_visible(), shown
    assert printed_incident.reference in page.locator("main").inner_text()
    # The upward report's text is folded away on screen; on paper it is shown.
    reports = page.locator("section:has(#reports)")
    assert reports.get_by_text("12名学生送医").is_visible()
    # The timeline names the report too, but paper carries its text once.
    assert not page.locator(".timeline").get_by_text("12名学生送医").is_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "incident-print.pdf"
    pdf.write_bytes(page.pdf(format="A4"))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have poppler-utils (make installs it)")
        pytest.skip("needs pdftotext (poppler-utils) to read the PDF back")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    compact = "".join(text.split())
    for expected in ("中牟县市场监督管理局", "城关镇某学校食堂疑似食物中毒", printed_incident.reference, "首报", "处置记录", "报告与报告时限",
                     "12名学生送医"):
        assert expected in compact, expected
    for absent in ("退出登录", "跳至正文", "宣布应急状态结束", "撰写报告", "下载PDF", "http://", "https://"):
        assert absent not in compact, absent
