"""Verification by the office (plan 三(二)): verify, return and supplement, correct, merge."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services
from incidents.models import Incident, IncidentEvent
from tests.incidents.conftest import kinds

pytestmark = pytest.mark.django_db


def _row(incident):
    return Incident.objects.filter(pk=incident.pk).values().get()


def test_office_verifies_with_a_summary(cast, file_incident):
    incident = file_incident()
    services.incident_verify(actor=cast["office"], incident=incident, summary="经电话核实,情况属实。")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.VERIFIED
    assert incident.verification_summary == "经电话核实,情况属实。"
    event = IncidentEvent.objects.filter(incident=incident).last()
    assert (event.kind, event.actor, event.message) == ("verified", cast["office"], "经电话核实,情况属实。")
    assert event.actor_role == "office_staff"


def test_only_the_office_verifies(cast, file_incident):
    incident = file_incident()
    before = _row(incident)
    for who in ["station1", "director", "deputy", "food", "admin", "outsider"]:
        with pytest.raises(PermissionDenied):
            services.incident_verify(actor=cast[who], incident=incident, summary="核实")
    assert _row(incident) == before and kinds(incident) == ["draft_saved", "submitted"]


def test_verify_is_refused_in_the_wrong_state_and_without_a_summary(cast, file_incident, api):
    draft = file_incident(draft=True)
    with pytest.raises(services.InvalidTransition):
        services.incident_verify(actor=cast["office"], incident=draft, summary="核实")
    assert Incident.objects.get(pk=draft.pk).status == Incident.Status.DRAFT

    incident = file_incident()
    with pytest.raises(ValidationError) as refused:
        services.incident_verify(actor=cast["office"], incident=incident, summary="  ")
    assert "summary" in refused.value.message_dict
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.SUBMITTED

    services.incident_verify(actor=cast["office"], incident=incident, summary="核实")
    before, events = _row(incident), IncidentEvent.objects.count()
    with pytest.raises(services.InvalidTransition):
        services.incident_verify(actor=cast["office"], incident=incident, summary="再次核实")
    response = api("office").post(f"/api/incidents/{incident.pk}/verify/", {"summary": "再次核实"}, format="json")
    assert response.status_code == 409
    assert "detail" in response.json()
    assert _row(incident) == before and IncidentEvent.objects.count() == events


def test_return_and_supplement(cast, file_incident):
    incident = file_incident()
    with pytest.raises(ValidationError) as refused:
        services.incident_return(actor=cast["office"], incident=incident, message="")
    assert "message" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.incident_return(actor=cast["director"], incident=incident, message="补充伤员情况")

    services.incident_return(actor=cast["office"], incident=incident, message="请补充伤员就医情况。")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RETURNED
    # Returned: nothing to verify until the station answers; the station still cannot rewrite its report.
    with pytest.raises(services.InvalidTransition):
        services.incident_verify(actor=cast["office"], incident=incident, summary="核实")
    with pytest.raises(services.InvalidTransition):
        services.incident_update_draft(actor=cast["station1"], incident=incident, title="新标题")
    with pytest.raises(PermissionDenied):
        services.incident_supplement(actor=cast["station2"], incident=incident, message="不是我们的")
    with pytest.raises(PermissionDenied):
        services.incident_supplement(actor=cast["office"], incident=incident, message="代为补充")

    services.incident_supplement(actor=cast["station1"], incident=incident, message="12人已送县医院,无重症。")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.SUBMITTED
    assert kinds(incident) == ["draft_saved", "submitted", "returned", "supplemented"]
    returned, supplemented = IncidentEvent.objects.filter(incident=incident).order_by("pk")[2:]
    assert returned.message == "请补充伤员就医情况。" and returned.actor == cast["office"]
    assert supplemented.message == "12人已送县医院,无重症。" and supplemented.actor == cast["station1"]

    # Supplements later in the life do not change the status.
    services.incident_verify(actor=cast["office"], incident=incident, summary="核实")
    services.incident_supplement(actor=cast["station1"], incident=incident, message="新增2名就医人员。")
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.VERIFIED


def test_a_verified_incident_can_be_returned(cast, file_incident, to_state):
    incident = to_state(file_incident(), "verified")
    services.incident_return(actor=cast["office"], incident=incident, message="级别研判依据不足,请补充。")
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.RETURNED


def test_correct_records_old_and_new(cast, file_incident, categories):
    incident = file_incident(category="food_safety", proposed_level=2)
    services.incident_correct(actor=cast["office"], incident=incident, reason="实为餐饮环节,影响范围较小。",
                              category=categories["catering"], proposed_level=3)
    incident.refresh_from_db()
    assert incident.category.code == "catering" and incident.proposed_level == 3
    event = IncidentEvent.objects.filter(incident=incident).last()
    assert event.kind == "corrected" and event.message == "实为餐饮环节,影响范围较小。"
    assert event.data == {
        "category": [categories["food_safety"].pk, categories["catering"].pk],
        "proposed_level": [2, 3],
    }
    # The first report as filed is kept in the SUBMITTED event.
    first = IncidentEvent.objects.get(incident=incident, kind="submitted").data["first_report"]
    assert (first["category"], first["proposed_level"]) == (categories["food_safety"].pk, 2)


def test_correct_needs_a_reason_a_change_and_the_office(cast, file_incident, categories, api):
    incident = file_incident(proposed_level=2)
    before = _row(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_correct(actor=cast["office"], incident=incident, reason=" ", proposed_level=3)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):  # nothing to correct
        services.incident_correct(actor=cast["office"], incident=incident, reason="核对", proposed_level=2)
    with pytest.raises(PermissionDenied):
        services.incident_correct(actor=cast["station1"], incident=incident, reason="核对", proposed_level=3)
    response = api("office").post(f"/api/incidents/{incident.pk}/correct/", {"proposed_level": 3}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert _row(incident) == before
    assert kinds(incident) == ["draft_saved", "submitted"]

    response = api("office").post(f"/api/incidents/{incident.pk}/correct/",
                                  {"proposed_level": 3, "category": "price", "reason": "价格异常"}, format="json")
    assert response.status_code == 200
    assert (response.json()["proposed_level"], response.json()["category"]) == (3, "price")


def test_merge_a_duplicate(cast, file_incident, api):
    kept = file_incident("station1", title="城关镇学校食堂食物中毒")
    duplicate = file_incident("office", station="chengguan", title="家长来电:学校食堂学生呕吐")
    response = api("office").post(f"/api/incidents/{duplicate.pk}/merge/",
                                  {"into": kept.pk, "reason": "同一事件的重复报告"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "merged" and response.json()["merged_into"] == kept.pk
    duplicate.refresh_from_db()
    assert duplicate.status == Incident.Status.MERGED and duplicate.merged_into == kept
    assert Incident.objects.get(pk=kept.pk).status == Incident.Status.SUBMITTED
    on_duplicate = IncidentEvent.objects.filter(incident=duplicate).last()
    on_kept = IncidentEvent.objects.filter(incident=kept).last()
    assert (on_duplicate.kind, on_duplicate.data) == ("merged", {"into": kept.pk})
    assert (on_kept.kind, on_kept.data) == ("merged", {"from": duplicate.pk})
    assert on_duplicate.message == on_kept.message == "同一事件的重复报告"

    # A merged incident is closed to further handling.
    with pytest.raises(services.InvalidTransition):
        services.incident_verify(actor=cast["office"], incident=duplicate, summary="核实")
    other = file_incident()
    with pytest.raises(services.InvalidTransition):  # nor can anything be merged into it
        services.incident_merge(actor=cast["office"], incident=other, into=duplicate, reason="重复")


def test_merge_into_itself_or_by_others_is_refused(cast, file_incident, api):
    incident = file_incident()
    other = file_incident()
    before = _row(incident)
    with pytest.raises(ValidationError) as refused:
        services.incident_merge(actor=cast["office"], incident=incident, into=incident, reason="重复")
    assert "into" in refused.value.message_dict
    response = api("office").post(f"/api/incidents/{incident.pk}/merge/", {"into": incident.pk, "reason": "重复"},
                                  format="json")
    assert response.status_code == 400 and "into" in response.json()
    with pytest.raises(PermissionDenied):
        services.incident_merge(actor=cast["station1"], incident=incident, into=other, reason="重复")
    with pytest.raises(ValidationError) as refused:
        services.incident_merge(actor=cast["office"], incident=incident, into=other, reason="")
    assert "reason" in refused.value.message_dict
    assert _row(incident) == before
    assert kinds(incident) == kinds(other) == ["draft_saved", "submitted"]
