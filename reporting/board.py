"""The overdue board (plan 三(二): the office watches every reporting deadline) for a whole office at
province scale: one page of rows at a time, most urgent first, the counts per status and due window
at the top in one aggregate query, a live refresh that fetches only the page in view, and an Excel
export that streams every matching row without holding the workbook in memory."""

from itertools import islice

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import xlsx
from incidents.models import Level
from reporting import board_state
from reporting.filters import BoardFilter
from reporting.models import Kind
from reporting.numbering import number_obligations, obligation_label
from reporting.selectors import board_counts, overdue_board, undelivered_messages, unsigned_upward
from reporting.sweep import heartbeat_is_stale
from roles.models import Unit
from roles.selectors import is_bureau_staff

PAGE_SIZE = 50
# Rows read from the database at a time by the export (a server-side cursor on PostgreSQL).
EXPORT_CHUNK = 2000

# The links above the table: (label, query parameter, its value, key of board_counts' answer).
COUNT_LINKS = [
    (gettext_lazy("all open"), None, None, "total"),
    (gettext_lazy("already due"), "due", "past", "due_past"),
    (gettext_lazy("due within 1 hour"), "due", "1h", "due_1h"),
    (gettext_lazy("due within 24 hours"), "due", "24h", "due_24h"),
    (gettext_lazy("marked overdue by the sweep"), "status", "overdue", "overdue"),
    (gettext_lazy("pending"), "status", "pending", "pending"),
]


def _require_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied(_("Your account belongs to no unit of the bureau."))


def _filters(request, now) -> BoardFilter:
    """The board's filters on what the user tracks (reporting.selectors.overdue_board)."""
    return BoardFilter(request.GET, queryset=overdue_board(request.user), now=now)


def _known_count(filters: BoardFilter, counts: dict) -> int | None:
    """The number of rows the filters leave, when the counts already say it (no second COUNT)."""
    selected = filters.selected()
    status, due = selected.get("status"), selected.get("due")
    if status and due:
        return None
    if status:
        return counts[status]
    if due:
        return counts[f"due_{due}"]
    return counts["total"]


def _count_links(request, selected: dict, counts: dict) -> list[dict]:
    links = []
    for label, name, value, key in COUNT_LINKS:
        query = request.GET.copy()
        for dropped in ("page", *BoardFilter.COUNTED_ACROSS):
            query.pop(dropped, None)
        if name:
            query[name] = value
        active = (selected.get(name) == value) if name else not any(selected.get(n) for n in BoardFilter.COUNTED_ACROSS)
        links.append({"label": label, "count": counts[key], "query": query.urlencode(), "active": active,
                      "danger": key in ("due_past", "overdue")})
    return links


@login_required
def board(request):
    """GET /reporting/board/?unit=&kind=&level=&status=&incident=&due=&page=: one page of PAGE_SIZE open
    obligations, earliest due first. With HX-Request (the refresh every 15 s): the counts, that page's
    rows and the page links only, a constant number of queries whatever the number of rows; 204 and
    nothing read when the X-Board-State it sends is still current (reporting.board_state)."""
    _require_staff(request.user)
    now = timezone.now()
    version = board_state.data_version()  # before the board is read: a change made meanwhile shows next time
    live = bool(request.headers.get("HX-Request"))
    if live and board_state.is_current(request.headers.get("X-Board-State"), version, now=now):
        return HttpResponse(status=204)
    filters = _filters(request, now)
    selected = filters.selected()
    counts = board_counts(filters.without(*BoardFilter.COUNTED_ACROSS).qs, now=now)
    paginator = Paginator(filters.qs, PAGE_SIZE)
    known = _known_count(filters, counts)
    if known is not None:
        paginator.count = known  # Paginator.count is a cached property: the aggregate already counted them
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": number_obligations(page.object_list),
        "counts": counts,
        "count_links": _count_links(request, selected, counts),
        "filters": selected,
        "now": now,
        "query": query.urlencode(),
        "refresh_url": request.get_full_path(),
        "board_state": board_state.state(version, now=now, changes_at=counts["changes_at"]),
    }
    if live:
        return render(request, "reporting/board_live.html", context)
    context.update({
        "kinds": Kind.choices,
        "levels": Level.choices,
        "statuses": BoardFilter.base_filters["status"].extra["choices"],
        "due_windows": BoardFilter.base_filters["due"].extra["choices"],
        # The units that may owe a report; not "units with obligations", a join over every obligation.
        "units": Unit.objects.filter(is_active=True).exclude(
            kind__in=[Unit.Kind.LEADING_GROUP, Unit.Kind.LEADING_GROUP_OFFICE]).order_by("kind", "number", "code"),
        "stale": heartbeat_is_stale(),
        "undelivered": undelivered_messages(request.user),
        # Upward reports sent and not signed for after RECEIPT_EXPECTED_MINUTES (issue 11): the first 100.
        "unsigned": list(unsigned_upward(request.user)[:100]),
        "receipt_minutes": settings.RECEIPT_EXPECTED_MINUTES,
    })
    return render(request, "reporting/board.html", context)


BOARD_COLUMNS = [gettext_lazy("Number"), gettext_lazy("Incident"), gettext_lazy("Level"), gettext_lazy("Report"),
                 gettext_lazy("Owner unit"), gettext_lazy("Due at"), gettext_lazy("Status"),
                 gettext_lazy("Minutes left (negative: overdue)")]


@login_required
def board_xlsx(request):
    """GET /reporting/board.xlsx?<the board's filters>: every matching row (not one page), earliest due
    first, as a streamed .xlsx download. Rows are read EXPORT_CHUNK at a time and written to a
    write-only workbook that spills to a temporary file (common.xlsx.stream), so memory stays flat
    whatever the number of rows."""
    _require_staff(request.user)
    now = timezone.now()
    rows = _filters(request, now).qs.iterator(chunk_size=EXPORT_CHUNK)
    book = xlsx.streaming_workbook()
    sheet = book.create_sheet(_("Overdue board")[:31])
    xlsx.append(sheet, BOARD_COLUMNS)
    for row in _numbered_chunks(rows):
        xlsx.append(sheet, [
            # A station's unsent draft: its reference and times only, never its text (docs/deadlines.md rule 2).
            *_subject_cells(row), obligation_label(row), row.owner_unit.display_name, row.due_at,
            row.get_status_display(), int((row.due_at - now).total_seconds() // 60),
        ])
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return xlsx.stream(book, f"overdue-board-{stamp}.xlsx")


def _subject_cells(row) -> list[str]:
    """Number, title and level of the row's incident; for another subject (reporting.subjects) its
    label in the title's column."""
    if row.incident_id is None:
        return ["", row.subject_label, ""]
    return [row.incident.reference, "" if row.incident.status == "draft" else row.incident.title,
            row.incident.level_roman or ""]


def _numbered_chunks(rows):
    """The rows of an iterator with their 续报 numbers set, EXPORT_CHUNK rows (one numbering query) at a time."""
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        yield from number_obligations(chunk)
