"""Intake (plan 三(二)3): the station's draft and first report, the office's registrations, and
POST /api/incidents/ of api.md."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services
from incidents.models import Incident, IncidentEvent
from tests.incidents.conftest import intake, kinds

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2025, 6, 3, 9, 30, tzinfo=SHANGHAI)


def test_station_files_a_draft_updates_it_and_submits_it(cast, file_incident, categories):
    with time_machine.travel(MORNING, tick=False):
        incident = file_incident(draft=True, title="初稿", occurred_at=MORNING - timedelta(hours=3), location="")
        assert incident.status == Incident.Status.DRAFT
        assert incident.received_at is None and incident.created_by == cast["station1"]
        assert kinds(incident) == ["draft_saved"]

        services.incident_update_draft(actor=cast["station1"], incident=incident, title="城关镇学校食堂食物中毒",
                                       location="城关镇建设路1号")
        incident.refresh_from_db()
        assert (incident.title, incident.location, incident.status) == ("城关镇学校食堂食物中毒", "城关镇建设路1号", "draft")
        saved = IncidentEvent.objects.filter(incident=incident).last()
        assert saved.kind == "draft_saved"
        assert saved.data == {"title": ["初稿", "城关镇学校食堂食物中毒"], "location": ["", "城关镇建设路1号"]}
        services.incident_update_draft(actor=cast["station1"], incident=incident, title="城关镇学校食堂食物中毒")
        assert kinds(incident) == ["draft_saved", "draft_saved"]  # nothing changed, nothing written

    later = MORNING + timedelta(minutes=17)
    with time_machine.travel(later, tick=False):
        services.incident_submit(actor=cast["station1"], incident=incident)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.SUBMITTED
    assert incident.received_at == later  # the server's clock at submission, not the draft's
    assert incident.discovered_at == incident.occurred_at == MORNING - timedelta(hours=3)
    assert kinds(incident) == ["draft_saved", "draft_saved", "submitted"]

    snapshot = IncidentEvent.objects.get(incident=incident, kind="submitted").data["first_report"]
    assert snapshot == services.first_report_snapshot(incident)
    assert snapshot["title"] == "城关镇学校食堂食物中毒"
    assert snapshot["station"] == incident.station_id
    assert snapshot["category"] == categories["food_safety"].pk
    assert snapshot["proposed_level"] == 2
    assert datetime.fromisoformat(snapshot["occurred_at"]) == MORNING - timedelta(hours=3)
    assert datetime.fromisoformat(snapshot["discovered_at"]) == MORNING - timedelta(hours=3)


def test_submitting_without_the_required_fields_lists_them_and_changes_nothing(cast, file_incident):
    incident = file_incident(draft=True, category=None, proposed_level=None, occurred_at=None, location="",
                             description="", nature="", scope="", trend="", measures_taken="")
    before = Incident.objects.filter(pk=incident.pk).values().get()
    with pytest.raises(ValidationError) as refused:
        services.incident_submit(actor=cast["station1"], incident=incident)
    # 三(二)3: time, place, source, nature, scope of impact, trend and measures taken, and what it is.
    assert set(refused.value.message_dict) == {"category", "occurred_at", "location", "description", "proposed_level",
                                               "nature", "scope", "trend", "measures_taken"}
    assert Incident.objects.filter(pk=incident.pk).values().get() == before
    assert kinds(incident) == ["draft_saved"]


def test_filing_a_report_with_missing_fields_saves_nothing(cast, file_incident):
    with pytest.raises(ValidationError) as refused:
        file_incident(location="", description="")
    assert set(refused.value.message_dict) == {"location", "description"}
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()
    with pytest.raises(ValidationError) as refused:  # a title is needed even for a draft
        file_incident(draft=True, title="   ")
    assert "title" in refused.value.message_dict
    assert not Incident.objects.exists()


def test_occurred_in_the_future_is_refused(cast, file_incident):
    with time_machine.travel(MORNING, tick=False):
        with pytest.raises(ValidationError) as refused:
            file_incident(occurred_at=MORNING + timedelta(days=1))
        assert "occurred_at" in refused.value.message_dict
        assert not Incident.objects.exists()

        # A clock a few minutes ahead is tolerated (services.FUTURE_TOLERANCE).
        incident = file_incident(occurred_at=MORNING + timedelta(minutes=5))
        assert incident.status == Incident.Status.SUBMITTED

        draft = file_incident(draft=True)
        with pytest.raises(ValidationError) as refused:
            services.incident_update_draft(actor=cast["station1"], incident=draft,
                                           occurred_at=MORNING + timedelta(hours=5))
        assert "occurred_at" in refused.value.message_dict
        assert Incident.objects.get(pk=draft.pk).occurred_at == draft.occurred_at


def test_discovered_before_it_occurred_is_refused(cast, file_incident):
    occurred = intake()["occurred_at"]
    with pytest.raises(ValidationError) as refused:
        file_incident(occurred_at=occurred, discovered_at=occurred - timedelta(minutes=1))
    assert "discovered_at" in refused.value.message_dict
    assert not Incident.objects.exists()
    incident = file_incident(occurred_at=occurred, discovered_at=occurred + timedelta(minutes=40))
    assert incident.discovered_at == occurred + timedelta(minutes=40)  # a given discovery time is kept


def test_station_cannot_file_for_another_station(cast, file_incident, api):
    response = api("station1").post("/api/incidents/", _body(station="baisha"), format="json")
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        file_incident("station1", station="baisha")
    with pytest.raises(PermissionDenied):
        file_incident("outsider", station="chengguan")
    with pytest.raises(PermissionDenied):
        file_incident("food", station="chengguan")
    assert not Incident.objects.exists()


def test_office_files_a_report_for_a_station_which_is_submitted_at_once(cast, file_incident):
    incident = file_incident("office", station="chengguan")
    assert incident.status == Incident.Status.SUBMITTED
    assert incident.station.code == "chengguan" and incident.created_by == cast["office"]
    assert incident.received_at is not None
    assert kinds(incident) == ["draft_saved", "submitted"]


def test_office_registers_an_incident_and_the_station_completes_the_first_report(cast, file_incident, api):
    incident = file_incident("office", station="chengguan", draft=True, description="", location="")
    assert incident.status == Incident.Status.AWAITING_REPORT
    assert incident.received_at is None
    assert kinds(incident) == ["registered"]
    assert IncidentEvent.objects.get(incident=incident).data == {"station": incident.station_id}
    with pytest.raises(PermissionDenied):  # another station has no part in it
        services.incident_update_draft(actor=cast["station2"], incident=incident, title="x")
    with pytest.raises(PermissionDenied):
        services.incident_submit(actor=cast["station2"], incident=incident)
    # The station owes the report and sees it; the office keeps seeing what it registered.
    assert api("station1").get(f"/api/incidents/{incident.pk}/").json()["status"] == "awaiting_report"
    assert api("office").get(f"/api/incidents/{incident.pk}/").status_code == 200
    assert api("station2").get(f"/api/incidents/{incident.pk}/").status_code == 404

    services.incident_update_draft(actor=cast["station1"], incident=incident, location="城关镇农贸市场",
                                   description="多名群众反映购买的熟食变质。")
    services.incident_submit(actor=cast["station1"], incident=incident)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.SUBMITTED
    assert incident.location == "城关镇农贸市场" and incident.received_at is not None
    assert kinds(incident) == ["registered", "draft_saved", "submitted"]
    assert IncidentEvent.objects.get(incident=incident, kind="submitted").actor == cast["station1"]


def test_the_first_report_is_immutable(cast, file_incident, api):
    incident = file_incident()
    with pytest.raises(services.InvalidTransition):
        services.incident_update_draft(actor=cast["station1"], incident=incident, title="改过的标题")
    with pytest.raises(services.InvalidTransition):
        services.incident_submit(actor=cast["station1"], incident=incident)
    response = api("station1").post(f"/api/incidents/{incident.pk}/update-draft/", {"title": "改过的标题"}, format="json")
    assert response.status_code == 409
    assert "detail" in response.json()
    incident.refresh_from_db()
    assert incident.title == intake()["title"]
    assert kinds(incident) == ["draft_saved", "submitted"]


# ---------------------------------------------------------------- over the API


def _body(**overrides):
    body = {
        "title": "白沙镇超市销售过期食品",
        "category": "food_safety",
        "occurred_at": (MORNING - timedelta(hours=1)).isoformat(),
        "location": "白沙镇中心街超市",
        "description": "群众举报超市销售过期奶粉。",
        "proposed_level": 3,
        "nature": "过期食品", "scope": "一家超市", "trend": "已控制", "measures_taken": "下架封存",
    }
    body.update(overrides)
    return body


def test_post_files_and_submits_with_the_fields_of_api_md(cast, api, categories):
    with time_machine.travel(MORNING, tick=False):
        response = api("station1").post(
            "/api/incidents/", _body(received_at="2020-01-01T00:00:00+08:00", dead=0, injured=3), format="json"
        )
    assert response.status_code == 201, response.content
    data = response.json()
    incident = Incident.objects.get()
    assert data["id"] == incident.pk
    assert data["status"] == "submitted"
    assert data["level"] is None
    assert data["proposed_level"] == 3
    assert data["station"] == "chengguan"
    assert data["category"] == "food_safety"
    assert data["injured"] == 3
    # Times in ISO 8601 with an offset; received_at is the server's, whatever the client sent.
    for field in ("occurred_at", "received_at", "discovered_at"):
        parsed = datetime.fromisoformat(data[field])
        assert parsed.utcoffset() is not None, field
    assert datetime.fromisoformat(data["received_at"]) == MORNING == incident.received_at
    assert datetime.fromisoformat(data["occurred_at"]) == MORNING - timedelta(hours=1)
    assert data["discovered_at"] == data["occurred_at"]
    assert incident.created_by == cast["station1"]

    draft = api("station1").post("/api/incidents/", _body(draft=True, location=""), format="json")
    assert draft.status_code == 201
    assert draft.json()["status"] == "draft" and draft.json()["received_at"] is None


def test_office_names_the_station_over_the_api(api, categories):
    response = api("office").post("/api/incidents/", _body(station="baisha"), format="json")
    assert response.status_code == 201
    assert response.json()["station"] == "baisha" and response.json()["status"] == "submitted"
    missing = api("office").post("/api/incidents/", _body(), format="json")
    assert missing.status_code == 400 and "station" in missing.json()
    assert Incident.objects.count() == 1


BAD_BODIES = [
    ({"title": None}, "title"),
    ({"category": "no_such_category"}, "category"),
    ({"proposed_level": 7}, "proposed_level"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"dead": -1}, "dead"),
    ({"location": ""}, "location"),  # passes the serializer, refused by the first-report check
    ({"occurred_at": (MORNING + timedelta(days=2)).isoformat()}, "occurred_at"),  # refused by the service
]


def test_a_bad_body_is_400_and_creates_nothing(api, categories):
    client = api("station1")
    for overrides, field in BAD_BODIES:
        body = {k: v for k, v in _body(**overrides).items() if v is not None}
        with time_machine.travel(MORNING, tick=False):
            response = client.post("/api/incidents/", body, format="json")
        assert response.status_code == 400, (overrides, response.content)
        assert field in response.json(), (overrides, response.json())
        assert not Incident.objects.exists() and not IncidentEvent.objects.exists(), overrides


def test_an_outsider_may_not_file(api, categories):
    response = api("outsider").post("/api/incidents/", _body(station="chengguan"), format="json")
    assert response.status_code == 403
    assert api("anonymous").post("/api/incidents/", _body(station="chengguan"), format="json").status_code == 401
    assert not Incident.objects.exists()
