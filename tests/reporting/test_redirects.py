"""Issue 10, kind 6: a `next` sends the browser back only within this site
(url_has_allowed_host_and_scheme, in common.redirects.safe_next)."""

import pytest

from reporting.delivery import notify

pytestmark = pytest.mark.django_db

OUTSIDE = [
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " https://evil.example/",
    "data:text/html,<script>alert(1)</script>",
    "http://testserver@evil.example/",
    "https:evil.example",
]


@pytest.fixture
def note(cast):
    return notify([cast["office"]], step="station_report", title="城关市场监督管理所报送了续报")[0]


@pytest.mark.parametrize("wanted", OUTSIDE)
def test_marking_a_notification_read_never_leaves_the_site(note, login, wanted):
    response = login("office").post(f"/reporting/notifications/{note.pk}/read/", {"next": wanted})
    assert response.status_code == 302
    assert response["Location"] == "/reporting/notifications/"
    note.refresh_from_db()
    assert note.read_at is not None  # the notification is still marked read


@pytest.mark.parametrize("wanted", ["/incidents/1/", "/reporting/board/?level=2", "http://testserver/incidents/"])
def test_a_next_within_the_site_is_followed(note, login, wanted):
    response = login("office").post(f"/reporting/notifications/{note.pk}/read/", {"next": wanted})
    assert response.status_code == 302 and response["Location"] == wanted


def test_the_language_switch_and_sign_in_stay_on_the_site_too(cast, client):
    # Django's own views behind the other `next`s of the portal (base.html, login.html) check it.
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]
    response = client.post("/login/?next=//evil.example", {"username": "office", "password": "test-password-123",
                                                            "next": "//evil.example"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_safe_next_reads_get_too_and_falls_back_to_a_url_name(rf):
    from common.redirects import safe_next

    assert safe_next(rf.get("/x", {"next": "/incidents/"}), "home") == "/incidents/"
    assert safe_next(rf.get("/x", {"next": "https://evil.example/"}), "home") == "/"
    assert safe_next(rf.post("/x", {"next": "http://testserver/a/"}, secure=True), "home") == "/"  # no https → http
