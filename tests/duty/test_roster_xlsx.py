"""The roster in Excel (issue 14): export, import all or nothing with the bad rows named by number in
Chinese, and the round trip (an export imported back changes nothing; edited, it changes the shifts)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from duty.models import Shift
from duty.roster_xlsx import COLUMNS, roster_export, roster_import
from reporting.models import Kind, Obligation
from roles.models import User
from tests.duty.conftest import at

pytestmark = pytest.mark.django_db


def _sheet(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append([str(c) for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("roster.xlsx", out.getvalue())


def _export(county, start, end) -> bytes:
    out = io.BytesIO()
    roster_export(bureau=county, start=start, end=end).save(out)
    return out.getvalue()


def test_import_creates_shifts_and_their_gaps(cast, county, clock):
    counts = roster_import(actor=cast["office"], bureau=county, upload=_sheet([
        [None, "2026-12-02 08:00", "2026-12-03 08:00", "director", "office、food", "否", "周二"],
        [None, datetime.datetime(2026, 12, 3, 8), datetime.datetime(2026, 12, 4, 8), "", "", "是", None],
    ]))
    assert counts == {"created": 2, "updated": 0, "unchanged": 0}
    first, second = Shift.objects.order_by("starts_at")
    assert first.starts_at == at(2, 8) and first.leader == cast["director"] and first.note == "周二"
    assert {u.username for u in first.staff.all()} == {"office", "food"}
    assert second.is_holiday and second.leader is None
    assert Obligation.objects.filter(kind=Kind.ROSTER_GAP, shift=second).count() == 1


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(cast, county, clock):
    with pytest.raises(ValidationError) as refused:
        roster_import(actor=cast["office"], bureau=county, upload=_sheet([
            [None, "2026-12-02 08:00", "2026-12-03 08:00", "director", "office", "否", ""],
            [None, "2026-12-03 08:00", "明天", "director", "office", "否", ""],
            [None, "2026-12-04 08:00", "2026-12-05 08:00", "张三", "office", "也许", ""],
            [None, "2026-12-02 20:00", "2026-12-03 06:00", "deputy", "food", "否", ""],  # overlaps row 2
        ]))
    messages = refused.value.messages
    assert [m[:5] for m in messages] == ["第 3 行", "第 4 行", "第 5 行"]
    assert "明天" in messages[0] and "张三" in messages[1] and "也许" in messages[1] and "重叠" in messages[2]
    assert not Shift.objects.exists() and not Obligation.objects.filter(kind=Kind.ROSTER_GAP).exists()


def test_only_the_office_imports(cast, county, clock):
    with pytest.raises(PermissionDenied):
        roster_import(actor=cast["station1"], bureau=county, upload=_sheet([
            [None, "2026-12-02 08:00", "2026-12-03 08:00", "director", "office", "否", ""]]))
    assert not Shift.objects.exists()


def test_not_a_workbook(cast, county, clock):
    with pytest.raises(ValidationError) as refused:
        roster_import(actor=cast["office"], bureau=county, upload=SimpleUploadedFile("x.xlsx", b"PK not really"))
    assert "Excel" in refused.value.messages[0]


def test_export_round_trip(cast, county, plan):
    plan(at(1, 8), at(2, 8), leader="director", staff=("office", "food"), note="=1+1")
    plan(at(2, 8), at(3, 8), leader="deputy", staff=("food",), is_holiday=True)
    data = _export(county, at(1, 0), at(8, 0))
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "开始", "结束")
    assert rows[1][1] == datetime.datetime(2026, 12, 1, 8, 0) and rows[1][4] == "food、office" and rows[1][6] == "'=1+1"
    assert rows[2][5] == "是"
    # Imported back unchanged: nothing changes (the shift under way may stay in the sheet).
    again = roster_import(actor=cast["office"], bureau=county, upload=SimpleUploadedFile("r.xlsx", data))
    assert again == {"created": 0, "updated": 0, "unchanged": 2}
    # Edited in Excel: the second shift gets other staff, and a new row is added.
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    sheet.cell(row=3, column=5, value="office")
    sheet.append([None, "2026-12-03 08:00", "2026-12-04 08:00", "director", "food", "否", None])
    out = io.BytesIO()
    book.save(out)
    changed = roster_import(actor=cast["office"], bureau=county, upload=SimpleUploadedFile("r.xlsx", out.getvalue()))
    assert changed == {"created": 1, "updated": 1, "unchanged": 1}
    second = Shift.objects.get(starts_at=at(2, 8))
    assert [u.username for u in second.staff.all()] == ["office"] and second.is_holiday


def test_a_shared_name_is_exported_with_the_username_and_read_back(cast, county, plan):
    from roles.services import membership_set
    from roles.models import Unit

    twin = User.objects.create_user("office2", last_name="office")  # displays as "office" too
    membership_set(user=twin, unit=Unit.objects.get(code="office"), role="staff")
    plan(at(2, 8), at(3, 8), leader="director", staff=("office",))
    data = _export(county, at(1, 0), at(8, 0))
    row = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1]
    assert row[4] == "office(office)"
    assert roster_import(actor=cast["office"], bureau=county, upload=SimpleUploadedFile("r.xlsx", data))["unchanged"] == 1
    with pytest.raises(ValidationError) as refused:
        roster_import(actor=cast["office"], bureau=county, upload=_sheet([
            [None, "2026-12-05 08:00", "2026-12-06 08:00", "director", "office", "否", ""]]))
    assert "多人" in refused.value.messages[0]


def test_pages_export_and_import(cast, clock, login, plan):
    plan(at(1, 8), at(2, 8))
    response = login("station1").get("/duty/roster.xlsx", {"month": "2026-12"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = _sheet([[None, "2026-12-02 08:00", "2026-12-01 08:00", "director", "office", "否", ""]])
    page = login("office").post("/duty/import/", {"file": bad})
    assert page.status_code == 200 and "第 2 行" in page.content.decode()
    assert Shift.objects.count() == 1
    good = _sheet([[None, "2026-12-02 08:00", "2026-12-03 08:00", "director", "office", "否", ""]])
    assert login("office").post("/duty/import/", {"file": good}).status_code == 302
    assert Shift.objects.count() == 2
    assert login("station1").post("/duty/import/", {"file": good}).status_code == 403
