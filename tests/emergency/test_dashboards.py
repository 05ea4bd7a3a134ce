"""The dashboards count real rows, within what the user may see, one endpoint per figure."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.utils import timezone


pytestmark = pytest.mark.django_db


def test_active_responses_by_level(file_incident, to_state, api):
    to_state(file_incident(proposed_level=2), "active")
    to_state(file_incident(proposed_level=2), "active")
    to_state(file_incident(proposed_level=4), "active")
    file_incident(proposed_level=1)  # submitted, not active
    data = api("director").get("/api/dashboard/active-by-level/").json()
    assert data == {"labels": ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"], "values": [0, 2, 0, 1]}


def test_incidents_by_category_and_month(file_incident, api):
    file_incident(category="food_safety")
    file_incident(category="food_safety")
    file_incident(category="catering")
    file_incident(category="price", draft=True)  # a station's draft counts for nobody else
    data = api("office").get("/api/dashboard/incidents-by-category-month/").json()
    assert len(data["labels"]) == 12 and data["labels"][-1] == timezone.localtime().strftime("%Y-%m")
    totals = {d["label"]: sum(d["data"]) for d in data["datasets"]}
    assert totals == {"食品安全综合": 2, "餐饮食品安全": 1}


def test_on_time_rate_by_unit(file_incident, cast, api):
    now = timezone.now()
    with time_machine.travel(now - timedelta(hours=2), tick=False):  # filed 30 min after it occurred: on time
        file_incident(proposed_level=2, occurred_at=now - timedelta(hours=2, minutes=30))
    file_incident(proposed_level=2, occurred_at=now - timedelta(hours=3))  # filed now: two hours late
    data = api("office").get("/api/dashboard/on-time-by-unit/").json()
    rates = dict(zip(data["labels"], data["values"]))
    # The station's two first reports, both due in the past: one on time, one late.
    assert rates["城关市场监督管理所"] == 50
    assert dict(zip(data["labels"], data["counts"]))["城关市场监督管理所"] == [1, 2]


def test_deadlines_in_the_next_24_hours(file_incident, to_state, api):
    incident = file_incident(proposed_level=2)  # the office owes the upward report within 30 minutes
    data = api("office").get("/api/dashboard/due-next-24-hours/").json()
    assert sum(data["values"]) == 1 and data["values"][0] == 1
    assert data["items"][0]["reference"] == incident.reference


def test_next_24_hours_gives_the_bureau_time_as_text(file_incident, api):
    # 2026-03-01 04:00 UTC is 12:00 in Shanghai; the upward report is due 30 minutes after receipt.
    with time_machine.travel(datetime(2026, 3, 1, 4, 0, tzinfo=dt_timezone.utc), tick=False):
        file_incident(proposed_level=2, occurred_at=timezone.now() - timedelta(minutes=10))
        data = api("office").get("/api/dashboard/due-next-24-hours/").json()
    item = data["items"][0]
    assert item["due_local"] == "2026-03-01 12:30"
    assert datetime.fromisoformat(item["due_at"]) == datetime(2026, 3, 1, 4, 30, tzinfo=dt_timezone.utc)


@pytest.mark.parametrize("who, status", [("director", 200), ("deputy", 200), ("office", 200), ("admin", 200),
                                         ("food", 403), ("station1", 403), ("outsider", 403), ("anonymous", 401)])
def test_who_sees_the_dashboards(cast, api, login, who, status):
    assert api(who).get("/api/dashboard/active-by-level/").status_code == status
    if who != "anonymous":
        assert login(who).get("/dashboard/").status_code == (200 if status == 200 else 403)
