"""Reports print as official documents: PDF, Chinese text in an embedded CJK font."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reporting.documents import chinese_number, report_title
from reporting.models import Kind, Report
from reporting.services import report_submit
from tests.incidents.conftest import FACTS

pytestmark = pytest.mark.django_db


def _fonts(reader):
    names = set()
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            names.add(str(font.get_object().get("/BaseFont")))
    return names


def test_a_report_downloads_as_a_pdf_with_chinese_text_in_a_cjk_font(file_incident, cast, login):
    incident = file_incident(proposed_level=2)
    report = report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT,
                           content="2026年11月20日,城关镇某学校食堂发生疑似食物中毒,12名学生送医。", facts=FACTS)
    response = login("office").get(f"/reporting/reports/{report.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "中牟县市场监督管理局" in text and "12名学生送医" in text
    assert "关于城关镇某学校食堂疑似食物中毒的报告" in text and text.index("中牟县人民政府") < text.index("郑州市")
    assert any("CJK" in name for name in _fonts(reader)), _fonts(reader)  # not empty boxes


def test_the_first_report_prints_too_and_only_for_those_who_see_the_incident(file_incident, login):
    incident = file_incident(proposed_level=2)
    first = Report.objects.get(incident=incident, kind=Kind.FIRST_REPORT)
    assert login("station1").get(f"/reporting/reports/{first.pk}.pdf").status_code == 200
    assert login("station2").get(f"/reporting/reports/{first.pk}.pdf").status_code == 404


def test_progress_reports_are_numbered_in_chinese(file_incident, to_state, cast):
    incident = to_state(file_incident(proposed_level=1), "active")
    report_submit(actor=cast["office"], incident=incident, kind=Kind.PROGRESS_REPORT, content="一")
    second = report_submit(actor=cast["office"], incident=incident, kind=Kind.PROGRESS_REPORT, content="二")
    assert report_title(second).endswith("的续报二")
    assert [chinese_number(n) for n in (1, 10, 12, 20, 31)] == ["一", "十", "十二", "二十", "三十一"]
    # A long response passes a hundred reports: the page must not fail on the 100th.
    assert [chinese_number(n) for n in (100, 105, 110, 122, 1001, 10000)] == [
        "一百", "一百零五", "一百一十", "一百二十二", "一千零一", "10000"]


def test_the_accountability_record_exports_to_pdf(file_incident, login):
    file_incident(proposed_level=2, occurred_at=timezone.now() - timedelta(hours=2))  # a late first report
    day = timezone.localdate()
    response = login("office").get("/reporting/accountability.pdf",
                                   {"start": (day - timedelta(days=40)).isoformat(), "end": (day + timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "报告时限责任追究台账" in text and "城关市场监督管理所" in text
    assert login("station1").get("/reporting/accountability.pdf").status_code == 403


def test_a_report_signed_off_by_a_bureau_leader_says_so(file_incident, cast, login):
    from django.core.exceptions import ValidationError

    incident = file_incident(proposed_level=2)
    with pytest.raises(ValidationError):
        report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="x",
                      signed_off_by=cast["station1"], facts=FACTS)
    report = report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="情况报告",
                           signed_off_by=cast["deputy"], facts=FACTS)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(login("office").get(f"/reporting/reports/{report.pk}.pdf").content)).pages)
    assert f"签发人：{cast['deputy'].display_name}" in text.replace("\n", "")
