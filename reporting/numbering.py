"""How reports and deadlines are named and numbered for people (issue 12 item 4).

The office's progress reports upward are 续报一、二、三… consecutively, counting what is actually
owed or sent: a progress deadline replaced by an earlier one at a level change (waived before its
due time, so never owed) takes no number, and the next one takes the number it left. The station's
own reports on how the work goes are its 工作进展报告 (plan 三(二) 各市场监督管理所……将工作进展情况
逐级向上汇报), numbered among its own, never called 续报. `Obligation.sequence` and `Report.sequence`
stay the keys; these numbers are for display only.
"""

from collections import defaultdict

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.models import Kind, Obligation, Report
from roles.models import Unit

CHINESE_NUMBERS = "零一二三四五六七八九十"
STATION_PROGRESS = gettext_lazy("work progress report (工作进展报告)")


def chinese_number(n: int) -> str:
    """续报一、二 … 一百零一: a number (n ≥ 1) in Chinese numerals as official writing has it
    (十一 not 一十一; 一百零五; 一千零一十). Beyond 9,999, or below 1, Arabic numerals."""
    if not 1 <= n <= 9999:
        return str(n)
    result, zero_pending = "", False
    for power, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // power % 10
        if digit == 0:
            zero_pending = bool(result)
            continue
        if zero_pending:
            result += CHINESE_NUMBERS[0]
            zero_pending = False
        result += CHINESE_NUMBERS[digit] + unit
    return result[1:] if 10 <= n < 20 else result


def numbered(label, number: int | None) -> str:
    """"续报二" in Chinese, "progress report (续报) 2" in English; the label alone without a number."""
    if not number:
        return str(label)
    if (get_language() or "").startswith("zh"):
        return f"{label}{chinese_number(number)}"
    return f"{label} {number}"


def is_station_progress(report: Report) -> bool:
    return report.kind == Kind.PROGRESS_REPORT and report.unit.kind == Unit.Kind.STATION


def report_label(report: Report) -> str:
    """A report's name as people say it: 首报, 上报, 续报二, 工作进展报告一, 终报…"""
    if is_station_progress(report):
        return numbered(STATION_PROGRESS, report.sequence)
    if report.kind == Kind.PROGRESS_REPORT:
        return numbered(report.get_kind_display(), report.sequence)
    return report.get_kind_display()


def counts(obligation: Obligation) -> bool:
    """Whether a progress deadline takes a number: every row but one waived before it fell due."""
    return not (obligation.status == Obligation.Status.WAIVED and obligation.overdue_at is None)


def number_obligations(obligations) -> list[Obligation]:
    """Set `display_number` on each progress obligation of `obligations` (others: None), counting
    per incident the rows that count, in sequence order. One query for all the incidents listed.
    Returns the obligations as a list."""
    obligations = list(obligations)
    incidents = {o.incident_id for o in obligations if o.kind == Kind.PROGRESS_REPORT}
    numbers = {}
    if incidents:
        per_incident = defaultdict(int)
        rows = (Obligation.objects.filter(incident_id__in=incidents, kind=Kind.PROGRESS_REPORT)
                .order_by("incident_id", "sequence").only("pk", "incident_id", "status", "overdue_at"))
        for row in rows:
            if counts(row):
                per_incident[row.incident_id] += 1
                numbers[row.pk] = per_incident[row.incident_id]
    for obligation in obligations:
        obligation.display_number = numbers.get(obligation.pk)
    return obligations


def obligation_label(obligation: Obligation) -> str:
    """A deadline's name: "续报二" (numbered by number_obligations), "续报 (replaced)" for one that
    never fell due, the kind otherwise."""
    label = obligation.get_kind_display()
    if obligation.kind != Kind.PROGRESS_REPORT:
        return label
    number = getattr(obligation, "display_number", None)
    if number is None and not counts(obligation):
        return _("%(kind)s (replaced, not owed)") % {"kind": label}
    return numbered(label, number if number is not None else obligation.sequence)
