"""The duty log's table in docs/permissions.md, read from the doc and asked of the portal: each cell is
the HTTP answer a cast member gets (✓: 200/201/302). A refused change leaves the entry as it was."""

from pathlib import Path

import pytest

from duty import log
from duty.models import DutyLogEntry
from incidents.models import Incident
from roles.models import Unit
from tests.duty.test_log import call, push_body
from tests.incidents.conftest import PEOPLE, categories  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def _table() -> dict[str, list[str]]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## The duty log")
    end = text.find("\n## ", start + 1)  # the section ends at the next heading of its level
    section = text[start:end if end != -1 else None]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header[1:] == PEOPLE, header
    return {cells[0]: cells[1:] for cells in ([c.strip() for c in row.strip("|").split("|")] for row in rows[1:])}


TABLE = _table()
ALLOWED = {200, 201, 302}


def _ask(action, who, login, api, entry, categories):
    if action.startswith("the list"):
        return login(who).get("/duty/log/").status_code
    if action.startswith("read an entry"):
        page, answer = login(who).get(f"/duty/log/{entry.pk}/").status_code, api(who).get(f"/api/duty-log/{entry.pk}/").status_code
        assert page == answer, (page, answer)
        return page
    if action.startswith("record a call"):
        page = login(who).get("/duty/log/new/").status_code
        answer = api(who).post("/api/duty-log/", push_body(source="", external_id=""), format="json").status_code
        assert (page in ALLOWED) == (answer in ALLOWED), (page, answer)
        return answer
    if action.startswith("register"):
        return login(who).post(f"/duty/log/{entry.pk}/register/", {
            "station": Unit.objects.get(code="chengguan").pk, "category": categories["food_safety"].pk,
            "title": "登记"}).status_code
    if action.startswith("close"):
        return login(who).post(f"/duty/log/{entry.pk}/close/", {"reason": "非突发事件"}).status_code
    raise AssertionError(action)


@pytest.mark.parametrize("action, who, expected", [
    (action, who, cells[i]) for action, cells in TABLE.items() for i, who in enumerate(PEOPLE)])
def test_the_duty_log_permission_table(cast, categories, login, api, action, who, expected):
    entry = log.duty_log_record(actor=cast["office"], **call())
    status = _ask(action, who, login, api, entry, categories)
    if expected == "✓":
        assert status in ALLOWED, status
    else:
        assert status == int(expected)
        entry.refresh_from_db()
        assert entry.status == DutyLogEntry.Status.OPEN and not Incident.objects.exists()
        if action.startswith("record"):
            assert DutyLogEntry.objects.count() == 1


def test_the_table_has_every_action():
    assert len(TABLE) == 5
