"""docs/permissions.md's table of the city bureau and the other county (issue 11), derived from the
code: what allowed_actions / may_report / may_request offer each person, and whether the visibility
selector shows them the incident at all."""

from pathlib import Path

import pytest

from incidents.selectors import incidents_visible_to
from incidents.services import allowed_actions, incident_approve_end, incident_summary_submit
from reporting.models import Kind
from reporting.requests import may_request
from reporting.services import may_report, report_submit
from tests.incidents.conftest import FACTS
from tests.incidents.test_permission_doc import ACTIONS, REPORTS

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
PEOPLE = ["city_office", "xz_office", "xz_director", "xz_deputy", "xz_station"]
REQUEST = "ask for a report (催报)"


def _doc_rows():
    text = DOC.read_text(encoding="utf-8").split("## A city bureau above county bureaus", 1)[1]
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(PEOPLE) and (cells[0] in ACTIONS or cells[0] in REPORTS or cells[0] == REQUEST):
            rows.append((cells[0], cells[1], dict(zip(PEOPLE, cells[2:]))))
    return rows


def _incident(state, file_incident, to_state, cast):
    if state == "draft":
        return file_incident(draft=True)
    incident = file_incident(proposed_level=3 if "Ⅲ" in state else 2)
    report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="上报", facts=FACTS)
    target = {"submitted": "submitted", "verified": "verified", "active Ⅱ": "active", "active Ⅲ": "active",
              "active Ⅱ, summary in": "active", "active Ⅲ, summary in": "active", "active Ⅲ, end approved": "active",
              "ended Ⅲ": "ended", "team named (leader: office)": "team_named"}[state]
    incident = to_state(incident, target) if target != "submitted" else incident
    if "summary in" in state or "approved" in state:
        incident_summary_submit(actor=cast["deputy"], incident=incident, summary="总结")
    if "approved" in state:
        incident_approve_end(actor=cast["director"], incident=incident)
    return incident


def test_the_doc_has_every_row():
    assert len(_doc_rows()) == 22


def test_the_code_gives_what_the_doc_says(counties, file_incident, to_state):
    cast = counties
    made = {}
    for action, state, expected in _doc_rows():
        if state not in made:
            made[state] = _incident(state, file_incident, to_state, cast)
        incident = made[state]
        for person in PEOPLE:
            user = cast[person]
            if not incidents_visible_to(user).filter(pk=incident.pk).exists():
                got = "404"
            elif action == REQUEST:
                got = "✓" if may_request(user, incident) else "403"
            elif action in REPORTS:
                kind, skip_level = REPORTS[action]
                got = "✓" if may_report(user, incident, kind, skip_level=skip_level) else "403"
            else:
                got = "✓" if ACTIONS[action] in allowed_actions(user, incident) else "403"
            assert got == expected[person], f"{action} ({state}) for {person}: code says {got}, doc says {expected[person]}"
