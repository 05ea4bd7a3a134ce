"""The incident's permission matrix over the API: action × cast member × state.

Each row is one action endpoint on station1's incident in one state; each column is the
answer one cast member gets: 200 allowed, 403 the role may not, 404 may not see it, 409 the
state does not allow it. A refused request must leave everything as it was; an allowed one is
rolled back at once, so every cast member meets the same state. Where the member sees the
incident, services.allowed_actions (what pages offer) must agree with the API.

The incident is a food-safety one proposed at level Ⅲ (an HQ led by the food section, the
end declared by the HQ commander); one test per state, which checks every row of that state.
"""

import pytest
from django.db import transaction

from incidents import services
from incidents.api import IncidentViewSet
from incidents.models import (
    CommandHQ,
    Incident,
    IncidentEvent,
    IncidentGroupObjectPermission,
    InvestigationTeam,
    Measure,
)
from tests.incidents.conftest import AFTER_ACTION, PEOPLE

pytestmark = pytest.mark.django_db

# The body of each action; ctx holds the incident, another incident of station1 and a measure.
BODIES = {
    "update-draft": lambda ctx: {"title": "改过的标题"},
    "submit": lambda ctx: {},
    "verify": lambda ctx: {"summary": "经核实属实"},
    "return": lambda ctx: {"message": "请补充伤员情况"},
    "supplement": lambda ctx: {"message": "新增2人就医"},
    "correct": lambda ctx: {"reason": "研判有误", "proposed_level": 2},
    "merge": lambda ctx: {"into": ctx["other"].pk, "reason": "同一事件的重复报告"},
    "comment": lambda ctx: {"message": "请尽快处置"},
    "activate": lambda ctx: {"level": 3},
    "decline": lambda ctx: {"reason": "按日常监管处置"},
    "change-level": lambda ctx: {"level": 2, "reason": "事态扩大"},
    "hq": lambda ctx: {"stations": ["chengguan", "baisha"]},
    "add-measure": lambda ctx: {"title": "全县学校食堂专项检查", "owner_unit": "chengguan"},
    "update-measure": lambda ctx: {"measure": ctx["measure"].pk, "status": "done", "completion_note": "已落实"},
    "summary": lambda ctx: {"summary": "处置情况总结"},
    "end": lambda ctx: {"summary": "应急处置结束"},
    "approve-end": lambda ctx: {"reason": "同意结束"},
    "team": lambda ctx: {"leader": "office"},
    "after-action": lambda ctx: AFTER_ACTION,
}

