"""Reports sent upward are official documents (GB/T 9704-2012, issue 11): number per issuer and year
taken from the database, 签发人, 主送机关, the bureau as author, the date written out, the end of the
text never alone on a page, Chinese file names. Read back with pdftotext (poppler-utils)."""

import re
import subprocess
import threading
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from reporting.documents import chinese_date, report_pdf
from reporting.models import DocumentCounter, Kind, Report
from reporting.docnumbers import document_number_take
from reporting.services import report_submit
from roles.models import Contact, Unit
from tests.incidents.conftest import FACTS

SHANGHAI = ZoneInfo("Asia/Shanghai")


def pdftotext(pdf: bytes, *, page: int | None = None) -> str:
    """The PDF's text as poppler reads it, without spaces and line breaks (CJK has none to lose)."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-f", str(page), "-l", str(page)] if page else []) + ["-", "-"]
    text = subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", text)


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def upward(cast, incident, **kwargs):
    return report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="情况报告正文。",
                         facts=FACTS, **kwargs)


@pytest.mark.django_db
def test_an_upward_report_prints_as_an_official_document(file_incident, cast, login):
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI), tick=False):
        incident = file_incident(proposed_level=2)
        report = upward(cast, incident, signed_off_by=cast["deputy"])
    assert report.document_number == "牟市监应急〔2026〕1号"
    response = login("office").get(f"/reporting/reports/{report.pk}.pdf")
    assert response.status_code == 200
    text = pdftotext(response.content)
    # 发文字号 and 签发人 on the line above the red rule, then the title and 主送机关 with a full-width colon.
    assert text.index("牟市监应急〔2026〕1号") < text.index(f"签发人：{cast['deputy'].display_name}") < text.index("关于")
    assert "中牟县人民政府、郑州市市场监督管理局：" in text
    # Generated text uses full-width punctuation (the facts' labels, the notes); the time stays 09:00.
    assert "时间：11月20日12时许" in text and "（联系人：office" in text and "事件编号：" in text
    # The bureau signs (发文机关署名), not its office section, over the date written out.
    assert "情况报告正文。中牟县市场监督管理局二〇二六年十一月三十日" in text
    assert "办公室(应急管理科)二〇二六" not in text
    # The download is named in Chinese after its number and title.
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == "牟市监应急〔2026〕1号 关于城关镇某学校食堂疑似食物中毒的报告.pdf"


def test_dates_are_written_out_in_chinese():
    from datetime import date

    assert chinese_date(date(2026, 11, 30)) == "二〇二六年十一月三十日"
    assert chinese_date(date(2027, 1, 1)) == "二〇二七年一月一日"
    assert chinese_date(date(2030, 12, 21)) == "二〇三〇年十二月二十一日"


@pytest.mark.django_db
def test_numbers_run_per_issuer_and_year_and_only_for_reports_sent_upward(file_incident, to_state, cast):
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=SHANGHAI), tick=False):
        incident = to_state(file_incident(proposed_level=1), "active")
        first, second = upward(cast, incident), upward(cast, incident)
        progress = report_submit(actor=cast["office"], incident=incident, kind=Kind.PROGRESS_REPORT, content="续报")
        # A station reporting past the bureau issues under its own name and numbers.
        skip = report_submit(actor=cast["station1"], incident=incident, kind=Kind.UPWARD_REPORT, content="越级",
                             facts=FACTS, skip_level_reason="联系不上局办公室",
                             recipients=[Contact.objects.get(code="city_bureau")])
    with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI), tick=False):  # a new year in Shanghai
        third = upward(cast, incident)
    bureau = Unit.objects.get(code="bureau")
    assert [first.document_number, second.document_number] == ["牟市监应急〔2026〕1号", "牟市监应急〔2026〕2号"]
    assert first.document_issuer == second.document_issuer == bureau
    assert progress.document_number == "" and progress.document_serial is None  # not sent upward
    assert skip.document_number == "城关市场监督管理所〔2026〕1号"
    assert third.document_number == "牟市监应急〔2027〕1号"
    assert DocumentCounter.objects.get(unit=bureau, year=2026).last == 2


@pytest.mark.django_db
def test_a_number_is_not_taken_by_a_report_that_failed(file_incident, cast):
    from django.core.exceptions import ValidationError

    incident = file_incident(proposed_level=2)
    with pytest.raises(ValidationError):  # a report that fails its checks after numbering rolls back with it
        report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="x", facts={})
    assert upward(cast, incident).document_serial == 1


@pytest.mark.django_db(transaction=True)
def test_numbers_taken_at_once_are_all_different(bureau):
    """Eight reports submitted at the same moment, each in its own connection and transaction: eight
    numbers, 1 to 8, none twice (a max()+1 would hand several the same)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs a server database")
    threads, taken, errors = 8, [], []
    barrier = threading.Barrier(threads)

    def submit():
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                number = document_number_take(unit=bureau, year=2026)
                # Hold the transaction open a moment, as a report does while it is written.
                connection.cursor().execute("SELECT pg_sleep(0.05)")
            taken.append(number)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=submit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not errors
    assert sorted(taken) == list(range(1, threads + 1))
    assert DocumentCounter.objects.get(unit=bureau, year=2026).last == threads


@pytest.mark.django_db
def test_the_first_report_never_leaves_a_page_with_only_the_date(file_incident):
    """Longer and longer first reports: whichever line the page ends on, the last page carries the
    end of the text with the issuer and the date (GB/T 9704 7.3.5.4)."""
    incident = file_incident(proposed_level=2)
    first = Report.objects.get(incident=incident, kind=Kind.FIRST_REPORT)
    date_text = chinese_date(first.submitted_at.astimezone(SHANGHAI).date())
    pages_seen = set()
    for lines in range(8, 22):
        content = "\n".join(f"第{n:02d}段:午餐后学生出现呕吐、腹泻症状,已送医。" for n in range(1, lines + 1))
        report = Report.objects.create(incident=incident, kind=Kind.FIRST_REPORT, sequence=lines, content=content,
                                       author=first.author, unit=first.unit, submitted_at=first.submitted_at)
        pdf = report_pdf(report)
        pages = page_count(pdf)
        pages_seen.add(pages)
        last = pdftotext(pdf, page=pages)
        assert date_text in last
        assert f"第{lines:02d}段" in last, (lines, last)  # the end of the text stands with the date
    assert pages_seen == {1, 2}  # the lengths did cross a page break


@pytest.mark.django_db
def test_the_first_report_text_uses_full_width_punctuation(file_incident):
    first = Report.objects.get(incident=file_incident(proposed_level=2), kind=Kind.FIRST_REPORT)
    assert "标题：城关镇某学校食堂疑似食物中毒" in first.content and "死亡0人，受伤12人，失踪0人" in first.content
    assert "标题：城关镇某学校食堂疑似食物中毒" in pdftotext(report_pdf(first))
