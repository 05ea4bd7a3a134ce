"""Issue 14 part 2 in Chromium: the office on duty logs a call on a phone, registers it as an incident
for 城关所 from the log entry's page, and station1 sees the first-report clock start on its home page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from duty.models import DutyLogEntry
from incidents.models import Incident
from reporting.models import Kind, Obligation
from tests.e2e.conftest import click_and_confirm

pytestmark = pytest.mark.django_db(transaction=True)


def _fits_the_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_the_office_logs_a_call_registers_it_and_the_station_sees_its_clock(cast, categories, open_as, shot):
    office = open_as("office", phone=True)
    # From the office's home page to the duty log, and its form for a call.
    with office.expect_navigation():
        office.click("#home-duty-log")
    with office.expect_navigation():
        office.click("#log-new")
    assert _fits_the_phone(office), "the duty log form scrolls sideways on a 390 px phone"
    called_about = timezone.localtime(timezone.now() - timedelta(minutes=10))
    office.select_option("#id_channel", "phone")
    office.fill("#id_subject", "城关镇某饭店多名顾客就餐后腹痛")
    office.fill("#id_caller_unit", "城关镇某饭店")
    office.fill("#id_caller_name", "李经理")
    office.fill("#id_caller_position", "店长")
    office.fill("#id_caller_phone", "13900000000")
    office.fill("#id_event_time", called_about.strftime("%Y-%m-%dT%H:%M"))
    office.fill("#id_event_place", "城关镇商城路12号")
    office.fill("#id_event_course", "午餐后6名顾客腹痛腹泻,已自行就医")
    office.fill("#id_event_measures", "饭店已暂停营业")
    office.fill("#id_already_told", "城关镇政府")
    shot(office, "duty-1-log-a-call")
    with office.expect_navigation():
        office.click("#duty-log-form button[type=submit]")
    entry = DutyLogEntry.objects.get()
    assert office.url.endswith(f"/duty/log/{entry.pk}/") and "已记入值班电话记录" in office.content()
    assert entry.recorded_by == cast["office"] and entry.caller_name == "李经理"

    # 登记为突发事件并指派监管所: 城关所, the category; the rest is carried over.
    assert "登记为突发事件并指派监管所" in office.content()
    office.select_option("#register-form #id_station", label="城关市场监督管理所")
    office.select_option("#register-form #id_category", value=str(categories["food_safety"].pk))
    office.select_option("#register-form #id_proposed_level", value="3")
    with office.expect_navigation():
        click_and_confirm(office, "#register-form button[type=submit]")  # irreversible: it asks first
    assert "首报时限开始计时" in office.content()
    assert office.locator("#entry-status").inner_text() == "已登记为突发事件"
    assert _fits_the_phone(office), "the duty log entry scrolls sideways on a 390 px phone"
    shot(office, "duty-2-registered")
    incident = Incident.objects.get()
    assert incident.status == Incident.Status.AWAITING_REPORT and incident.station.code == "chengguan"
    assert incident.reporter_name == "李经理" and incident.location == "城关镇商城路12号"
    obligation = Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)
    assert obligation.due_at == incident.occurred_at + timedelta(hours=1)

    # The incident's page names the log entry on its timeline.
    with office.expect_navigation():
        office.click("#entry-incident")
    assert entry.reference in office.content() and "值班接报" in office.content()

    # station1's home page: the first report it owes, about 50 minutes left (counted from the event).
    station = open_as("station1", phone=True)
    row = station.locator("section[aria-labelledby=owed] tr[data-due]", has_text="城关镇某饭店多名顾客就餐后腹痛")
    assert "首报" in row.inner_text()
    left = row.locator(".countdown").inner_text()
    minutes = int(re.fullmatch(r"剩余 (\d+)分钟", left).group(1))
    assert 45 <= minutes <= 51, left
    shot(station, "duty-3-station-clock")
    # The station does not read the duty log.
    assert station.goto(f"{station.base}/duty/log/{entry.pk}/").status == 404
