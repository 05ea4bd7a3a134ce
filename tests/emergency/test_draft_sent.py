"""The server's word to static/js/drafts.js that a form was accepted (emergency.middleware.DraftSentMiddleware):
a redirect after a form POST sets the "draft_sent" cookie; a refused form, a login redirect or a GET do not.
The browser side is tested in tests/e2e/test_journeys.py."""

from urllib.parse import unquote

import pytest

pytestmark = pytest.mark.django_db


def test_an_accepted_form_names_its_user_and_path(file_incident, login, cast):
    incident = file_incident(proposed_level=2)
    response = login("station1").post(f"/incidents/{incident.pk}/supplement/", {"supplement-message": "又有2人就诊。"})
    assert response.status_code == 302
    sent = unquote(response.cookies["draft_sent"].value)
    assert sent == f"{cast['station1'].pk}:/incidents/{incident.pk}/supplement/"
    assert not response.cookies["draft_sent"]["httponly"]  # the page's script reads it


def test_a_refused_form_keeps_the_draft(file_incident, login):
    incident = file_incident(proposed_level=2)
    response = login("station1").post(f"/incidents/{incident.pk}/supplement/", {"supplement-message": ""})
    assert response.status_code == 400 and "draft_sent" not in response.cookies


def test_an_expired_session_keeps_the_draft(file_incident, login):
    incident = file_incident(proposed_level=2)
    client = login("anonymous")
    response = client.post(f"/incidents/{incident.pk}/supplement/", {"supplement-message": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "draft_sent" not in response.cookies


def test_pages_that_are_only_read_set_nothing(login, cast):
    assert "draft_sent" not in login("station1").get("/incidents/new/").cookies
