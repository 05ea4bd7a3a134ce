"""Ending and after-action (plan 五): who declares the end at which level, the announcement,
the investigation team and its analysis, which closes the incident."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import Incident, IncidentEvent, InvestigationTeam, Measure
from reporting.services import report_submit
from roles.services import delegation_create
from tests.incidents.conftest import AFTER_ACTION, kinds

pytestmark = pytest.mark.django_db

# level: (who declares the end, who may not, whether it may be announced)
ENDERS = {1: ("director", "deputy", True), 2: ("director", "deputy", True), 3: ("deputy", "director", False),
          4: ("deputy", "director", False)}


def _row(incident):
    return Incident.objects.filter(pk=incident.pk).values().get()


def _ready_to_end(cast, incident):
    """五(一): the HQ's summary, and for Ⅲ and Ⅳ the leading group's approval."""
    services.incident_summary_submit(actor=cast["deputy"], incident=incident, summary="处置总结")
    if incident.level in (3, 4):
        services.incident_approve_end(actor=cast["director"], incident=incident)


def test_who_ends_at_each_level_and_the_announcement(cast, file_incident, to_state, api):
    for level, (ender, refused, may_announce) in ENDERS.items():
        incident = to_state(file_incident(proposed_level=level), "active")
        _ready_to_end(cast, incident)
        before, events = _row(incident), IncidentEvent.objects.count()
        url = f"/api/incidents/{incident.pk}/end/"
        for who in [refused, "office", "food", "station1"]:
            if who == "food" and level == 4:
                continue  # no HQ at level Ⅳ: the food section does not see it (404)
            assert api(who).post(url, {"summary": "结束"}, format="json").status_code == 403, (level, who)
        with pytest.raises(PermissionDenied):
            services.incident_end(actor=cast[refused], incident=incident, summary="结束")
        assert api(ender).post(url, {"summary": "  "}, format="json").status_code == 400
        if not may_announce:
            response = api(ender).post(url, {"summary": "结束", "announce": True}, format="json")
            assert response.status_code == 400 and "announce" in response.json(), level
        assert _row(incident) == before and IncidentEvent.objects.count() == events, level

        response = api(ender).post(url, {"summary": "事态得到控制", "announce": may_announce}, format="json")
        assert response.status_code == 200, (level, response.content)
        incident.refresh_from_db()
        assert (incident.status, incident.announce_end) == ("ended", may_announce)
        ended = IncidentEvent.objects.filter(incident=incident).last()
        assert (ended.kind, ended.actor, ended.data) == ("ended", cast[ender], {"announce": may_announce})
        assert ended.message == "事态得到控制"


def test_the_acting_leader_ends_a_level_one_emergency(cast, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=1), "active")
    _ready_to_end(cast, incident)
    now = timezone.now()
    delegation = delegation_create(actor=cast["director"], acting=cast["deputy"], starts_at=now - timedelta(hours=1),
                                   ends_at=now + timedelta(hours=1), reason="局长外出")
    services.incident_end(actor=cast["deputy"], incident=incident, summary="结束", announce=True)
    assert IncidentEvent.objects.get(incident=incident, kind="ended").delegation == delegation


def test_ending_cancels_the_open_measures_not_yet_due(cast, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=2), "active")
    first, *rest = Measure.objects.filter(incident=incident).order_by("pk")
    services.measure_update(actor=cast["food"], measure=first, status="done", completion_note="已完成")
    assert rest and all(m.due_at is None or m.due_at > timezone.now() for m in rest)
    _ready_to_end(cast, incident)
    services.incident_end(actor=cast["director"], incident=incident, summary="结束")
    assert Measure.objects.get(pk=first.pk).status == "done"
    for measure in Measure.objects.filter(pk__in=[m.pk for m in rest]):
        assert measure.status == "cancelled" and measure.completed_at is not None and measure.completion_note
    with pytest.raises(services.InvalidTransition):  # nothing more to do on the checklist
        services.measure_update(actor=cast["food"], measure=rest[0], status="done", completion_note="补做")


def test_ending_needs_an_active_incident(cast, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=3), "verified")
    with pytest.raises(services.InvalidTransition):
        services.incident_end(actor=cast["deputy"], incident=incident, summary="结束")
    ended = to_state(incident, "ended")
    with pytest.raises(services.InvalidTransition):
        services.incident_end(actor=cast["deputy"], incident=ended, summary="再次结束")


def test_team_and_after_action_close_the_incident(cast, file_incident, to_state, api):
    incident = to_state(file_incident(proposed_level=3), "ended")
    url = f"/api/incidents/{incident.pk}/"

    # After-action before a team is named: the state does not allow it.
    early = api("deputy").post(url + "after-action/", AFTER_ACTION, format="json")
    assert early.status_code == 409
    # Only someone who commands names the team; the leader and members must see the incident.
    assert api("office").post(url + "team/", {"leader": "office"}, format="json").status_code == 403
    blind = api("deputy").post(url + "team/", {"leader": "food", "members": ["station2"]}, format="json")
    assert blind.status_code == 400 and "members" in blind.json()
    assert not InvestigationTeam.objects.filter(incident=incident).exists()

    named = api("deputy").post(url + "team/", {"leader": "food", "members": ["station1"], "experts": "市疾控中心专家"},
                               format="json")
    assert named.status_code == 200, named.content
    team = InvestigationTeam.objects.get(incident=incident)
    assert team.leader == cast["food"] and list(team.members.all()) == [cast["station1"]]
    assert api("deputy").post(url + "team/", {"leader": "office"}, format="json").status_code == 409

    # The analysis: every part is needed; someone outside the team who does not command may not file it.
    partial = api("food").post(url + "after-action/", {**AFTER_ACTION, "lessons": "", "improvements": " "},
                               format="json")
    assert partial.status_code == 400 and {"lessons", "improvements"} <= set(partial.json())
    assert api("station2").post(url + "after-action/", AFTER_ACTION, format="json").status_code == 404
    assert api("office").post(url + "after-action/", AFTER_ACTION, format="json").status_code == 403
    assert Incident.objects.get(pk=incident.pk).status == "ended"
    assert InvestigationTeam.objects.get(pk=team.pk).filed_at is None

    filed = api("food").post(url + "after-action/", AFTER_ACTION, format="json")
    assert filed.status_code == 200, filed.content
    # The final report is still owed: filing the analysis does not close the incident (rule 8).
    assert filed.json()["status"] == "ended"
    team.refresh_from_db()
    assert team.cause == AFTER_ACTION["cause"] and team.filed_at is not None
    report_submit(actor=cast["office"], incident=incident, kind="final_report", content="书面报告")
    assert Incident.objects.get(pk=incident.pk).status == "closed"
    assert kinds(incident)[-3:] == ["team_named", "after_action_filed", "closed"]
    assert IncidentEvent.objects.get(incident=incident, kind="after_action_filed").data == AFTER_ACTION
    assert api("food").post(url + "after-action/", AFTER_ACTION, format="json").status_code == 409


def test_a_team_member_may_file_the_analysis(cast, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=3), "ended")
    services.incident_team_name(actor=cast["deputy"], incident=incident, leader=cast["office"],
                                members=[cast["station1"]])
    with pytest.raises(ValidationError) as refused:
        services.incident_after_action_file(actor=cast["station1"], incident=incident, cause="原因")
    assert set(refused.value.message_dict) == {"handling", "follow_up", "lessons", "improvements"}
    report_submit(actor=cast["office"], incident=incident, kind="final_report", content="书面报告")
    services.incident_after_action_file(actor=cast["station1"], incident=incident, **AFTER_ACTION)
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.CLOSED  # nothing else owed: it closes


def test_a_team_is_named_only_once_the_emergency_ended(cast, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=3), "active")
    with pytest.raises(services.InvalidTransition):
        services.incident_team_name(actor=cast["deputy"], incident=incident, leader=cast["office"])
    assert not InvestigationTeam.objects.exists()
