"""The command HQ and its measures (plan 三(三)): who the HQ lets see the incident, editing the
HQ, the measures checklist, and what a level change does to both."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services
from incidents.models import CommandHQ, Incident, IncidentEvent, Measure, MeasureTemplate
from roles.models import Unit
from tests.incidents.conftest import kinds

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACTIVATED_AT = datetime(2025, 6, 3, 12, 0, tzinfo=SHANGHAI)
CHANGED_AT = ACTIVATED_AT + timedelta(hours=5, minutes=30)


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_hq_units_gain_access_on_activation(cast, file_incident, to_state, api):
    incident = to_state(file_incident(category="food_safety"), "verified")
    price = to_state(file_incident(category="price"), "verified")
    food = api("food")
    assert food.get(f"/api/incidents/{incident.pk}/").status_code == 404
    assert _ids(food.get("/api/incidents/")) == set()

    services.incident_activate(actor=cast["director"], incident=incident, level=2)
    services.incident_activate(actor=cast["director"], incident=price, level=2)
    assert food.get(f"/api/incidents/{incident.pk}/").status_code == 200
    assert food.get(f"/api/incidents/{incident.pk}/timeline/").status_code == 200
    # The price incident's HQ is led by the price section: the food section is not in it.
    assert food.get(f"/api/incidents/{price.pk}/").status_code == 404
    assert _ids(food.get("/api/incidents/")) == {incident.pk}
    assert api("station2").get(f"/api/incidents/{incident.pk}/").status_code == 404


def test_adding_and_removing_a_station_on_the_hq(cast, file_incident, to_state, api):
    incident = to_state(file_incident(), "active")
    station2 = api("station2")
    assert station2.get(f"/api/incidents/{incident.pk}/").status_code == 404

    response = api("deputy").post(f"/api/incidents/{incident.pk}/hq/", {"stations": ["chengguan", "baisha"]},
                                  format="json")
    assert response.status_code == 200
    assert sorted(response.json()["hq"]["stations"]) == ["baisha", "chengguan"]
    assert station2.get(f"/api/incidents/{incident.pk}/").status_code == 200
    assert _ids(station2.get("/api/incidents/")) == {incident.pk}
    changed = IncidentEvent.objects.filter(incident=incident).last()
    chengguan, baisha = Unit.objects.get(code="chengguan").pk, Unit.objects.get(code="baisha").pk
    assert changed.kind == "hq_changed"
    assert changed.data == {"stations": [[chengguan], sorted([chengguan, baisha])]}

    # An HQ member station may now take part: a summary, a comment.
    assert station2.post(f"/api/incidents/{incident.pk}/comment/", {"message": "白沙所已排查辖区同类学校食堂"},
                         format="json").status_code == 200

    response = api("deputy").post(f"/api/incidents/{incident.pk}/hq/", {"stations": ["chengguan"]}, format="json")
    assert response.status_code == 200
    assert station2.get(f"/api/incidents/{incident.pk}/").status_code == 404
    assert _ids(station2.get("/api/incidents/")) == set()
    # The incident's own station keeps it whatever the HQ lists.
    api("deputy").post(f"/api/incidents/{incident.pk}/hq/", {"stations": ["baisha"]}, format="json")
    assert api("station1").get(f"/api/incidents/{incident.pk}/").status_code == 200


def test_hq_edits_are_checked(cast, file_incident, to_state, api):
    incident = to_state(file_incident(), "active")
    hq_before = services._hq_data(CommandHQ.objects.get(incident=incident))
    events = IncidentEvent.objects.count()
    url = f"/api/incidents/{incident.pk}/hq/"
    for who in ["office", "station1", "admin"]:
        assert api(who).post(url, {"stations": ["chengguan", "baisha"]}, format="json").status_code == 403, who
    nothing = api("deputy").post(url, {"stations": ["chengguan"]}, format="json")
    assert nothing.status_code == 400
    not_a_member = api("deputy").post(url, {"commander": "office"}, format="json")
    assert not_a_member.status_code == 400 and "commander" in not_a_member.json()
    assert services._hq_data(CommandHQ.objects.get(incident=incident)) == hq_before
    assert IncidentEvent.objects.count() == events
    # The director hands command to himself: the deputy is then no longer the commander.
    assert api("director").post(url, {"commander": "director"}, format="json").status_code == 200
    assert CommandHQ.objects.get(incident=incident).commander == cast["director"]


def test_measures_are_updated_by_their_owner_unit(cast, file_incident, to_state, api):
    incident = to_state(file_incident(proposed_level=2), "active")
    lead = Measure.objects.filter(incident=incident, owner_unit__code="food_coordination").first()
    office = Measure.objects.filter(incident=incident, owner_unit__code="office").first()
    assert lead is not None and office is not None
    url = f"/api/incidents/{incident.pk}/update-measure/"
    events = IncidentEvent.objects.count()

    refused = api("station1").post(url, {"measure": lead.pk, "status": "done", "completion_note": "完成"}, format="json")
    assert refused.status_code == 403
    no_note = api("food").post(url, {"measure": lead.pk, "status": "done"}, format="json")
    assert no_note.status_code == 400 and "completion_note" in no_note.json()
    reopened = api("food").post(url, {"measure": lead.pk, "status": "open", "completion_note": "x"}, format="json")
    assert reopened.status_code == 400
    assert Measure.objects.get(pk=lead.pk).status == "open" and IncidentEvent.objects.count() == events

    done = api("food").post(url, {"measure": lead.pk, "status": "done", "completion_note": "措施已下发各所"},
                            format="json")
    assert done.status_code == 200, done.content
    lead.refresh_from_db()
    assert (lead.status, lead.completed_by, lead.completion_note) == ("done", cast["food"], "措施已下发各所")
    assert lead.completed_at is not None
    event = IncidentEvent.objects.filter(incident=incident).last()
    assert (event.kind, event.data) == ("measure_updated", {"measure": lead.pk, "status": ["open", "done"]})
    again = api("food").post(url, {"measure": lead.pk, "status": "cancelled", "completion_note": "x"}, format="json")
    assert again.status_code == 409

    assert api("office").post(url, {"measure": office.pk, "status": "done", "completion_note": "人员在岗"},
                              format="json").status_code == 200
    elsewhere = to_state(file_incident(), "active")
    foreign = Measure.objects.filter(incident=elsewhere).first()
    response = api("food").post(url, {"measure": foreign.pk, "status": "done", "completion_note": "x"}, format="json")
    assert response.status_code == 400 and Measure.objects.get(pk=foreign.pk).status == "open"


def test_the_commander_adds_a_measure(cast, file_incident, to_state, api):
    incident = to_state(file_incident(proposed_level=3), "active")
    due = ACTIVATED_AT + timedelta(days=1)
    body = {"title": "对全县学校食堂开展专项检查", "owner_unit": "baisha", "due_at": due.isoformat()}
    url = f"/api/incidents/{incident.pk}/add-measure/"
    for who in ["station1", "office"]:
        assert api(who).post(url, body, format="json").status_code == 403, who
    assert api("deputy").post(url, {**body, "title": " "}, format="json").status_code == 400
    assert not Measure.objects.filter(incident=incident, template=None).exists()

    response = api("deputy").post(url, body, format="json")
    assert response.status_code == 200, response.content
    measure = Measure.objects.get(incident=incident, template=None)
    assert (measure.title, measure.owner_unit.code, measure.due_at, measure.level) == (body["title"], "baisha", due, 3)
    assert any(m["id"] == measure.pk for m in response.json()["measures"])
    event = IncidentEvent.objects.filter(incident=incident).last()
    assert event.kind == "measure_added" and event.data["measure"] == measure.pk and event.actor == cast["deputy"]


def test_change_level_two_to_one_replaces_the_checklist(cast, file_incident, to_state):
    with time_machine.travel(ACTIVATED_AT, tick=False):
        incident = to_state(file_incident(proposed_level=2), "active")
        level2 = list(Measure.objects.filter(incident=incident).order_by("pk"))
        services.measure_update(actor=cast["food"], measure=level2[0], status="done", completion_note="已完成")
        manual = services.measure_add(actor=cast["deputy"], incident=incident, title="每日报送进展",
                                      owner_unit=Unit.objects.get(code="chengguan"))
    hq = CommandHQ.objects.get(incident=incident)

    with time_machine.travel(CHANGED_AT, tick=False):
        with pytest.raises(ValidationError) as refused:
            services.incident_change_level(actor=cast["director"], incident=incident, level=1, reason="")
        assert "reason" in refused.value.message_dict
        with pytest.raises(ValidationError):
            services.incident_change_level(actor=cast["director"], incident=incident, level=2, reason="同级")
        with pytest.raises(PermissionDenied):
            services.incident_change_level(actor=cast["deputy"], incident=incident, level=1, reason="升级")
        # Open: the level's measures but the one done, and the HQ's own.
        assert Measure.objects.filter(incident=incident, status="open").count() == len(level2)

        services.incident_change_level(actor=cast["director"], incident=incident, level=1, reason="中毒人数超过百人")

    incident.refresh_from_db()
    assert incident.level == 1
    event = IncidentEvent.objects.get(incident=incident, kind="level_changed")
    assert (event.data, event.message) == ({"level": [2, 1]}, "中毒人数超过百人")
    assert CommandHQ.objects.get(incident=incident).pk == hq.pk  # the HQ stays

    assert Measure.objects.get(pk=level2[0].pk).status == "done"  # what was done stays done
    for measure in Measure.objects.filter(pk__in=[m.pk for m in level2[1:]]):
        assert measure.status == "cancelled" and measure.completed_at == CHANGED_AT
        assert measure.completion_note
    assert Measure.objects.get(pk=manual.pk).status == "open"  # the HQ's own tasks are not the plan's

    templates = MeasureTemplate.objects.filter(level=1, is_active=True)
    level1 = Measure.objects.filter(incident=incident, level=1).select_related("template")
    assert sorted(m.template_id for m in level1) == sorted(t.pk for t in templates)
    for measure in level1:
        hours = measure.template.due_hours
        assert measure.status == "open"
        assert measure.due_at == (CHANGED_AT + timedelta(hours=hours) if hours else None), measure.title
    owners = set(level1.values_list("owner_unit__code", flat=True))
    assert owners == {"food_coordination", "office", "chengguan"}


def test_change_level_four_to_three_forms_an_hq(cast, file_incident, to_state, api):
    with time_machine.travel(ACTIVATED_AT, tick=False):
        incident = to_state(file_incident(proposed_level=4), "active")
    assert not CommandHQ.objects.filter(incident=incident).exists()
    # No HQ at Ⅳ, but the category's section owns the level's measures and so sees the incident.
    assert api("food").get(f"/api/incidents/{incident.pk}/").status_code == 200
    assert api("station2").get(f"/api/incidents/{incident.pk}/").status_code == 404
    level4 = set(Measure.objects.filter(incident=incident).values_list("pk", flat=True))

    with time_machine.travel(CHANGED_AT, tick=False):
        response = api("director").post(f"/api/incidents/{incident.pk}/change-level/",
                                        {"level": 3, "reason": "群众聚集,事态扩大"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["level"] == 3
    assert data["hq"]["commander"] == "deputy" and data["hq"]["lead_section"] == "food_coordination"
    assert sorted(data["hq"]["member_sections"]) == ["food_coordination", "office"]
    assert kinds(incident)[-2:] == ["level_changed", "hq_formed"]
    assert api("food").get(f"/api/incidents/{incident.pk}/").status_code == 200
    assert set(Measure.objects.filter(pk__in=level4).values_list("status", flat=True)) == {"cancelled"}
    level3 = Measure.objects.filter(incident=incident, level=3).select_related("template")
    assert level3.count() == MeasureTemplate.objects.filter(level=3, is_active=True).count()
    for measure in level3:
        hours = measure.template.due_hours
        assert measure.due_at == (CHANGED_AT + timedelta(hours=hours) if hours else None)


def test_change_level_needs_an_active_incident(cast, file_incident, to_state, api):
    incident = to_state(file_incident(), "verified")
    response = api("director").post(f"/api/incidents/{incident.pk}/change-level/", {"level": 1, "reason": "x"},
                                    format="json")
    assert response.status_code == 409
    assert Incident.objects.get(pk=incident.pk).level is None


def test_only_the_leading_group_and_the_commander_compose_the_hq(cast, file_incident, to_state, api):
    """Rule 14 (二(一)2 领导小组指定相关领导和有关科室组建): a section clerk, even of the lead section,
    cannot replace the commander, change the lead section or the membership; the commander can."""
    incident = to_state(file_incident(proposed_level=3), "active")
    food = api("food")
    for body in ({"lead_section": "catering"}, {"commander": "director"}, {"member_sections": ["catering"]}):
        refused = food.post(f"/api/incidents/{incident.pk}/hq/", body, format="json")
        assert refused.status_code == 403 and "总指挥" in refused.json()["detail"]  # says who may
    assert CommandHQ.objects.get(incident=incident).lead_section.code == "food_coordination"
    response = api("deputy").post(f"/api/incidents/{incident.pk}/hq/",
                                  {"lead_section": "catering", "member_sections": ["catering", "office"]}, format="json")
    assert response.status_code == 200
    hq = CommandHQ.objects.get(incident=incident)
    assert hq.lead_section.code == "catering"
    assert sorted(u.code for u in hq.member_sections.all()) == ["catering", "office"]
    # Off the HQ, but the food section still owns the measures it was given: it keeps access to them.
    assert food.get(f"/api/incidents/{incident.pk}/").status_code == 200
    assert kinds(incident)[-1] == "hq_changed"


def test_the_owner_unit_of_a_measure_sees_the_incident(cast, file_incident, to_state, api):
    from incidents.selectors import open_measures_of

    incident = to_state(file_incident(proposed_level=4), "active")
    measure = Measure.objects.filter(incident=incident).first()
    assert measure.owner_unit.code == "food_coordination"
    assert list(open_measures_of(cast["food"])) == list(Measure.objects.filter(incident=incident))
    response = api("food").post(f"/api/incidents/{incident.pk}/update-measure/",
                                {"measure": measure.pk, "status": "done", "completion_note": "已派出专案小组"},
                                format="json")
    assert response.status_code == 200
    # A task added for a unit outside the HQ opens the incident to that unit too.
    api("deputy").post(f"/api/incidents/{incident.pk}/add-measure/", {"title": "协助排查", "owner_unit": "baisha"},
                       format="json")
    assert api("station2").get(f"/api/incidents/{incident.pk}/").status_code == 200
