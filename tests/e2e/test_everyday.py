"""Everyday rough edges a person notices in the browser (issue 12, items 6, 7 and 8)."""

import pytest
from django.utils import timezone

from reporting.models import Obligation

pytestmark = pytest.mark.django_db(transaction=True)


def test_next_24_hours_shows_the_bureau_time_in_a_london_browser(cast, file_incident, open_as):
    incident = file_incident(proposed_level=2)  # the office owes the upward report within 30 minutes
    due = Obligation.objects.filter(incident=incident, status=Obligation.Status.PENDING).order_by("due_at").first().due_at
    local = timezone.localtime(due)  # Asia/Shanghai: London is 7 or 8 hours behind
    page = open_as("office", timezone_id="Europe/London")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Europe/London"
    page.goto(f"{page.base}/dashboard/")
    page.wait_for_function("() => document.querySelectorAll('#chart-due-items li').length > 0", timeout=15000)
    assert local.strftime("%Y-%m-%d %H:%M") in page.locator("#chart-due-items").inner_text()
    page.goto(f"{page.base}/reporting/board/")
    assert local.strftime("%m-%d %H:%M") in page.locator("table").first.inner_text()


def test_board_cells_keep_their_words_whole_at_390px(cast, file_incident, open_as, shot):
    file_incident(proposed_level=2, title="某超市销售过期食品致多人腹泻就医")
    file_incident(proposed_level=3, draft=True)
    page = open_as("office", phone=True)
    page.goto(f"{page.base}/reporting/board/")
    shot(page, "board-390")
    # Per cell: how many lines its text takes, and the widest single character; a column squeezed
    # to one character per line has as many lines as characters.
    cells = page.evaluate("""() => [...document.querySelectorAll('#board th, #board td')].map(c => {
        const r = document.createRange(); r.selectNodeContents(c);
        const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
        return {text: c.innerText.trim(), width: c.clientWidth, lines: lines};
    })""")
    assert len(cells) > 10
    squeezed = [c for c in cells if c["lines"] > 1 and c["lines"] >= len(c["text"].replace(" ", "")) / 2]
    assert not squeezed, squeezed
    headings = [c for c in cells[:5] if c["lines"] != 1]
    assert not headings, headings


def test_intake_form_marks_what_the_first_report_needs_and_fills_the_reporter(cast, categories, open_as, settings):
    from incidents.services import REQUIRED_TO_SUBMIT

    settings.ATTACHMENT_MAX_MB = 7
    station1 = cast["station1"]
    station1.position, station1.phone = "科员", "0371-62100000"
    station1.save(update_fields=["position", "phone"])
    page = open_as("station1", phone=True)
    page.goto(f"{page.base}/incidents/new/")
    for name in REQUIRED_TO_SUBMIT:
        if name == "proposed_level":
            label = page.locator("fieldset:has(input[name=proposed_level]) legend")
        else:
            label = page.locator(f"label[for=id_{name}]")
        text = label.inner_text()
        assert "*" in text and "（必填）" in text, (name, text)
        if name != "title":  # the model's own required title aside, a draft must save half-filled
            assert page.locator(f"[name={name}][required]").count() == 0, name
    assert "*" not in page.locator("label[for=id_discovered_at]").inner_text()
    assert page.input_value("#id_reporter_name") == station1.display_name
    assert page.input_value("#id_reporter_position") == "科员"
    assert page.input_value("#id_reporter_phone") == "0371-62100000"
    assert "7 MB" in page.locator("#id_files_helptext").inner_text()
    # A draft with only a title still saves: the marks do not make the browser block it.
    page.fill("#id_title", "半填的草稿")
    with page.expect_navigation():
        page.click("button[name=intent][value=draft]")
    from incidents.models import Incident

    draft = Incident.objects.get(title="半填的草稿")
    assert draft.status == Incident.Status.DRAFT and draft.reporter_phone == "0371-62100000"
