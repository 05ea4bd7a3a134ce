"""Issue 13: the overdue board for thousands of open deadlines — one page at a time, filters by unit,
kind, level, status, reference and due window, counts per status at the top, a refresh that fetches
only the page in view, and an export that streams every matching row."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from reporting.board import PAGE_SIZE
from reporting.models import Kind, Obligation
from roles.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_open(file_incident):
    """make(n, *, station="chengguan", level=None, minutes=lambda i: ..., status="pending"): n open
    progress-report obligations owed by that station on one incident it filed, due `minutes(i)` from now
    (default: 10 + i, so row i is the i-th most urgent). Bulk-created: the board is what is tested here."""
    made = {"count": 0}

    def make(n, *, station="chengguan", minutes=lambda i: 10 + i, status=Obligation.Status.PENDING):
        owner = Unit.objects.get(code=station)
        user = "station1" if station == "chengguan" else "station2"
        incident = file_incident(user, title=f"批量事件{made['count']}")
        made["count"] += 1
        now = timezone.now()
        Obligation.objects.bulk_create([
            Obligation(incident=incident, kind=Kind.PROGRESS_REPORT, sequence=100 + i, owner_unit=owner,
                       starts_at=now, due_at=now + timedelta(minutes=minutes(i)), status=status)
            for i in range(n)
        ])
        return incident

    return make


def _rows(body: str) -> list[str]:
    """The due times (ISO) of the rows shown, in order."""
    return re.findall(r'<tr class="[^"]*" data-due="([^"]+)"', body)


def _queries(client, url, data=None, **headers) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {}, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_board_shows_one_page_most_urgent_first(many_open, login):
    many_open(PAGE_SIZE * 2 + 7)
    client = login("office")
    first = _rows(client.get("/reporting/board/").content.decode())
    assert len(first) == PAGE_SIZE and first == sorted(first)
    last = _rows(client.get("/reporting/board/", {"page": 3}).content.decode())
    assert len(last) == 7 + Obligation.objects.filter(status="pending").exclude(kind=Kind.PROGRESS_REPORT).count()
    assert first[-1] < last[0]  # page 3 continues where the others stopped
    # A page number past the end (or not a number) shows the last (or first) page, not an error.
    assert _rows(client.get("/reporting/board/", {"page": 99}).content.decode()) == last
    assert _rows(client.get("/reporting/board/", {"page": "x"}).content.decode()) == first


def test_the_board_and_its_refresh_hold_a_constant_number_of_queries(many_open, login):
    client = login("office")
    many_open(5)
    few_page, _body = _queries(client, "/reporting/board/")
    few_refresh, _body = _queries(client, "/reporting/board/", HTTP_HX_REQUEST="true")
    many_open(PAGE_SIZE * 4, station="baisha")
    many_page, body = _queries(client, "/reporting/board/")
    many_refresh, refresh = _queries(client, "/reporting/board/", {"page": 2}, HTTP_HX_REQUEST="true")
    assert many_page == few_page and many_refresh == few_refresh
    assert few_refresh < few_page  # the refresh skips the filter's choices, the sweep's health, the outbox
    assert len(_rows(refresh)) == PAGE_SIZE and "<html" not in refresh and 'id="board-counts"' in refresh


def test_the_refresh_asks_for_the_page_in_view_with_its_filters(many_open, login):
    many_open(PAGE_SIZE + 1)
    body = login("office").get("/reporting/board/", {"page": 2, "kind": "progress_report"}).content.decode()
    live = re.search(r'id="board-live" hx-get="([^"]+)" hx-trigger="every 15s"', body)
    assert live and "page=2" in live.group(1) and "kind=progress_report" in live.group(1)


def test_the_counts_at_the_top_say_how_many_per_status_and_due_window(many_open, login):
    many_open(3, minutes=lambda i: -30 - i, status=Obligation.Status.OVERDUE)  # swept: overdue
    many_open(2, minutes=lambda i: -1 - i)  # late by the clock, not yet swept
    many_open(4, minutes=lambda i: 10 + i)  # within the hour
    many_open(5, minutes=lambda i: 300 + i)  # within 24 hours
    many_open(6, minutes=lambda i: 3 * 24 * 60 + i)  # later
    opened = Obligation.objects.filter(status__in=["pending", "overdue"])
    client = login("office")

    def counts(**query):
        body = client.get("/reporting/board/", query).content.decode()
        nav = body[body.index('id="board-counts"'):body.index("</nav>", body.index('id="board-counts"'))]
        return [int(n) for n in re.findall(r'<span class="badge text-bg-light">(\d+)</span>', nav)]

    expected_total = opened.count()
    now = timezone.now()
    first_reports = opened.exclude(kind=Kind.PROGRESS_REPORT)  # the incidents' own first-report clocks etc.
    assert counts() == [
        expected_total,
        opened.filter(due_at__lte=now).count(),
        opened.filter(due_at__gt=now, due_at__lte=now + timedelta(hours=1)).count(),
        opened.filter(due_at__gt=now, due_at__lte=now + timedelta(hours=24)).count(),
        3,
        expected_total - 3,
    ]
    assert counts()[1] == 5 + first_reports.filter(due_at__lte=now).count()
    # The counts stay the same whichever status or window is chosen: they are the tabs.
    assert counts(due="1h") == counts() == counts(status="overdue")
    # Other filters narrow them: another station's deadlines are not counted.
    assert counts(unit="baisha")[0] == opened.filter(owner_unit__code="baisha").count()


@pytest.mark.parametrize("query, expected", [
    ({"status": "overdue"}, lambda ob, now: ob.status == "overdue"),
    ({"status": "pending"}, lambda ob, now: ob.status == "pending"),
    ({"due": "past"}, lambda ob, now: ob.due_at <= now),
    ({"due": "1h"}, lambda ob, now: now < ob.due_at <= now + timedelta(hours=1)),
    ({"due": "24h"}, lambda ob, now: now < ob.due_at <= now + timedelta(hours=24)),
    ({"due": "later"}, lambda ob, now: ob.due_at > now + timedelta(hours=24)),
    ({"unit": "baisha"}, lambda ob, now: ob.owner_unit.code == "baisha"),
    ({"kind": "progress_report"}, lambda ob, now: ob.kind == "progress_report"),
    ({"level": 3}, lambda ob, now: ob.incident.level == 3),
])
def test_each_filter_narrows_the_rows(many_open, login, query, expected):
    many_open(3, minutes=lambda i: -30 - i, status=Obligation.Status.OVERDUE)
    many_open(3, minutes=lambda i: 20 + i, station="baisha")
    many_open(3, minutes=lambda i: 600 + i)
    many_open(3, minutes=lambda i: 3000 + i)
    Obligation.objects.filter(sequence=102).update(due_at=timezone.now() + timedelta(days=5))
    from incidents.models import Incident
    Incident.objects.filter(pk=Obligation.objects.filter(owner_unit__code="baisha").values("incident_id")[:1]).update(level=3)
    now = timezone.now()
    wanted = sorted(ob.due_at.isoformat() for ob in Obligation.objects.filter(status__in=["pending", "overdue"])
                    .select_related("owner_unit", "incident") if expected(ob, now))
    assert wanted  # the filter has something to find
    shown = _rows(login("office").get("/reporting/board/", query).content.decode())
    assert sorted(shown) == wanted


def test_a_bad_filter_value_is_ignored_with_the_whole_board_shown(many_open, login):
    many_open(3)
    client = login("office")
    plain = _rows(client.get("/reporting/board/").content.decode())
    for query in ({"due": "tomorrow"}, {"status": "fulfilled"}, {"level": "9"}, {"page": "-1"}):
        response = client.get("/reporting/board/", query)
        assert response.status_code == 200 and _rows(response.content.decode()) == plain, query


def test_the_export_streams_every_matching_row_not_one_page(many_open, login):
    many_open(PAGE_SIZE + 20)
    many_open(5, station="baisha")
    client = login("office")
    response = client.get("/reporting/board.xlsx", {"unit": "chengguan", "page": 1})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="overdue-board-')
    rows = list(load_workbook(BytesIO(response.getvalue())).worksheets[0].iter_rows(values_only=True))[1:]
    chengguan = Obligation.objects.filter(status__in=["pending", "overdue"], owner_unit__code="chengguan").count()
    assert len(rows) == chengguan > PAGE_SIZE
    assert [r[5] for r in rows] == sorted(r[5] for r in rows)  # most urgent first


def test_the_export_holds_a_constant_number_of_queries(many_open, login):
    client = login("office")
    many_open(3)
    few, _body = _queries_streamed(client)
    many_open(300, station="baisha")
    many, _body = _queries_streamed(client)
    assert many == few


def _queries_streamed(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/reporting/board.xlsx")
        body = response.getvalue()
    return len(ctx.captured_queries), body


def test_a_station_counts_and_sees_only_its_own(many_open, login):
    many_open(4)
    many_open(6, station="baisha")
    body = login("station2").get("/reporting/board/").content.decode()
    assert "批量事件0" not in body and "批量事件1" in body
    nav = body[body.index('id="board-counts"'):]
    total = int(re.search(r'<span class="badge text-bg-light">(\d+)</span>', nav).group(1))
    assert total == Obligation.objects.filter(status__in=["pending", "overdue"], incident__station__code="baisha").count()


def test_an_outsider_may_not_see_the_board(cast, login):
    assert login("outsider").get("/reporting/board/").status_code == 403
    assert login("outsider").get("/reporting/board.xlsx").status_code == 403


# ---------------------------------------------------------------- the refresh of an unchanged board (reporting.board_state)


def _state(body: str) -> str:
    return re.search(r'data-board-state="([^"]*)"', body).group(1)


def _refresh(client, state: str):
    return client.get("/reporting/board/", HTTP_HX_REQUEST="true", HTTP_X_BOARD_STATE=state)


def test_an_unchanged_board_answers_its_refresh_204_without_reading_it(many_open, login):
    many_open(3)
    client = login("office")
    state = _state(client.get("/reporting/board/").content.decode())
    assert state
    with CaptureQueriesContext(connection) as ctx:
        response = _refresh(client, state)
    assert response.status_code == 204 and response.content == b""
    assert not [q for q in ctx.captured_queries if "reporting_obligation" in q["sql"]]
    # A refresh without a state, or with one not of this portal, reads the board.
    for sent in ("", "garbage", "1.x", f"{state}0"):
        response = _refresh(client, sent)
        assert response.status_code == 200 and 'id="board-counts"' in response.content.decode(), sent


def test_any_change_to_what_the_board_shows_is_read_at_the_next_refresh(many_open, login, cast):
    from roles.services import membership_set

    incident = many_open(2)
    client = login("office")
    state = _state(client.get("/reporting/board/").content.decode())
    Obligation.objects.filter(pk=-1).update(status=Obligation.Status.FULFILLED)  # touches no row: nothing changed
    assert _refresh(client, state).status_code == 204
    first = Obligation.objects.filter(incident=incident).order_by("due_at")[0]
    changes = [
        lambda: Obligation.objects.filter(pk=first.pk).update(status=Obligation.Status.FULFILLED),
        lambda: many_open(1),
        lambda: type(incident).objects.filter(pk=incident.pk).update(title="改了标题"),
        lambda: membership_set(user=cast["station2"], unit=Unit.objects.get(code="chengguan")),
    ]
    for change in changes:
        change()
        response = _refresh(client, state)
        assert response.status_code == 200, change
        state = _state(response.content.decode())
        assert _refresh(client, state).status_code == 204
    assert "改了标题" in _refresh(client, "").content.decode()


def test_the_board_is_read_again_when_a_row_falls_due_or_a_minute_has_passed(many_open, login):
    import time_machine

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        many_open(1, minutes=lambda i: 0.5)  # due in 30 seconds
        client = login("office")
        state = _state(client.get("/reporting/board/").content.decode())
        clock.move_to(start + timedelta(seconds=25))
        assert _refresh(client, state).status_code == 204
        clock.move_to(start + timedelta(seconds=31))  # it falls due: "already due" counts it now
        response = _refresh(client, state)
        assert response.status_code == 200 and "table-danger" in response.content.decode()
        # Nothing falls due within the next minute: the state is still kept one minute at most.
        state, read_at = _state(response.content.decode()), start + timedelta(seconds=31)
        clock.move_to(read_at + timedelta(seconds=59))
        assert _refresh(client, state).status_code == 204
        clock.move_to(read_at + timedelta(seconds=61))
        assert _refresh(client, state).status_code == 200


def test_a_row_entering_the_hour_window_is_a_change(many_open, login):
    import time_machine

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        many_open(1, minutes=lambda i: 60.5)  # enters "due within 1 hour" in 30 seconds
        client = login("office")
        state = _state(client.get("/reporting/board/").content.decode())
        clock.move_to(start + timedelta(seconds=29))
        assert _refresh(client, state).status_code == 204
        clock.move_to(start + timedelta(seconds=31))
        assert _refresh(client, state).status_code == 200
