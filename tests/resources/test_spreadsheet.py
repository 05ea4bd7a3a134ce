"""Excel export and import of the inventory: the export has the import's columns; an import is
all-or-nothing, each error naming its row and column in the reader's language."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from reporting.models import Kind, Obligation
from resources.models import Resource
from resources.spreadsheet import COLUMNS
from roles.models import Unit

pytestmark = pytest.mark.django_db


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append([str(label) for label, _field in COLUMNS])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "物资.xlsx"
    return data


GOOD = ["防护服", "防护用品", "一次性", 100, "套", "office", "局机关应急物资库", "完好备用", datetime(2026, 11, 1), 60, ""]


def test_export_lists_the_bureau_items_in_the_import_columns(items, login):
    response = login("food").get("/resources/export.xlsx?category=testing")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("名称", "类别", "规格型号", "数量")  # the import's columns, in Chinese
    assert [r[0] for r in rows[1:]] == ["食品快检试剂盒"]
    assert rows[1][3] == 200 and rows[1][4] == "盒" and rows[1][6] == "城关所储备点"
    office_unit = Unit.objects.get(code="office")
    by_owner = login("food").get(f"/resources/export.xlsx?owner={office_unit.pk}")
    names = [r[0] for r in list(load_workbook(io.BytesIO(b"".join(by_owner.streaming_content))).active.iter_rows(values_only=True))[1:]]
    assert sorted(names) == ["卫星电话", "食品快检车"]


def test_an_import_adds_every_row_and_opens_their_checks(points, login):
    client = login("office")
    rows = [GOOD, ["快检车", "vehicle", "", 1, "辆", "城关市场监督管理所", "城关所储备点", "", "", "", "备注"]]
    response = client.post("/resources/import/", {"file": workbook(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    suits = Resource.objects.get(name="防护服")
    assert suits.category == "protective" and suits.quantity == 100 and suits.check_interval_days == 60
    assert suits.status == Resource.Status.READY and suits.owner_unit.code == "office"
    car = Resource.objects.get(name="快检车")
    assert car.owner_unit.code == "chengguan" and car.check_interval_days == 30
    assert Obligation.objects.filter(kind=Kind.RESOURCE_CHECK, resource__in=[suits, car]).count() == 2


def test_one_bad_row_imports_nothing_and_names_each_error_in_chinese(points, login):
    client = login("office")
    rows = [GOOD,
            ["试剂盒", "不存在的类别", "", 10, "盒", "office", "局机关应急物资库", "", "", "", ""],
            ["帐篷", "supplies", "", -3, "顶", "office", "局机关应急物资库", "", "", "", ""],
            ["发电机", "supplies", "", 1, "台", "office", "没有这个储备点", "", "", "", ""]]
    response = client.post("/resources/import/", {"file": workbook(rows)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "第3行" in text and "第4行" in text and "第5行" in text and "第2行" not in text
    assert "没有这个储备点" in text
    assert not Resource.objects.exists() and not Obligation.objects.exists()


def test_not_a_workbook_is_a_clear_error(points, login):
    upload = io.BytesIO(b"not a zip")
    upload.name = "x.xlsx"
    response = login("office").post("/resources/import/", {"file": upload})
    assert response.status_code == 400 and not Resource.objects.exists()


def test_only_the_office_imports(points, login):
    assert login("station1").get("/resources/import/").status_code == 403
    assert login("station1").post("/resources/import/", {"file": workbook([GOOD])}).status_code == 403
    assert not Resource.objects.exists()


def test_an_export_imports_back(items, login):
    client = login("office")
    exported = b"".join(client.get("/resources/export.xlsx").streaming_content)
    upload = io.BytesIO(exported)
    upload.name = "export.xlsx"
    response = client.post("/resources/import/", {"file": upload})
    assert response.status_code == 302
    assert Resource.objects.filter(name="食品快检试剂盒").count() == 2 and Resource.objects.count() == 6
