"""docs/permissions.md's incident table, derived from the code: what allowed_actions offers each
person (reporting.services.may_report for the reports written on the incident), and whether the
visibility selector shows them the incident at all."""

from pathlib import Path

import pytest

from incidents.selectors import incidents_visible_to
from incidents.services import allowed_actions
from reporting.models import Kind
from reporting.services import may_report
from tests.incidents.conftest import PEOPLE

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ACTIONS = {
    "submit the first report": "submit", "verify": "verify", "return": "return", "correct": "correct",
    "merge": "merge", "supplement": "supplement", "comment": "comment", "activate": "activate",
    "decline": "decline", "change level": "change_level", "edit the HQ": "hq", "add a measure": "add_measure",
    "submit a summary": "summary", "declare the end": "end", "approve the end": "approve_end",
    "name the investigation team": "team",
    "file the after-action analysis": "after_action",
}
REPORTS = {"report progress": (Kind.PROGRESS_REPORT, False), "report past the bureau (越级上报)": (Kind.UPWARD_REPORT, True)}


def _doc_rows():
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(PEOPLE) and (cells[0] in ACTIONS or cells[0] in REPORTS):
            rows.append((cells[0], cells[1], dict(zip(PEOPLE, cells[2:]))))
    return rows


def test_the_doc_has_every_row():
    assert len(_doc_rows()) == 20


@pytest.fixture
def incident_in(file_incident, to_state, cast):
    from incidents.services import incident_approve_end, incident_summary_submit

    def _in(state):
        if state == "draft":
            return file_incident(draft=True)
        incident = file_incident(proposed_level=3 if "Ⅲ" in state else 2)
        target = {"submitted": "submitted", "verified": "verified", "active Ⅱ": "active", "active Ⅲ": "active",
                  "active Ⅱ, summary in": "active", "active Ⅲ, summary in": "active", "active Ⅲ, end approved": "active",
                  "ended Ⅲ": "ended", "team named (leader: office)": "team_named"}[state]
        incident = to_state(incident, target) if target != "submitted" else incident
        if "summary in" in state or "approved" in state:
            incident_summary_submit(actor=cast["deputy"], incident=incident, summary="总结")
        if "approved" in state:
            incident_approve_end(actor=cast["director"], incident=incident)
        return incident

    return _in


@pytest.mark.parametrize("row", range(20))
def test_the_code_gives_what_the_doc_says(row, incident_in, cast):
    action, state, expected = _doc_rows()[row]
    incident = incident_in(state)
    for person in PEOPLE:
        user = cast[person]
        if not incidents_visible_to(user).filter(pk=incident.pk).exists():
            got = "404"
        elif action in REPORTS:
            kind, skip_level = REPORTS[action]
            got = "✓" if may_report(user, incident, kind, skip_level=skip_level) else "403"
        else:
            got = "✓" if ACTIONS[action] in allowed_actions(user, incident) else "403"
        assert got == expected[person], f"{action} ({state}) for {person}: code says {got}, doc says {expected[person]}"
