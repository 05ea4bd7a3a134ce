"""Reports and the accountability record as PDF documents. A report sent upward is an official
document laid out after GB/T 9704-2012 党政机关公文格式: the issuing authority mark in red with the
red rule (7.2.3), the document number and, for an upward document, 签发人 on one line (7.2.4, 7.2.5),
title, 主送机关 followed by a full-width colon (7.3.2), body, the issuer's name (the bureau, not the
section) over the date written out (7.3.5), page numbers — 1 — (7.5).

Fonts: Chinese needs a CJK font on the server, or every character comes out as an empty box
(document tests check a CJK font is embedded). The standard's faces (仿宋_GB2312 body, 小标宋 title,
楷体 for the signer's name) are commercial; Debian has no free FangSong outside TeX Live, so the body
falls back to Noto Serif CJK (fonts-noto-cjk) and the signer's name to AR PL UKai (fonts-arphic-ukai,
a free Kaiti), both installed by `make`. A server with FangSong installed uses it: it is named first.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from reporting.models import REPORT_FACTS, Kind, Report
from reporting.numbering import chinese_number, is_station_progress
from roles.models import Unit

KIND_TITLES = {
    Kind.FIRST_REPORT: "首报",
    Kind.UPWARD_REPORT: "报告",
    Kind.PROGRESS_REPORT: "续报",
    Kind.FINAL_REPORT: "终报（书面报告）",
    Kind.AFTER_ACTION_REPORT: "调查评估报告",
    Kind.MEASURE: "任务完成情况",
}


def chinese_year(year: int) -> str:
    """2026 → 二〇二六: a year read digit by digit."""
    return "".join("〇一二三四五六七八九"[int(digit)] for digit in str(year))


def chinese_date(day) -> str:
    """A date (datetime.date, local) written out: 二〇二六年十一月三十日, as the issue asks for the
    date of an official document (成文日期). GB/T 9704-2012 7.3.5.1 itself prints it in Arabic
    numerals (2026年11月30日); the one function to change if the bureau follows the 2012 text."""
    return f"{chinese_year(day.year)}年{chinese_number(day.month)}月{chinese_number(day.day)}日"


def report_title(report: Report) -> str:
    kind = KIND_TITLES[report.kind]
    if is_station_progress(report):  # the station's own report to the bureau, not the bureau's 续报
        kind = f"工作进展报告{chinese_number(report.sequence)}"
    elif report.kind == Kind.PROGRESS_REPORT:
        kind = f"续报{chinese_number(report.sequence)}"
    prefix = "更正：" if report.corrects_id else ""
    return f"{prefix}关于{report.incident.title}的{kind}"


def _pdf(template: str, context: dict, *, issuer: Unit | None = None) -> bytes:
    """`issuer`: the unit whose mark heads the document (default: the one top-level bureau)."""
    from weasyprint import HTML

    issuer = issuer or Unit.objects.filter(kind=Unit.Kind.BUREAU, parent=None).first()
    with translation.override(settings.LANGUAGE_CODE):  # official documents are in Chinese
        html = render_to_string(template, {"bureau": issuer, **context})
    return HTML(string=html).write_pdf()


def report_issuer(report: Report) -> Unit:
    """Whose document this is: the issuer its number was taken for, else the bureau of the unit it
    was written for (a station's own report: the station's bureau heads it, the station signs)."""
    if report.document_issuer_id:
        return report.document_issuer
    return report.unit.bureau() or report.unit


def report_filename(report: Report) -> str:
    """The download's name, in Chinese: 牟市监应急〔2026〕12号 关于…的报告.pdf (the title alone when it
    has no number). Slashes and other characters a file name cannot hold are replaced."""
    name = f"{report.document_number} {report_title(report)}".strip()
    for bad in '/\\:*?"<>|\r\n':
        name = name.replace(bad, "_")
    return f"{name[:120]}.pdf"


def report_pdf(report: Report) -> bytes:
    from reporting.docnumbers import document_issuer

    issuer = report_issuer(report)
    submitted = timezone.localtime(report.submitted_at)
    return _pdf("reporting/documents/report.html", {
        "report": report,
        "station_progress": is_station_progress(report),
        "title": report_title(report),
        # The signature (发文机关署名): the issuer; a station's own report is signed by the station.
        "author": document_issuer(report.unit) if not report.document_issuer_id else issuer,
        "date_text": chinese_date(submitted.date()),
        "paragraphs": [line.strip() for line in report.content.splitlines() if line.strip()],
        # The first report states its facts in its text already; other reports list them first (三(二)3).
        "facts": [] if report.kind == Kind.FIRST_REPORT else [
            (label, report.facts[key]) for key, label in REPORT_FACTS if report.facts.get(key)],
        "recipients": list(report.recipients.order_by("pk")),  # as the plan lists them: the county first
        "submitted": submitted,
    }, issuer=issuer)


def accountability_pdf(*, summary, failures, start, end, issuer: Unit | None = None) -> bytes:
    """`issuer`: the bureau whose record it is (the reader's own; default: the top-level bureau)."""
    return _pdf("reporting/documents/accountability.html", {
        "summary": summary, "failures": failures, "start": start, "end": end,
        "made_at": timezone.localtime(),
    }, issuer=issuer)
