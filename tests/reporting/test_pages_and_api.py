"""The overdue board, its Excel export, the notification centre and the reports API."""

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from incidents import services as incidents
from reporting.models import Kind, Notification, Obligation, Report
from reporting.sweep import sweep_due
from roles.models import Contact, Unit
from tests.incidents.conftest import FACTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(cast, categories, django_capture_on_commit_callbacks):
    """station1 owes a first report that is 2 hours overdue; the sweep has marked it."""
    start = timezone.now() - timedelta(hours=3)
    with time_machine.travel(start, tick=False):
        incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                           title="12315转来:某超市销售过期食品", category=categories["food_safety"],
                                           proposed_level=2)
    with django_capture_on_commit_callbacks(execute=True):  # the queued deliveries run
        sweep_due(now=timezone.now())
    return Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)


def test_the_board_shows_an_overdue_deadline_in_red(overdue, login):
    page = login("office").get("/reporting/board/").content.decode()
    assert "12315转来" in page and "table-danger" in page and "已逾期" in page


def test_the_board_refreshes_itself_with_rows_only(overdue, login):
    response = login("office").get("/reporting/board/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<tr" in body and "<html" not in body


def test_a_station_sees_only_its_own_deadlines(overdue, login):
    assert "12315转来" in login("station1").get("/reporting/board/").content.decode()
    assert "12315转来" not in login("station2").get("/reporting/board/").content.decode()


def test_the_board_warns_when_the_sweep_is_stale(overdue, login):
    from reporting.models import SweepHeartbeat

    SweepHeartbeat.objects.update(finished_at=timezone.now() - timedelta(minutes=5))
    assert "超过一分钟" in login("office").get("/reporting/board/").content.decode() or \
        "alert-danger" in login("office").get("/reporting/board/").content.decode()


def test_the_board_exports_to_excel(overdue, login):
    response = login("office").get("/reporting/board.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "12315转来:某超市销售过期食品"
    assert rows[1][7] < -100  # minutes left, negative: overdue by about two hours


def test_the_board_runs_a_constant_number_of_queries(cast, categories, login):
    client = login("office")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/reporting/board/")
        return len(ctx.captured_queries)

    station = Unit.objects.get(code="chengguan")
    for i in range(2):
        incidents.incident_file(actor=cast["office"], station=station, draft=True, title=f"事件{i}",
                                category=categories["food_safety"])
    few = count()
    for i in range(15):
        incidents.incident_file(actor=cast["office"], station=station, draft=True, title=f"更多{i}",
                                category=categories["food_safety"])
    assert count() == few


def test_notifications_reach_the_bell_and_can_be_read(overdue, login, api, cast):
    assert Notification.objects.filter(user=cast["station1"], step="overdue").exists()
    page = login("station1").get("/").content.decode()
    assert 'id="unread-count"' in page
    data = api("station1").get("/api/notifications/").json()
    assert data["count"] >= 1 and data["results"][0]["read_at"] is None
    note_id = data["results"][0]["id"]
    assert api("station2").post(f"/api/notifications/{note_id}/read/").status_code == 404  # not theirs
    assert api("station1").post(f"/api/notifications/{note_id}/read/").status_code == 200
    assert api("station1").post("/api/notifications/read-all/").status_code == 200
    assert not Notification.objects.filter(user=cast["station1"], read_at=None).exists()


def test_obligations_api_filters_and_isolation(overdue, api):
    data = api("office").get("/api/obligations/", {"status": "overdue", "kind": "first_report"}).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert set(row) >= {"id", "incident", "kind", "unit", "status", "due_at", "fulfilled_at", "late_by_seconds"}
    assert row["unit"] == "chengguan" and row["status"] == "overdue" and "+08:00" in row["due_at"]
    assert api("station2").get("/api/obligations/").json()["count"] == 0
    assert api("anonymous").get("/api/obligations/").status_code == 401


def test_reports_api_submits_and_fulfils(file_incident, api, cast):
    incident = file_incident(proposed_level=2)
    response = api("office").post(f"/api/incidents/{incident.pk}/reports/",
                                  {"kind": "upward_report", "content": "已报县政府、市局", "channel": "fax",
                                   "recipients": ["county_government", "city_bureau"], "facts": FACTS}, format="json")
    assert response.status_code == 201, response.json()
    ob = Obligation.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    assert ob.status == Obligation.Status.PENDING  # submitted, not yet sent: no address to send to (issue 11)
    for code in ("county_government", "city_bureau"):
        recorded = api("office").post("/api/deliveries/", {
            "report": response.json()["id"], "recipient": code, "channel": "fax", "number": "0371-1",
            "sent_at": timezone.now().isoformat()}, format="json")
        assert recorded.status_code == 201, recorded.json()
    ob.refresh_from_db()
    assert ob.status == Obligation.Status.FULFILLED and ob.report_id == response.json()["id"]
    assert {d["channel"] for d in api("office").get(f"/api/incidents/{incident.pk}/reports/").json()[1]["deliveries"]} == {"fax"}
    listed = api("station1").get(f"/api/incidents/{incident.pk}/reports/").json()
    assert [r["kind"] for r in listed] == ["first_report", "upward_report"]
    assert api("station1").post(f"/api/incidents/{incident.pk}/reports/",
                                {"kind": "upward_report", "content": "x"}, format="json").status_code == 403
    assert api("station2").get(f"/api/incidents/{incident.pk}/reports/").status_code == 404
    bad = api("office").post(f"/api/incidents/{incident.pk}/reports/", {"kind": "progress_report", "content": "x"},
                             format="json")
    assert bad.status_code == 409  # no response under way
    assert Report.objects.filter(incident=incident).count() == 2


def test_the_office_writes_a_report_on_the_incident_page(file_incident, login, cast):
    incident = file_incident(proposed_level=2)
    page = login("office").get(f"/incidents/{incident.pk}/").content.decode()
    assert "report-content" in page or 'name="report-content"' in page
    response = login("office").post(f"/reporting/incidents/{incident.pk}/reports/", {
        "report-kind": "upward_report", "report-content": "已电话报告县政府值班室", "report-channel": "phone",
        "report-recipients": [c.pk for c in Contact.objects.filter(kind="upward")],
        **{f"report-{key}": value for key, value in FACTS.items()}})
    assert response.status_code == 302
    assert Report.objects.filter(incident=incident, kind=Kind.UPWARD_REPORT).exists()
    assert 'name="report-content"' not in login("station1").get(f"/incidents/{incident.pk}/").content.decode()


def test_the_leader_waives_a_deadline_on_the_incident_page(file_incident, to_state, login, cast):
    incident = to_state(file_incident(proposed_level=2), "verified")
    ob = Obligation.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    assert f"/reporting/obligations/{ob.pk}/waive/" in login("director").get(f"/incidents/{incident.pk}/").content.decode()
    assert f"/reporting/obligations/{ob.pk}/waive/" not in login("office").get(f"/incidents/{incident.pk}/").content.decode()
    assert login("office").post(f"/reporting/obligations/{ob.pk}/waive/", {"reason": "x"}).status_code == 403
    assert login("station2").post(f"/reporting/obligations/{ob.pk}/waive/", {"reason": "x"}).status_code == 404
    response = login("director").post(f"/reporting/obligations/{ob.pk}/waive/", {"reason": "领导小组决定不启动"})
    assert response.status_code == 302
    ob.refresh_from_db()
    assert ob.status == Obligation.Status.WAIVED and ob.waived_by == cast["director"]


def test_the_accountability_record_counts_on_time_late_and_missed(file_incident, cast, login, categories):
    day = timezone.localdate()
    # On time: a first report filed 40 minutes after the incident; late: one filed 2 h after.
    file_incident(proposed_level=2, occurred_at=timezone.now() - timedelta(minutes=40))
    file_incident(proposed_level=2, occurred_at=timezone.now() - timedelta(hours=2))
    # Missed: an office-registered incident whose first report is overdue and still open.
    with time_machine.travel(timezone.now() - timedelta(hours=3), tick=False):
        incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                title="未首报的事件", category=categories["food_safety"], proposed_level=2)
    sweep_due(now=timezone.now())
    query = {"start": (day - timedelta(days=40)).isoformat(), "end": (day + timedelta(days=1)).isoformat()}
    response = login("office").get("/reporting/accountability/", query)
    summary = {row["owner_unit__code"]: row for row in response.context["summary"]}
    station = summary["chengguan"]
    assert (station["on_time"], station["late"], station["missed"]) == (1, 1, 1)
    assert "未首报的事件" in response.content.decode()
    sheet = load_workbook(BytesIO(login("office").get("/reporting/accountability.xlsx", query).getvalue()))
    details = list(sheet.worksheets[1].iter_rows(values_only=True))
    assert len(details) == 3  # header, the late one, the missed one
    assert login("station1").get("/reporting/accountability/").status_code == 403


def test_each_home_page_counts_down_what_its_own_unit_owes(cast, categories, login):
    incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                            title="12315转来:某幼儿园疑似食物中毒", category=categories["food_safety"], proposed_level=2)
    page = login("station1").get("/").content.decode()
    owed = page[page.index('aria-labelledby="owed"'):]
    assert "12315转来" in owed and "首报" in owed and "剩余 59分钟" in owed and "data-due=" in owed
    assert "js/countdown.js" in page  # the countdown runs in the page (tests/e2e/test_journeys.py watches it)
    for other in ("station2", "director"):  # another station, a unit that owes nothing
        assert 'aria-labelledby="owed"' not in login(other).get("/").content.decode(), other
