"""docs/permissions.md, "Emergency resources": the table read from the document and checked against
the answers of the pages and the API, person by person (each attempt rolled back, so that everyone
meets the same state): the cast's county holds the items, an incident of 城关所 is active at Ⅰ with
its HQ (commander: deputy; lead section: 食品安全协调督查科), and xz_office is the other county's office."""

from pathlib import Path

import pytest
from django.db import transaction

from resources import services

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
PEOPLE = ["director", "deputy", "office", "food", "station1", "station2", "xz_office", "admin", "outsider"]
ACTIONS = ["read the inventory and an item", "read an item over the API", "edit or retire an item",
           "record a check (kits owned by 城关所)", "dispatch to the incident at Ⅰ (readiness view)",
           "record the return of a dispatch"]


def _doc_rows() -> dict[str, dict[str, str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ACTIONS and len(cells) == 1 + len(PEOPLE):
            rows[cells[0]] = dict(zip(PEOPLE, cells[1:]))
    return rows


def test_the_doc_has_every_row():
    assert list(_doc_rows()) == ACTIONS


def _answer(action, person, items, active_i, cast, api, login) -> str:
    kits, vehicle = items["kits"], items["vehicle"]
    client = login(person)
    if action == "read the inventory and an item":
        code = client.get(f"/resources/{kits.pk}/").status_code
    elif action == "read an item over the API":
        code = api(person).get(f"/api/resources/{kits.pk}/").status_code
    elif action == "edit or retire an item":
        answers = {_mark(client.get(f"/resources/{kits.pk}/edit/").status_code),
                   _mark(client.post(f"/resources/{kits.pk}/retire/").status_code)}
        return answers.pop() if len(answers) == 1 else "/".join(sorted(answers))
    elif action == "record a check (kits owned by 城关所)":
        code = client.post(f"/resources/{kits.pk}/check/", {"result": "good"}).status_code
    elif action == "dispatch to the incident at Ⅰ (readiness view)":
        code = client.post(f"/resources/{vehicle.pk}/dispatch/", {"incident": active_i.pk}).status_code
    else:
        dispatch = services.resource_dispatch(actor=cast["deputy"], resource=vehicle, incident=active_i)
        code = client.post(f"/resources/dispatches/{dispatch.pk}/return/").status_code
    return _mark(code)


def _mark(code) -> str:
    return "✓" if code in (200, 201, 302) else str(code)


@pytest.mark.parametrize("action", ACTIONS)
def test_the_code_gives_what_the_doc_says(action, counties, items, active_i, api, login):
    expected = _doc_rows()[action]
    got = {}
    for person in PEOPLE:
        with transaction.atomic():
            got[person] = _answer(action, person, items, active_i, counties, api, login)
            transaction.set_rollback(True)
    assert got == expected, f"{action}: code says {got}, doc says {expected}"
