"""A whole incident, level by level, through the HTTP API of api.md only, and its append-only timeline."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from incidents.models import IncidentEvent
from tests.incidents.conftest import AFTER_ACTION

pytestmark = pytest.mark.django_db

ENDER = {1: "director", 2: "director", 3: "deputy", 4: "deputy"}
# Who writes a summary: an HQ unit (Ⅰ–Ⅲ); at Ⅳ without an HQ the commander.
SUMMARY_BY = {1: "food", 2: "food", 3: "food", 4: "deputy"}


def _ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content.decode()[:500])
    return response.json()


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_full_lifecycle_over_the_api(api, categories, level):
    body = {
        "title": f"{level}级测试事件:城关镇农贸市场食品安全事件",
        "category": "food_safety",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "location": "城关镇农贸市场",
        "description": "市场内多家摊位销售的熟食疑似导致食物中毒。",
        "proposed_level": level,
        "injured": 5,
        "source": "hotline",
        "nature": "食物中毒", "scope": "市场周边居民", "trend": "病例仍在增加", "measures_taken": "暂停相关摊位经营",
    }
    created = _ok(api("station1").post("/api/incidents/", body, format="json"), 201)
    url = f"/api/incidents/{created['id']}/"
    assert created["status"] == "submitted"

    assert _ok(api("office").post(url + "verify/", {"summary": "经核实属实"}, format="json"))["status"] == "verified"
    active = _ok(api("director").post(url + "activate/", {"level": level}, format="json"))
    assert (active["status"], active["level"]) == ("active", level)
    assert (active["hq"] is not None) == (level <= 3)
    assert active["measures"] and all(m["status"] == "open" for m in active["measures"])

    # The owner unit of the first measure reports it done (at Ⅳ, without an HQ, the commander does:
    # see test_hq_and_measures.test_the_owner_unit_of_a_measure_sees_the_incident).
    measure = active["measures"][0]
    owner = {"food_coordination": "food", "office": "office", "chengguan": "station1"}[measure["owner_unit"]]
    owner = owner if level <= 3 else "deputy"
    done = _ok(api(owner).post(url + "update-measure/",
                               {"measure": measure["id"], "status": "done", "completion_note": "已落实"}, format="json"))
    assert next(m for m in done["measures"] if m["id"] == measure["id"])["status"] == "done"

    _ok(api("director").post(url + "comment/", {"message": "请全力救治伤员"}, format="json"))
    _ok(api(SUMMARY_BY[level]).post(url + "summary/", {"summary": "处置情况总结"}, format="json"))
    if level >= 3:  # 五(一): the leading group approves, then the commander declares the end
        _ok(api("director").post(url + "approve-end/", {"reason": "同意结束"}, format="json"))
    ended = _ok(api(ENDER[level]).post(url + "end/", {"summary": "应急处置结束", "announce": level <= 2}, format="json"))
    assert ended["status"] == "ended" and ended["announce_end"] == (level <= 2)
    assert not [m for m in ended["measures"] if m["status"] == "open"]

    _ok(api("deputy").post(url + "team/", {"leader": "office", "experts": "县疾控中心"}, format="json"))
    filed = _ok(api("office").post(url + "after-action/", AFTER_ACTION, format="json"))
    assert filed["status"] == "ended"  # the final report is still owed
    _ok(api("office").post(f"/api/incidents/{created['id']}/reports/", {"kind": "final_report", "content": "书面报告"},
                           format="json"), 201)
    assert _ok(api("station1").get(url))["status"] == "closed"

    timeline = _ok(api("office").get(url + "timeline/"))
    expected = ["draft_saved", "submitted", "verified", "activated", *(["hq_formed"] if level <= 3 else []),
                "measure_updated", "commented", "summary_submitted", *(["end_approved"] if level >= 3 else []),
                "ended", "team_named", "after_action_filed", "closed"]
    assert [e["kind"] for e in timeline] == expected
    assert [e["actor"] for e in timeline][:4] == ["station1", "station1", "office", "director"]
    ats = [datetime.fromisoformat(e["at"]) for e in timeline]
    assert ats == sorted(ats) and all(at.utcoffset() is not None for at in ats)
    assert [e["id"] for e in timeline] == sorted(e["id"] for e in timeline)

    # Append-only: no event can be changed or deleted, through the model or the API.
    event = IncidentEvent.objects.get(pk=timeline[1]["id"])
    event.message = "篡改"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert IncidentEvent.objects.get(pk=event.pk).message == ""
    assert api("admin").delete(url + "timeline/").status_code == 405
    assert api("admin").patch(url, {"status": "active"}, format="json").status_code == 405
    assert api("admin").delete(url).status_code == 405
    assert [e["kind"] for e in _ok(api("office").get(url + "timeline/"))] == expected
