"""Who sees what (incidents_visible_to): stations are isolated from each other, a station's
drafts are its own, and the list costs a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services

pytestmark = pytest.mark.django_db


def _ids(response):
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == len(data["results"])
    return {row["id"] for row in data["results"]}


def test_stations_do_not_see_each_others_incidents(cast, file_incident, api):
    ours = file_incident("station1", title="城关镇学校食堂食物中毒", location="城关镇建设路")
    theirs = file_incident("station2", title="白沙镇超市销售过期食品", location="白沙镇中心街")
    station1, station2 = api("station1"), api("station2")

    assert _ids(station1.get("/api/incidents/")) == {ours.pk}
    assert _ids(station2.get("/api/incidents/")) == {theirs.pk}
    assert _ids(api("office").get("/api/incidents/")) == {ours.pk, theirs.pk}

    for path in (f"/api/incidents/{ours.pk}/", f"/api/incidents/{ours.pk}/timeline/"):
        assert station2.get(path).status_code == 404, path
        assert api("outsider").get(path).status_code == 404, path
        assert station1.get(path).status_code == 200, path
    assert station2.post(f"/api/incidents/{ours.pk}/comment/", {"message": "x"}, format="json").status_code == 404

    # Searching and filtering never reveal another station's incidents.
    for query in ("城关", "食物中毒", "建设路", str(ours.pk), ours.reference):
        assert ours.pk not in _ids(station2.get("/api/incidents/", {"q": query})), query
        assert ours.pk in _ids(station1.get("/api/incidents/", {"q": query})), query
        assert theirs.pk not in _ids(station1.get("/api/incidents/", {"q": query})), query
        assert ours.pk in _ids(api("office").get("/api/incidents/", {"q": query})), query
    assert _ids(station2.get("/api/incidents/", {"q": "白沙"})) == {theirs.pk}
    assert _ids(station2.get("/api/incidents/", {"station": "chengguan"})) == set()
    assert _ids(station2.get("/api/incidents/", {"status": "submitted"})) == {theirs.pk}
    assert _ids(api("outsider").get("/api/incidents/")) == set()
    assert api("anonymous").get("/api/incidents/").status_code == 401


def test_drafts_are_the_stations_own_until_submitted(cast, file_incident, api):
    draft = file_incident("station1", draft=True, title="草稿:城关镇疑似中毒")
    for who in ["office", "director", "deputy", "food", "station2", "admin"]:
        client = api(who)
        assert client.get(f"/api/incidents/{draft.pk}/").status_code == 404, who
        assert client.get(f"/api/incidents/{draft.pk}/timeline/").status_code == 404, who
        assert draft.pk not in _ids(client.get("/api/incidents/")), who
        assert draft.pk not in _ids(client.get("/api/incidents/", {"q": str(draft.pk)})), who
    assert api("station1").get(f"/api/incidents/{draft.pk}/").json()["status"] == "draft"
    assert _ids(api("station1").get("/api/incidents/", {"q": "草稿"})) == {draft.pk}

    services.incident_submit(actor=cast["station1"], incident=draft)
    for who in ["office", "director", "deputy", "admin"]:
        assert api(who).get(f"/api/incidents/{draft.pk}/").status_code == 200, who
        assert draft.pk in _ids(api(who).get("/api/incidents/")), who
    # Submitted is not shared with other stations or sections.
    for who in ["food", "station2", "outsider"]:
        assert api(who).get(f"/api/incidents/{draft.pk}/").status_code == 404, who


def test_hq_access_does_not_leak_to_other_incidents(cast, file_incident, to_state, api):
    active = to_state(file_incident(proposed_level=3), "active")
    quiet = to_state(file_incident(proposed_level=3), "verified")
    services.incident_hq_update(actor=cast["deputy"], incident=active,
                                stations=list(active.hq.stations.all()) + [_unit("baisha")])
    assert _ids(api("station2").get("/api/incidents/")) == {active.pk}
    assert _ids(api("food").get("/api/incidents/")) == {active.pk}
    assert api("food").get(f"/api/incidents/{quiet.pk}/").status_code == 404


def _unit(code):
    from roles.models import Unit

    return Unit.objects.get(code=code)


def _list_queries(client, params=None):
    client.get("/api/incidents/", params)  # warm up: the user's roles are cached per request user object
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/incidents/", params)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_the_list_costs_the_same_queries_for_3_or_30_incidents(cast, file_incident, api):
    for i in range(3):
        file_incident("station1" if i % 2 else "station2", title=f"事件{i}")
    clients = {who: api(who) for who in ["office", "station1", "director"]}
    few = {who: _list_queries(client) for who, client in clients.items()}
    searched = _list_queries(clients["office"], {"q": "事件", "status": "submitted"})
    for i in range(3, 30):
        file_incident("station1" if i % 2 else "station2", title=f"事件{i}")
    many = {who: _list_queries(client) for who, client in clients.items()}

    assert few["office"][1] == 3 and many["office"][1] == 30
    assert (few["station1"][1], many["station1"][1]) == (1, 15)
    for who in clients:
        assert many[who][0] == few[who][0], f"{who}: {few[who][0]} queries for few, {many[who][0]} for many"
    assert _list_queries(clients["office"], {"q": "事件", "status": "submitted"})[0] == searched[0]


def test_the_list_of_an_hq_member_costs_the_same_queries(cast, file_incident, to_state, api):
    to_state(file_incident(proposed_level=3), "active")
    food = api("food")
    few = _list_queries(food)
    for _ in range(4):
        to_state(file_incident(proposed_level=3), "active")
    many = _list_queries(food)
    assert (few[1], many[1]) == (1, 5)
    assert many[0] == few[0]
