"""Document numbers of reports sent upward (发文字号, GB/T 9704-2012 7.2.4): issuer's prefix, the year
in 六角括号, the serial in Arabic numerals with 号, e.g. 牟市监应急〔2026〕12号. One run per issuing unit
and year, kept by the database (DocumentCounter), never max()+1.

The issuer (发文机关) is the bureau for everything its office sends; a station reporting past the
bureau (越级上报) issues under its own name and numbers.
"""

from django.db import connection
from django.utils import timezone

from reporting.models import DocumentCounter
from roles.models import Unit


def document_issuer(unit: Unit) -> Unit:
    """The unit a report written for `unit` is issued by: a station itself, otherwise its bureau
    (the office's section and the leading group office write for the bureau, 发文机关署名)."""
    if unit.kind == Unit.Kind.STATION:
        return unit
    return unit.bureau() or unit


def document_number_take(*, unit: Unit, year: int) -> int:
    """The next serial of `unit` in `year` (1, 2, 3 …), taken in the caller's transaction.

    One statement: it creates the year's counter at 1 or adds one, and holds the row locked until the
    transaction ends, so concurrent callers queue and each gets its own number; if the transaction
    rolls back, so does the number (no document left with it). Call inside transaction.atomic."""
    table = DocumentCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, year, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (unit_id, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [unit.pk, year],
        )
        return cursor.fetchone()[0]


def document_number_text(unit: Unit, year: int, serial: int) -> str:
    """牟市监应急〔2026〕12号: the unit's prefix (its name when it has none), year, serial."""
    return f"{unit.document_prefix or unit.name}〔{year}〕{serial}号"


def document_number_assign(*, unit: Unit, at) -> dict:
    """The number fields of a report written for `unit` at `at` (aware datetime; the year is
    Asia/Shanghai's): {"document_issuer", "document_year", "document_serial", "document_number"}."""
    issuer = document_issuer(unit)
    year = timezone.localtime(at).year
    serial = document_number_take(unit=issuer, year=year)
    return {"document_issuer": issuer, "document_year": year, "document_serial": serial,
            "document_number": document_number_text(issuer, year, serial)}
