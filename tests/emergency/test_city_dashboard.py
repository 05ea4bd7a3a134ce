"""The city dashboard (issue 11): active responses by county and level, on-time rate by county,
counted from what the city may see; for city staff and administrators only."""

from datetime import timedelta

import pytest

from emergency.city_dashboard import city_figures
from incidents import services
from reporting.models import Kind
from reporting.sending import delivery_record
from reporting.services import report_submit
from roles.models import Unit
from tests.incidents.conftest import FACTS, intake
from tests.reporting.deadlines import T0, at

pytestmark = pytest.mark.django_db


def test_active_responses_and_on_time_rate_by_county(counties, categories, to_state, login, api):
    people = counties
    # County 1: an active Ⅱ response, reported to the city on time; county 2: a submitted incident whose
    # upward report was missed (due 30 minutes after receipt), not reported to the city.
    ours = at(T0, services.incident_file, actor=people["station1"], station=Unit.objects.get(code="chengguan"),
              **intake(category=categories["food_safety"], occurred_at=T0 - timedelta(minutes=30)))
    report = at(T0 + timedelta(minutes=10), report_submit, actor=people["office"], incident=ours, kind=Kind.UPWARD_REPORT,
                content="情况", facts=FACTS)
    # It reached the city in the portal at once; the county government by fax, recorded (rule 4: it has left).
    for contact in report.recipients.filter(portal_unit=None):
        at(T0 + timedelta(minutes=12), delivery_record, actor=people["office"], report=report, recipient=contact,
           channel="fax", number="0371-1", at=T0 + timedelta(minutes=12))
    at(T0 + timedelta(minutes=20), to_state, ours, "active")
    at(T0, services.incident_file, actor=people["xz_station"], station=Unit.objects.get(code="xinzheng_chengguan"),
       **intake(category=categories["food_safety"], occurred_at=T0 - timedelta(minutes=30)))
    figures = city_figures(people["city_office"], now=T0 + timedelta(hours=3))
    rows = {row["code"]: row for row in figures["counties"]}
    assert set(rows) == {"bureau", "xinzheng"} and figures["levels"] == ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"]
    assert rows["bureau"]["active"] == [0, 1, 0, 0] and rows["xinzheng"]["active"] == [0, 0, 0, 0]
    assert (rows["bureau"]["on_time"], rows["bureau"]["total"], rows["bureau"]["rate"]) == (2, 2, 100)
    assert (rows["xinzheng"]["on_time"], rows["xinzheng"]["total"], rows["xinzheng"]["rate"]) == (1, 2, 50)
    # The page and the API for the city; a county's people get 403.
    assert "新郑市市场监督管理局" in login("city_office").get("/dashboard/city/").content.decode()
    assert api("city_office").get("/api/dashboard/city/").status_code == 200
    for who in ("office", "director", "xz_office", "station1"):
        assert login(who).get("/dashboard/city/").status_code == 403, who
        assert api(who).get("/api/dashboard/city/").status_code == 403, who


def test_the_city_home_lists_what_the_counties_reported(counties, file_incident, login):
    people = counties
    incident = file_incident(proposed_level=2, title="城关镇食堂疑似食物中毒")
    assert "城关镇食堂疑似食物中毒" not in login("city_office").get("/").content.decode()
    report_submit(actor=people["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="情况", facts=FACTS)
    home = login("city_office").get("/").content.decode()
    assert "城关镇食堂疑似食物中毒" in home and "/dashboard/city/" in home
