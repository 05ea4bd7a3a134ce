"""Reports and the accountability record as PDF documents, laid out like a government report
(A4, the bureau's red heading and rule, title, recipients, body, issuing unit and date).

Chinese needs a CJK font on the server (Debian fonts-noto-cjk; `make` installs it); without one
every character would come out as an empty box, so document tests check the font is embedded.
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
    Kind.FINAL_REPORT: "终报(书面报告)",
    Kind.AFTER_ACTION_REPORT: "调查评估报告",
    Kind.MEASURE: "任务完成情况",
}


def report_title(report: Report) -> str:
    kind = KIND_TITLES[report.kind]
    if is_station_progress(report):  # the station's own report to the bureau, not the bureau's 续报
        kind = f"工作进展报告{chinese_number(report.sequence)}"
    elif report.kind == Kind.PROGRESS_REPORT:
        kind = f"续报{chinese_number(report.sequence)}"
    prefix = "更正:" if report.corrects_id else ""
    return f"{prefix}关于{report.incident.title}的{kind}"


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    bureau = Unit.objects.filter(kind=Unit.Kind.BUREAU, parent=None).first()
    with translation.override(settings.LANGUAGE_CODE):  # official documents are in Chinese
        html = render_to_string(template, {"bureau": bureau, **context})
    return HTML(string=html).write_pdf()


def report_pdf(report: Report) -> bytes:
    return _pdf("reporting/documents/report.html", {
        "report": report,
        "station_progress": is_station_progress(report),
        "title": report_title(report),
        "paragraphs": [line.strip() for line in report.content.splitlines() if line.strip()],
        # The first report states its facts in its text already; other reports list them first (三(二)3).
        "facts": [] if report.kind == Kind.FIRST_REPORT else [
            (label, report.facts[key]) for key, label in REPORT_FACTS if report.facts.get(key)],
        "recipients": list(report.recipients.order_by("pk")),  # as the plan lists them: the county first
        "submitted": timezone.localtime(report.submitted_at),
    })


def accountability_pdf(*, summary, failures, start, end) -> bytes:
    return _pdf("reporting/documents/accountability.html", {
        "summary": summary, "failures": failures, "start": start, "end": end,
        "made_at": timezone.localtime(),
    })
