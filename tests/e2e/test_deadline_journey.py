"""Issue 4 in the browser: a station misses its first-report deadline; the office watches it turn
red on the board without a reload; the station and the office are notified, the leading group
gets the escalation; the late report is submitted and the accountability record shows how late."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services as incidents
from reporting.models import Kind, Notification, Obligation
from reporting.sweep import sweep_due
from roles.models import Unit
from tests.e2e.conftest import click_and_confirm

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_missed_deadline_from_board_to_accountability(cast, categories, open_as, shot):
    # The office registered an incident 59 min 55 s ago: station1's first report is due in 5 seconds.
    registered = timezone.now() - timedelta(minutes=59, seconds=55)
    incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                       title="12315转来:某超市销售过期食品", category=categories["food_safety"],
                                       proposed_level=2)
    Obligation.objects.filter(incident=incident).update(starts_at=registered, due_at=registered + timedelta(hours=1))
    obligation = Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)

    office = open_as("office")
    office.goto(f"{office.base}/reporting/board/")
    row = office.locator("#board-rows tr", has_text="12315转来")
    assert "table-danger" not in (row.get_attribute("class") or "")
    assert "剩余" in row.locator(".countdown").inner_text()
    shot(office, "deadline-1-board-counting-down")
    # No reload: the countdown passes zero in the browser and the row turns red.
    office.wait_for_function(
        "() => [...document.querySelectorAll('#board-rows tr')].some(r => r.classList.contains('table-danger'))",
        timeout=15000)
    assert "已逾期" in row.locator(".countdown").inner_text()
    shot(office, "deadline-2-board-overdue")

    # The beat's sweep marks it and notifies; later the grace period passes and it escalates.
    sweep_due(now=obligation.due_at + timedelta(seconds=1))
    sweep_due(now=obligation.due_at + timedelta(minutes=31))
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.OVERDUE
    for who, step in (("station1", "overdue"), ("office", "overdue"), ("director", "escalation")):
        assert Notification.objects.filter(user=cast[who], step=step).exists(), (who, step)

    station = open_as("station1", phone=True)
    assert station.locator("#unread-count").inner_text() != ""
    station.goto(f"{station.base}/reporting/notifications/")
    assert "已逾期" in station.content()
    shot(station, "deadline-3-station-notified")
    director = open_as("director")
    director.goto(f"{director.base}/reporting/notifications/")
    assert "应急领导小组" in director.content()

    # The station now files the late first report from its phone.
    station.goto(f"{station.base}/incidents/{incident.pk}/edit/")
    station.fill("#id_occurred_at", timezone.localtime(registered - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    station.fill("#id_location", "城关镇某超市")
    station.fill("#id_description", "货架上发现过期食品,已下架封存。")
    for name, value in {"nature": "过期食品", "scope": "一家超市", "trend": "已控制", "measures_taken": "下架封存"}.items():
        station.fill(f"#id_{name}", value)
    with station.expect_navigation():
        click_and_confirm(station, "button[value=submit]")
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.FULFILLED and obligation.late_by_seconds > 0

    today = timezone.localdate()  # a period around today: the default month misses a deadline just before midnight on the 1st
    office.goto(f"{office.base}/reporting/accountability/?start={today - timedelta(days=1)}&end={today + timedelta(days=1)}")
    page = office.content()
    assert "12315转来" in page and "迟报" in page
    shot(office, "deadline-4-accountability")


def test_the_dashboard_draws_its_charts_on_a_phone(cast, file_incident, to_state, open_as, shot):
    to_state(file_incident(proposed_level=2), "active")
    page = open_as("director", phone=True)
    page.goto(f"{page.base}/dashboard/")
    page.wait_for_function("() => document.querySelectorAll('canvas[data-drawn]').length === 4", timeout=15000)
    assert "Ⅱ: 1" in page.locator("#chart-level-summary").inner_text()
    shot(page, "dashboard-phone")