#                                   director deputy office food station1 station2 admin outsider
MATRIX = {
    ("update-draft", "draft"):        [404, 404, 404, 404, 200, 404, 404, 404],
    ("update-draft", "submitted"):    [403, 403, 403, 404, 409, 404, 403, 404],
    ("submit", "draft"):              [404, 404, 404, 404, 200, 404, 404, 404],
    ("submit", "submitted"):          [403, 403, 409, 404, 409, 404, 403, 404],
    ("verify", "draft"):              [404, 404, 404, 404, 403, 404, 404, 404],
    ("verify", "submitted"):          [403, 403, 200, 404, 403, 404, 403, 404],
    ("verify", "verified"):           [403, 403, 409, 404, 403, 404, 403, 404],
    ("return", "submitted"):          [403, 403, 200, 404, 403, 404, 403, 404],
    ("return", "verified"):           [403, 403, 200, 404, 403, 404, 403, 404],
    ("return", "active"):             [403, 403, 409, 403, 403, 404, 403, 404],
    ("supplement", "submitted"):      [403, 403, 403, 404, 200, 404, 403, 404],
    ("supplement", "active"):         [403, 403, 403, 403, 200, 404, 403, 404],
    ("supplement", "ended"):          [403, 403, 403, 403, 409, 404, 403, 404],
    ("correct", "submitted"):         [403, 403, 200, 404, 403, 404, 403, 404],
    ("correct", "active"):            [403, 403, 409, 403, 403, 404, 403, 404],
    ("merge", "submitted"):           [403, 403, 200, 404, 403, 404, 403, 404],
    ("merge", "verified"):            [403, 403, 200, 404, 403, 404, 403, 404],
    ("merge", "active"):              [403, 403, 409, 403, 403, 404, 403, 404],
    ("comment", "draft"):             [404, 404, 404, 404, 409, 404, 404, 404],
    ("comment", "submitted"):         [200, 200, 200, 404, 200, 404, 200, 404],
    ("comment", "active"):            [200, 200, 200, 200, 200, 404, 200, 404],
    ("activate", "submitted"):        [409, 403, 403, 404, 403, 404, 403, 404],
    ("activate", "verified"):         [200, 403, 403, 404, 403, 404, 403, 404],
    ("activate", "active"):           [409, 403, 403, 403, 403, 404, 403, 404],
    ("decline", "verified"):          [200, 403, 403, 404, 403, 404, 403, 404],
    ("decline", "active"):            [409, 403, 403, 403, 403, 404, 403, 404],
    ("change-level", "verified"):     [409, 403, 403, 404, 403, 404, 403, 404],
    ("change-level", "active"):       [200, 403, 403, 403, 403, 404, 403, 404],
    ("hq", "verified"):               [409, 409, 403, 404, 403, 404, 403, 404],
    ("hq", "active"):                 [200, 200, 403, 403, 403, 404, 403, 404],
    ("hq", "ended"):                  [409, 409, 403, 403, 403, 404, 403, 404],
    ("add-measure", "active"):        [200, 200, 403, 200, 403, 404, 403, 404],
    ("add-measure", "ended"):         [409, 409, 403, 409, 403, 404, 403, 404],
    ("update-measure", "active"):     [200, 200, 403, 200, 403, 404, 403, 404],
    ("update-measure", "ended"):      [409, 409, 403, 409, 403, 404, 403, 404],
    ("summary", "verified"):          [403, 409, 403, 404, 403, 404, 403, 404],
    ("summary", "active"):            [403, 200, 200, 200, 200, 404, 403, 404],
    ("summary", "ended"):             [403, 200, 200, 200, 200, 404, 403, 404],
    ("end", "verified"):              [409, 409, 403, 404, 403, 404, 403, 404],
    # No summary yet (五(一)): the commander may not declare the end, nor the leading group approve it.
    ("end", "active"):                [403, 409, 403, 403, 403, 404, 403, 404],
    ("approve-end", "active"):        [409, 403, 403, 403, 403, 404, 403, 404],
    ("approve-end", "ended"):         [409, 403, 403, 403, 403, 404, 403, 404],
    ("end", "ended"):                 [409, 409, 403, 403, 403, 404, 403, 404],
    ("team", "active"):               [409, 409, 403, 409, 403, 404, 403, 404],
    ("team", "ended"):                [200, 200, 403, 200, 403, 404, 403, 404],
    ("team", "team_named"):           [409, 409, 403, 409, 403, 404, 403, 404],
    ("after-action", "ended"):        [409, 409, 403, 409, 403, 404, 403, 404],
    ("after-action", "team_named"):   [200, 200, 200, 200, 403, 404, 403, 404],
}
STATES = ["draft", "submitted", "verified", "active", "ended", "team_named"]


class Rollback(Exception):
    pass


def _everything():
    """What a refused request must not change."""
    return (
        list(Incident.objects.order_by("pk").values()),
        list(IncidentEvent.objects.order_by("pk").values_list("pk", flat=True)),
        list(Measure.objects.order_by("pk").values()),
        list(CommandHQ.objects.order_by("pk").values()),
        sorted(CommandHQ.member_sections.through.objects.values_list("commandhq_id", "unit_id")),
        sorted(CommandHQ.stations.through.objects.values_list("commandhq_id", "unit_id")),
        list(InvestigationTeam.objects.order_by("pk").values()),
        sorted(IncidentGroupObjectPermission.objects.values_list("group_id", "content_object_id")),
    )


@pytest.fixture
def in_state(cast, file_incident, to_state):
    def _make(state):
        # The incident a duplicate is merged into (merge rows only): one under way, which HQ units see.
        other = None
        if any(action == "merge" and row_state == state for action, row_state in MATRIX):
            other = to_state(file_incident(title="家长来电反映学生呕吐"), "active")
        if state == "draft":
            incident = file_incident(draft=True, proposed_level=3)
        else:
            incident = file_incident(proposed_level=3)
            if state != "submitted":
                incident = to_state(incident, state)
        measure = Measure.objects.filter(incident=incident, owner_unit__code="food_coordination").order_by("pk").first()
        return {"incident": incident, "other": other, "measure": measure}

    return _make


