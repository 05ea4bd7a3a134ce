"""The README's screenshots, one or two per role, made again by `make screenshots`.

Skipped unless SCREENSHOTS names the folder to write to (`make screenshots` sets docs/screenshots).
A live server, the demo people of seed_demo (Chinese names) and a morning's worth of incidents
filed and moved on through the services; Chromium draws the pages at a desktop's 1280×800 or a
phone's 390×844 and keeps what is on screen (not the full page), so the PNGs stay small."""

import os
from datetime import timedelta
from io import BytesIO, StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from incidents import services as incidents
from incidents.models import Measure
from reporting.models import Kind
from reporting.services import report_submit
from reporting.sweep import sweep_due
from reporting.texts import first_report_facts
from roles.models import Unit, User

ROOT = Path(__file__).resolve().parents[2]
TARGET = os.environ.get("SCREENSHOTS")

pytestmark = [
    pytest.mark.skipif(not TARGET, reason="set SCREENSHOTS=docs/screenshots (make screenshots) to redraw the README's images"),
    pytest.mark.django_db(transaction=True),
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cast(bureau):
    """The demo people (陈明远, 李静, 赵晓东 …) in place of the test cast, so the shared incident
    fixtures file and move incidents as they would in `make run`."""
    from tests.conftest import PASSWORD

    call_command("seed_demo", force=True, password=PASSWORD, stdout=StringIO())
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def morning(cast, categories, file_incident, to_state):
    """What a county bureau might have on its desk: a response under way with the upward report
    written, a report to verify, one awaiting the leading group, an incident the office registered
    from 12315 whose first report is now late, a draft, and two closed ones for the charts."""
    now = timezone.now()
    # Filed within the hour the plan allows, so the first reports count as on time.
    recent = {"occurred_at": now - timedelta(minutes=40), "injured": 0, "nature": "", "description": "",
              "scope": "周边居民", "trend": "趋于稳定", "measures_taken": "现场处置"}
    # Earlier weeks, handled and closed: the charts have months and on-time shares to show.
    closed = ((62, "station2", "某药店销售过期药品", "drugs_devices_cosmetics", "药品质量", "群众举报某药店销售过期药品,现场查见3盒。"),
              (35, "station1", "某商场电梯困人", "special_equipment", "特种设备故障", "电梯停运,2人被困15分钟后救出,无人受伤。"),
              (12, "station2", "某饭店疑似食物中毒", "catering", "食物中毒", "婚宴后6人出现腹泻症状,已就医,症状轻微。"))
    for days, station, title, category, nature, description in closed:
        with time_machine.travel(now - timedelta(days=days)):  # every report on time
            incident = to_state(file_incident(station, title=title, category=category, proposed_level=3,
                                              occurred_at=timezone.now() - timedelta(minutes=40),
                                              **{"injured": 0, "nature": nature, "description": description}), "active")
            report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content=description,
                          facts=first_report_facts(incident))
            to_state(incident, "ended")
        with time_machine.travel(now - timedelta(days=days - 2)):
            report_submit(actor=cast["office"], incident=incident, kind=Kind.FINAL_REPORT, content=f"{description}已处置完毕。")
            to_state(incident, "closed")
    active = to_state(file_incident(
        title="城关镇某学校食堂疑似食物中毒", location="城关镇建设路1号 某小学食堂", proposed_level=2,
        **{**recent, "nature": "食物中毒", "injured": 12,
           "description": "午餐后十余名学生出现呕吐、腹泻症状,已送县人民医院救治。",
           "measures_taken": "食堂已停止供餐,留样已封存,现场已控制。"},
        reporter_name="赵晓东", reporter_phone="0371-62100001",
    ), "active")
    report_submit(actor=cast["office"], incident=active, kind=Kind.UPWARD_REPORT,
                  content="城关镇某小学食堂午餐后12名学生出现呕吐、腹泻症状,已送医救治,无危重病例。县局已启动Ⅱ级响应。",
                  facts=first_report_facts(active))
    first = Measure.objects.filter(incident=active).order_by("pk").first()
    incidents.measure_update(actor=cast["deputy"], measure=first, status=Measure.Status.DONE,
                             completion_note="应对措施已制定并下发各相关单位。")
    verified = to_state(file_incident(
        "station2", title="白沙镇某农贸市场疑似病死猪肉流入", category="food_distribution", proposed_level=3,
        location="白沙镇农贸市场", **{**recent, "nature": "疑似病死畜禽肉",
                                      "description": "摊点销售的猪肉无检疫证明,疑似病死猪肉,已扣押约200公斤。"},
    ), "verified")
    file_incident("station2", title="白沙镇某超市销售过期食品", proposed_level=4, location="白沙镇商业街",
                  **{**recent, "nature": "过期食品", "description": "群众举报货架上有过期奶制品,现场查见过期产品23件。"})
    with time_machine.travel(now - timedelta(minutes=75)):  # registered 75 minutes ago: the hour is up
        incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                title="12315转来:某餐馆使用过期原料", category=categories["catering"], proposed_level=3)
    file_incident(title="城关镇某加油站液化气泄漏", category="special_equipment", proposed_level=3, draft=True,
                  **{**recent, "nature": "液化气泄漏"})
    for _ in range(3):  # reminders, then the overdue mark and its notices
        sweep_due(now=timezone.now())
    return {"active": active, "verified": verified}


