"""Issue 10, kind 10: /api/schema/ says what the API answers (the drifts schemathesis found)."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return yaml.safe_load(client.get("/api/schema/").content)


def test_merged_into_is_nullable(schema):
    assert schema["components"]["schemas"]["Incident"]["properties"]["merged_into"]["nullable"] is True


def test_the_timeline_is_declared_as_the_list_it_returns(schema, api, file_incident):
    operation = schema["paths"]["/api/incidents/{id}/timeline/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert not [p for p in operation.get("parameters", []) if p["in"] == "query"]  # no list filters
    incident = file_incident()
    assert isinstance(api("station1").get(f"/api/incidents/{incident.pk}/timeline/").json(), list)


def test_a_blank_email_is_allowed_by_the_schema(schema, api, cast):
    email = schema["components"]["schemas"]["Me"]["properties"]["email"]
    assert {"type": "string", "format": "email"} in email["oneOf"]
    assert {"type": "string", "maxLength": 0} in email["oneOf"]
    assert api("office").get("/api/me/").json()["email"] == ""


def test_error_answers_are_declared(schema):
    action = schema["paths"]["/api/incidents/{id}/verify/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(action)
    assert action["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    listing = schema["paths"]["/api/obligations/"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404"} <= set(listing)


def test_every_answer_under_api_is_json(api, cast):
    for path in ("/api/incidents/0.5/", "/api/incidents/abc/timeline/", "/api/nothing-here/"):
        response = api("office").get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json" and "detail" in response.json()


def test_the_dashboards_declare_their_json_body_and_ids_are_integers(schema):
    """The dashboards' figures were declared with "No response body" (drf-spectacular could not
    guess a serializer); the notifications' id was an untyped string."""
    for path in ("/api/dashboard/active-by-level/", "/api/dashboard/incidents-by-category-month/",
                 "/api/dashboard/on-time-by-unit/", "/api/dashboard/due-next-24-hours/"):
        ok = schema["paths"][path]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"]["type"] == "object", path
    for path in ("/api/notifications/{id}/", "/api/incidents/{id}/reports/"):
        (param,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "path"]
        assert param["schema"]["type"] == "integer", path