@pytest.mark.parametrize("state", STATES)
def test_matrix(cast, api, in_state, state):
    ctx = in_state(state)
    incident = ctx["incident"]
    assert incident.status == ("ended" if state == "team_named" else state)
    rows = {action: row for (action, row_state), row in MATRIX.items() if row_state == state}
    assert rows
    before = _everything()  # the same before every request: allowed ones are rolled back
    offered = {}  # what allowed_actions offers each person who sees the incident, computed once
    wrong = []
    for action, row in rows.items():
        body = BODIES[action](ctx)
        for who, expected in zip(PEOPLE, row):
            where = f"{action} as {who} on {state}"
            try:
                with transaction.atomic():
                    response = api(who).post(f"/api/incidents/{incident.pk}/{action}/", body, format="json")
                    code = response.status_code
                    if code in (200, 201):
                        if IncidentEvent.objects.count() <= len(before[1]):
                            wrong.append(f"{where}: allowed but wrote no timeline event")
                    elif _everything() != before:
                        wrong.append(f"{where}: refused with {code} but changed data")
                    raise Rollback
            except Rollback:
                pass
            if code != expected:
                wrong.append(f"{where}: {code} (expected {expected}) {response.content.decode()[:200]}")
            if code >= 400 and "detail" not in response.json():
                wrong.append(f"{where}: error without a JSON detail: {response.json()}")
            check = action.replace("-", "_")
            if code == 404 or check not in services.CHECKS:
                continue
            if who not in offered:
                offered[who] = services.allowed_actions(cast[who], Incident.objects.get(pk=incident.pk))
            if (check in offered[who]) != (code in (200, 201)):
                wrong.append(f"{where}: allowed_actions says {check in offered[who]}, the API answered {code}")
    assert _everything() == before
    assert not wrong, "\n".join(wrong)


def test_the_matrix_covers_every_action_endpoint():
    posts = {a.url_path for a in IncidentViewSet.get_extra_actions() if a.detail and "post" in a.mapping}
    assert posts == set(BODIES)
    assert {action for action, _state in MATRIX} == set(BODIES)
    assert all(len(row) == len(PEOPLE) for row in MATRIX.values())


def test_allowed_actions_for_representative_cases(cast, file_incident, to_state):
    """What the incident page offers, person by person (the same checks the services run)."""
    draft = file_incident(draft=True, proposed_level=3)
    assert services.allowed_actions(cast["station1"], draft) == {"update_draft", "submit", "attach"}
    assert services.allowed_actions(cast["station2"], draft) == set()

    submitted = file_incident(proposed_level=3)
    assert services.allowed_actions(cast["office"], submitted) == {
        "return", "correct", "merge", "verify", "comment", "attach"}
    assert services.allowed_actions(cast["station1"], submitted) == {"supplement", "comment", "attach"}

    verified = to_state(file_incident(proposed_level=3), "verified")
    assert services.allowed_actions(cast["director"], verified) == {"comment", "activate", "decline", "attach"}
    assert services.allowed_actions(cast["deputy"], verified) == {"comment", "attach"}

    active = to_state(file_incident(proposed_level=3), "active")
    assert services.allowed_actions(cast["deputy"], active) == {"comment", "hq", "add_measure", "summary", "attach"}
    assert services.allowed_actions(cast["director"], active) == {"comment", "change_level", "hq", "add_measure",
                                                                  "attach"}
    services.incident_summary_submit(actor=cast["deputy"], incident=active, summary="总结")
    assert "approve_end" in services.allowed_actions(cast["director"], active)
    services.incident_approve_end(actor=cast["director"], incident=active)
    assert "end" in services.allowed_actions(cast["deputy"], active)
    assert services.allowed_actions(cast["outsider"], active) == set()

    closed = to_state(file_incident(proposed_level=4), "closed")
    assert services.allowed_actions(cast["deputy"], closed) == {"comment"}
