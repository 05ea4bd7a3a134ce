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
