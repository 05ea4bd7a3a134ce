"""Where things are (issue 12 item 8): the board's filter by reference, the stale-sweep warning on
every home page, the API menu entry, /favicon.ico."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reporting.models import SweepHeartbeat
from tests.incidents.conftest import categories, file_incident  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.django_db

STALE = "巡检已超过一分钟未运行"


def _board(client, query):
    return client.get("/reporting/board/", {"incident": query}).content.decode()


def test_the_board_filters_by_the_reference_people_quote(cast, file_incident, login):
    wanted = file_incident(title="要找的事件")
    other = file_incident(title="别的事件")
    client = login("office")
    page = _board(client, wanted.reference)
    assert "要找的事件" in page and "别的事件" not in page
    assert f'value="{wanted.reference}"' in page  # what was typed stays in the field
    assert "要找的事件" in _board(client, f" {wanted.reference} ")
    # The right id in another year is another incident's number: nothing.
    year = int(wanted.reference[:4])
    assert "要找的事件" not in _board(client, f"{year - 1}-{wanted.pk:05d}")
    assert "别的事件" in _board(client, other.reference)


@pytest.mark.parametrize("bad", ["abc", "2026-", "2026-00012-1", "1" * 12, "2026-99999999999"])
def test_a_bad_reference_is_explained_and_filters_nothing(cast, file_incident, login, bad):
    file_incident(title="要找的事件")
    page = _board(login("office"), bad)
    assert "请输入事件编号,例如 2026-00012。" in page and "is-invalid" in page
    assert "要找的事件" in page  # refused: the board is not filtered


@pytest.mark.parametrize("who", ["director", "deputy", "office", "food", "station1", "admin"])
def test_every_home_page_warns_when_the_sweep_is_stale(cast, login, who):
    old = timezone.now() - timedelta(minutes=5)
    SweepHeartbeat.objects.create(started_at=old, finished_at=old)
    assert STALE in login(who).get("/").content.decode()
    SweepHeartbeat.objects.create(started_at=timezone.now(), finished_at=timezone.now())
    assert STALE not in login(who).get("/").content.decode()


def test_an_outsider_home_page_has_no_sweep_warning(cast, login):
    assert STALE not in login("outsider").get("/").content.decode()


@pytest.mark.parametrize("who, sees", [("office", True), ("admin", True), ("director", False), ("deputy", False),
                                       ("food", False), ("station1", False), ("outsider", False)])
def test_the_api_menu_entry_is_for_the_office_and_administrators(cast, login, who, sees):
    assert ('href="/api/docs/"' in login(who).get("/").content.decode()) is sees


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    page = client.get("/login/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
