"""The roster's pages and API (issue 14): who reads, who plans (station 403, outsider 404), the top
bar on every page in one query, the API's shapes and errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duty.models import Handover, Shift
from tests.duty.conftest import at

pytestmark = pytest.mark.django_db


def _form(**values):
    data = {"starts_at": "2026-12-02T08:00", "ends_at": "2026-12-03T08:00", "leader": "", "note": ""}
    data.update(values)
    return data


@pytest.mark.parametrize("who, expected", [
    ("office", 200), ("director", 200), ("deputy", 200), ("food", 200), ("station1", 200), ("admin", 200),
    ("outsider", 403),
])
def test_everyone_of_the_bureau_reads_the_roster(cast, clock, login, plan, who, expected):
    plan(at(1, 8), at(2, 8))
    response = login(who).get("/duty/")
    assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert "current-shift" in body and "director" in body


def test_outsider_gets_404_for_a_shift_and_a_foreign_bureau(cast, counties, clock, login, plan):
    shift = plan(at(2), at(3))
    assert login("outsider").get(f"/duty/shifts/{shift.pk}/").status_code == 404
    assert login("xz_office").get(f"/duty/shifts/{shift.pk}/").status_code == 404
    assert login("xz_office").get("/duty/?bureau=bureau").status_code == 404


def test_the_office_plans_through_the_form(cast, clock, login):
    client = login("office")
    assert client.get("/duty/shifts/new/").status_code == 200
    response = client.post("/duty/shifts/new/", _form(leader=cast["director"].pk, staff=[cast["food"].pk], is_holiday="on"))
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert shift.is_holiday and shift.leader == cast["director"] and list(shift.staff.all()) == [cast["food"]]


def test_bad_form_input_is_explained_and_saves_nothing(cast, clock, login):
    response = login("office").post("/duty/shifts/new/", _form(ends_at="2026-12-01T08:00"))
    assert response.status_code == 200
    assert "结束" in response.content.decode() or "之后" in response.content.decode()
    assert not Shift.objects.exists()


@pytest.mark.parametrize("who", ["station1", "director", "food"])
def test_others_of_the_bureau_get_403_on_edit(cast, clock, login, plan, who):
    shift = plan(at(2), at(3))
    client = login(who)
    assert client.get("/duty/shifts/new/").status_code == 403
    assert client.post("/duty/shifts/new/", _form()).status_code == 403
    response = client.post(f"/duty/shifts/{shift.pk}/", _form(note="改"))
    assert response.status_code == 403 and "办公室" in response.content.decode()
    assert client.post(f"/duty/shifts/{shift.pk}/delete/").status_code == 403
    assert client.get("/duty/import/").status_code == 403
    shift.refresh_from_db()
    assert shift.note == "" and shift.cancelled_at is None


def test_the_office_edits_and_deletes(cast, clock, login, plan):
    shift = plan(at(2), at(3))
    client = login("office")
    response = client.post(f"/duty/shifts/{shift.pk}/", _form(leader=cast["deputy"].pk, staff=[cast["office"].pk], note="周末"))
    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.leader == cast["deputy"] and shift.note == "周末"
    assert client.post(f"/duty/shifts/{shift.pk}/delete/").status_code == 302
    shift.refresh_from_db()
    assert shift.cancelled_at is not None


def test_handover_pages(cast, clock, login, plan):
    out = plan(at(1, 8), at(2, 8), leader="director", staff=("office",))
    incoming = plan(at(2, 8), at(3, 8), leader="deputy", staff=("food",))
    assert login("office").post(f"/duty/shifts/{out.pk}/handover/", {"open_items": "待复电话两个"}).status_code == 302
    handover = Handover.objects.get()
    page = login("food").get(f"/duty/shifts/{incoming.pk}/").content.decode()
    assert "待复电话两个" in page and f"/duty/handovers/{handover.pk}/acknowledge/" in page
    login("station1").post(f"/duty/handovers/{handover.pk}/acknowledge/")
    handover.refresh_from_db()
    assert handover.acknowledged_at is None  # refused (403)
    login("food").post(f"/duty/handovers/{handover.pk}/acknowledge/")
    handover.refresh_from_db()
    assert handover.acknowledged_by == cast["food"]
    assert "待复电话两个" in login("station1").get("/duty/handovers/").content.decode()
    assert login("outsider").post(f"/duty/handovers/{handover.pk}/acknowledge/").status_code == 404


def test_the_top_bar_names_who_is_on_duty_on_every_page_in_one_query(cast, clock, login, plan):
    client = login("station1")
    with CaptureQueriesContext(connection) as before:
        client.get("/org/")
    plan(at(1, 8), at(2, 8), leader="director", staff=("office", "food"))
    with CaptureQueriesContext(connection) as after:
        body = client.get("/org/").content.decode()
    assert "值班：food、office（带班：director）" in body
    assert len(after.captured_queries) == len(before.captured_queries)  # the same one query, found or not


def test_home_page_of_the_office_and_the_leading_group_and_the_board(cast, clock, login, plan):
    plan(at(1, 8), at(2, 8), leader="director", staff=("office",))
    for who in ("office", "director"):
        assert 'id="home-on-duty"' in login(who).get("/").content.decode()
    assert 'id="home-on-duty"' not in login("station1").get("/").content.decode()
    board = login("office").get("/reporting/board/").content.decode()
    assert 'id="board-on-duty"' in board and "值班：office（带班：director）" in board


# ---------------------------------------------------------------- API


def test_api_lists_by_date_range(cast, clock, api, plan):
    plan(at(1, 8), at(2, 8))
    plan(at(5, 8), at(6, 8))
    answer = api("station1").get("/api/duty/shifts/", {"from": "2026-12-01", "to": "2026-12-02"})
    assert answer.status_code == 200
    assert [row["starts_at"][:16] for row in answer.json()["results"]] == ["2026-12-01T08:00"]
    row = answer.json()["results"][0]
    assert row["leader"] == "director" and row["staff"] == ["office"] and row["bureau"] == "bureau" and row["staffed"]
    assert api("outsider").get("/api/duty/shifts/").json()["results"] == []
    assert api("office").get("/api/duty/shifts/", {"from": "1999-01-01"}).status_code == 400


def test_api_office_creates_and_updates_others_403(cast, clock, api):
    body = {"starts_at": "2026-12-02T08:00+08:00", "ends_at": "2026-12-03T08:00+08:00", "leader": "director",
            "staff": ["food"]}
    assert api("station1").post("/api/duty/shifts/", body, format="json").status_code == 403
    created = api("office").post("/api/duty/shifts/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api("station1").patch(f"/api/duty/shifts/{pk}/", {"note": "x"}, format="json").status_code == 403
    assert api("outsider").patch(f"/api/duty/shifts/{pk}/", {"note": "x"}, format="json").status_code == 404
    changed = api("office").patch(f"/api/duty/shifts/{pk}/", {"staff": []}, format="json")
    assert changed.status_code == 200 and changed.json()["staffed"] is False
    overlap = api("office").post("/api/duty/shifts/", body, format="json")
    assert overlap.status_code == 400 and "starts_at" in overlap.json()
    assert api("office").delete(f"/api/duty/shifts/{pk}/").status_code == 204
    assert Shift.objects.planned().count() == 0


def test_api_now(cast, clock, api, plan):
    answer = api("station1").get("/api/duty/now/")
    assert answer.status_code == 200 and answer.json()["shift"] is None and answer.json()["bureau"] == "bureau"
    plan(at(1, 8), at(2, 8))
    answer = api("station1").get("/api/duty/now/").json()
    assert answer["shift"]["leader"] == "director" and answer["at"].startswith("2026-12-01T01:00")
    assert api("outsider").get("/api/duty/now/").status_code == 404
    assert api("station1").get("/api/duty/now/", {"bureau": "xinzheng"}).status_code == 404
    assert api("anonymous").get("/api/duty/now/").status_code == 401
