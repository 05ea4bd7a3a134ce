"""The leading group's decision (plan 三(三)): activate at a level (HQ, measures), decline, and
decisions by an acting leader under a delegation."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services
from incidents.models import CommandHQ, Incident, IncidentEvent, Measure, MeasureTemplate
from roles.services import delegation_create, delegation_revoke
from tests.incidents.conftest import kinds

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 6, 3, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
OWNER = {"lead_section": None, "office": "office", "station": "chengguan"}  # None: the category's section


def _row(incident):
    return Incident.objects.filter(pk=incident.pk).values().get()


def _nothing_changed(incident, before, events):
    assert _row(incident) == before
    assert IncidentEvent.objects.count() == events
    assert not CommandHQ.objects.filter(incident=incident).exists()
    assert not Measure.objects.filter(incident=incident).exists()


def test_director_activates_at_each_level(cast, file_incident, to_state, categories):
    category_of = {1: "food_safety", 2: "food_safety", 3: "price", 4: "food_safety"}
    for level in (1, 2, 3, 4):
        category = categories[category_of[level]]
        with time_machine.travel(NOON, tick=False):
            incident = to_state(file_incident(category=category.code, proposed_level=level), "verified")
            services.incident_activate(actor=cast["director"], incident=incident, level=level)
        incident = Incident.objects.get(pk=incident.pk)
        assert (incident.status, incident.level) == ("active", level)

        activated = IncidentEvent.objects.get(incident=incident, kind="activated")
        assert activated.actor == cast["director"] and activated.delegation is None
        assert activated.data == {"level": [None, level], "proposed_level": level}

        hq = CommandHQ.objects.filter(incident=incident).first()
        if level == 4:
            assert hq is None, "level Ⅳ forms no HQ unless asked"
            assert kinds(incident)[-1] == "activated"
        else:
            assert hq is not None, f"level {level} must form an HQ"
            assert hq.commander == cast["deputy"]
            assert hq.lead_section == category.section
            assert {u.code for u in hq.member_sections.all()} == {category.section.code, "office"}
            assert [u.code for u in hq.stations.all()] == ["chengguan"]
            assert kinds(incident)[-2:] == ["activated", "hq_formed"]

        templates = MeasureTemplate.objects.filter(level=level, is_active=True)
        measures = Measure.objects.filter(incident=incident).select_related("template", "owner_unit")
        assert templates.exists()
        assert sorted(m.template_id for m in measures) == sorted(t.pk for t in templates)
        for measure in measures:
            template = measure.template
            assert (measure.level, measure.title, measure.status) == (level, template.title, "open")
            expected = NOON + timedelta(hours=template.due_hours) if template.due_hours else None
            assert measure.due_at == expected, template.title
            assert measure.owner_unit.code == (OWNER[template.owner] or category.section.code), template.title


def test_level_four_forms_an_hq_when_asked(cast, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=4), "verified")
    services.incident_activate(actor=cast["director"], incident=incident, level=4, form_hq=True)
    hq = CommandHQ.objects.get(incident=incident)
    assert hq.commander == cast["deputy"] and hq.lead_section.code == "food_coordination"
    owners = set(Measure.objects.filter(incident=incident).values_list("owner_unit__code", flat=True))
    assert owners == {"food_coordination"}


def test_lead_section_that_is_the_office_is_listed_once(cast, file_incident, to_state):
    incident = to_state(file_incident(category="other", proposed_level=3), "verified")
    services.incident_activate(actor=cast["director"], incident=incident, level=3)
    hq = CommandHQ.objects.get(incident=incident)
    assert hq.lead_section.code == "office"
    assert [u.code for u in hq.member_sections.all()] == ["office"]


def test_a_level_other_than_proposed_needs_a_reason(cast, file_incident, to_state):
    incident = to_state(file_incident(proposed_level=3), "verified")
    before, events = _row(incident), IncidentEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.incident_activate(actor=cast["director"], incident=incident, level=2, reason="  ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.incident_activate(actor=cast["director"], incident=incident, level=5, reason="x")
    assert "level" in refused.value.message_dict
    _nothing_changed(incident, before, events)

    services.incident_activate(actor=cast["director"], incident=incident, level=2, reason="伤亡人数上升,提级响应。")
    incident.refresh_from_db()
    assert (incident.level, incident.proposed_level) == (2, 3)
    activated = IncidentEvent.objects.get(incident=incident, kind="activated")
    assert activated.message == "伤亡人数上升,提级响应。"
    assert activated.data == {"level": [None, 2], "proposed_level": 3}


def test_activation_needs_a_verified_incident(cast, file_incident, api):
    incident = file_incident()
    before, events = _row(incident), IncidentEvent.objects.count()
    with pytest.raises(services.InvalidTransition):
        services.incident_activate(actor=cast["director"], incident=incident, level=2)
    response = api("director").post(f"/api/incidents/{incident.pk}/activate/", {"level": 2}, format="json")
    assert response.status_code == 409
    _nothing_changed(incident, before, events)


def test_decline_closes_with_the_reason(cast, file_incident, to_state, api):
    incident = to_state(file_incident(), "verified")
    before, events = _row(incident), IncidentEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.incident_decline(actor=cast["director"], incident=incident, reason="")
    assert "reason" in refused.value.message_dict
    assert _row(incident) == before and IncidentEvent.objects.count() == events

    response = api("director").post(f"/api/incidents/{incident.pk}/decline/", {"reason": "未达到启动标准,按日常监管处置。"},
                                    format="json")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    incident.refresh_from_db()
    assert incident.status == Incident.Status.DECLINED and incident.level is None
    declined = IncidentEvent.objects.filter(incident=incident).last()
    assert (declined.kind, declined.message) == ("declined", "未达到启动标准,按日常监管处置。")
    with pytest.raises(services.InvalidTransition):
        services.incident_activate(actor=cast["director"], incident=incident, level=2)


def test_only_the_leader_activates_or_declines(cast, file_incident, to_state, api):
    incident = to_state(file_incident(), "verified")
    before, events = _row(incident), IncidentEvent.objects.count()
    for who in ["deputy", "office", "food", "station1", "admin"]:
        with pytest.raises(PermissionDenied):
            services.incident_activate(actor=cast[who], incident=incident, level=2)
        with pytest.raises(PermissionDenied):
            services.incident_decline(actor=cast[who], incident=incident, reason="不启动")
    for who in ["deputy", "office"]:
        assert api(who).post(f"/api/incidents/{incident.pk}/activate/", {"level": 2}, format="json").status_code == 403
        declined = api(who).post(f"/api/incidents/{incident.pk}/decline/", {"reason": "x"}, format="json")
        assert declined.status_code == 403
    # The food section does not see a verified incident before activation: 404, not 403.
    assert api("food").post(f"/api/incidents/{incident.pk}/activate/", {"level": 2}, format="json").status_code == 404
    _nothing_changed(incident, before, events)


# ---------------------------------------------------------------- the acting leader


def _delegate(cast, starts, ends):
    return delegation_create(actor=cast["director"], acting=cast["deputy"], starts_at=starts, ends_at=ends,
                             reason="局长外出学习")


def test_acting_leader_decides_within_the_period(cast, file_incident, to_state, api):
    with time_machine.travel(NOON, tick=False):
        delegation = _delegate(cast, NOON - timedelta(hours=1), NOON + timedelta(days=2))
        incident = to_state(file_incident(), "verified")
        response = api("deputy").post(f"/api/incidents/{incident.pk}/activate/", {"level": 2}, format="json")
    assert response.status_code == 200, response.content
    activated = IncidentEvent.objects.get(incident=incident, kind="activated")
    assert activated.actor == cast["deputy"] and activated.delegation == delegation
    assert IncidentEvent.objects.get(incident=incident, kind="hq_formed").delegation == delegation
    timeline = api("director").get(f"/api/incidents/{incident.pk}/timeline/").json()
    shown = next(e for e in timeline if e["kind"] == "activated")
    assert shown["delegation"]["acting"] == "deputy" and shown["delegation"]["reason"] == "局长外出学习"

    # The director keeps deciding in person, and says so (no delegation on the event).
    other = to_state(file_incident(), "verified")
    with time_machine.travel(NOON, tick=False):
        services.incident_decline(actor=cast["director"], incident=other, reason="不启动")
    assert IncidentEvent.objects.get(incident=other, kind="declined").delegation is None


def test_acting_leader_outside_the_period_or_after_revocation_is_refused(cast, file_incident, to_state, api):
    incident = to_state(file_incident(), "verified")
    before, events = _row(incident), IncidentEvent.objects.count()
    delegation = _delegate(cast, NOON, NOON + timedelta(days=1))
    for moment in (NOON - timedelta(minutes=1), NOON + timedelta(days=1)):  # before it starts, when it has ended
        with time_machine.travel(moment, tick=False):
            with pytest.raises(PermissionDenied):
                services.incident_activate(actor=cast["deputy"], incident=incident, level=2)
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        delegation_revoke(actor=cast["director"], delegation=delegation)
        with pytest.raises(PermissionDenied):
            services.incident_activate(actor=cast["deputy"], incident=incident, level=2)
        response = api("deputy").post(f"/api/incidents/{incident.pk}/decline/", {"reason": "不启动"}, format="json")
        assert response.status_code == 403
    _nothing_changed(incident, before, events)


def test_only_the_leader_delegates_and_only_to_a_member(cast):
    with pytest.raises(ValidationError) as refused:
        delegation_create(actor=cast["director"], acting=cast["office"], starts_at=NOON,
                          ends_at=NOON + timedelta(days=1), reason="局长外出")
    assert "acting" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        delegation_create(actor=cast["director"], acting=cast["director"], starts_at=NOON,
                          ends_at=NOON + timedelta(days=1), reason="局长外出")
    assert "acting" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        delegation_create(actor=cast["deputy"], acting=cast["deputy"], starts_at=NOON,
                          ends_at=NOON + timedelta(days=1), reason="自己授权")
    delegation = _delegate(cast, NOON, NOON + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        delegation_revoke(actor=cast["deputy"], delegation=delegation)
    assert cast["director"].delegations_given.count() == 1