def _save(page, name):
    """The viewport only, in at most 256 colours (flat page colours and text survive; a third of the bytes)."""
    from PIL import Image  # Pillow comes with WeasyPrint

    folder = ROOT / TARGET
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    path = folder / f"{name}.png"
    Image.open(BytesIO(page.screenshot())).convert("RGB").quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)
    assert path.stat().st_size > 10_000  # something was drawn, not a blank page
    return path


def _still(open_as):
    """Pages that ask for less motion: the charts are drawn at once, not caught half-grown."""

    def _open(*args, **kwargs):
        page = open_as(*args, **kwargs)
        page.emulate_media(reduced_motion="reduce")
        return page

    return _open


def test_redraw_the_readme_screenshots(morning, open_as):
    open_as = _still(open_as)
    station = open_as("station1", phone=True)
    assert "赵晓东" in station.content() and station.locator("a[aria-label^='通知'] .badge").first.is_visible()
    _save(station, "station-home")
    station.goto(f"{station.base}/incidents/new/")
    station.fill("#id_title", "城关镇某饭店疑似食物中毒")
    station.select_option("#id_category", label="餐饮食品安全")
    station.fill("#id_occurred_at", timezone.localtime(timezone.now() - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"))
    station.fill("#id_location", "城关镇商都路18号")
    _save(station, "station-file-incident")

    office = open_as("office")
    office.set_viewport_size(DESKTOP)
    assert "白沙镇某超市销售过期食品" in office.locator("section[aria-labelledby=inbox]").inner_text()
    _save(office, "office-home")
    office.goto(f"{office.base}/reporting/board/")
    assert office.locator("#board-rows tr.table-danger").count() >= 1
    _save(office, "office-board")

    director = open_as("director")
    director.set_viewport_size(DESKTOP)
    director.goto(f"{director.base}/incidents/{morning['verified'].pk}/")
    assert director.locator("#action-activate").is_visible()
    _save(director, "director-decide")
    director.goto(f"{director.base}/dashboard/")
    director.wait_for_function("() => document.querySelectorAll('canvas[data-drawn]').length === 4", timeout=15000)
    _save(director, "director-dashboard")

    admin = open_as("admin")
    admin.set_viewport_size(DESKTOP)
    admin.goto(f"{admin.base}/admin/reporting/reportingrule/")
    assert "首报" in admin.content()
    _save(admin, "admin-reporting-rules")
