"""Signing in (issue 10, kind 7): lockout on both doors, the token endpoint's throttle, tokens that
expire and die at logout, a password-change page for everyone, validators that refuse demo1234."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from roles.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


@pytest.fixture
def no_throttle(settings):
    settings.API_TOKEN_THROTTLE_RATE = "1000/minute"  # to see axes' lockout alone


def _token(username="station1", password=PASSWORD):
    return APIClient().post("/api/token/", {"username": username, "password": password}, format="json")


def test_fifty_wrong_passwords_on_the_login_page_lock_that_user_name_at_that_address(cast, client, settings):
    statuses = [client.post("/login/", {"username": "station1", "password": f"wrong-{i}"}).status_code
                for i in range(50)]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[:limit - 1] == [200] * (limit - 1) and set(statuses[limit:]) == {429}
    response = client.post("/login/", {"username": "station1", "password": PASSWORD})  # even the right one
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another person at the same address is not locked out by someone else's guesses.
    assert client.post("/login/", {"username": "station2", "password": PASSWORD}).status_code == 302


def test_the_lock_lifts_after_the_cool_off_time(cast, client, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for i in range(settings.AXES_FAILURE_LIMIT):
            client.post("/login/", {"username": "station1", "password": f"wrong-{i}"})
        assert client.post("/login/", {"username": "station1", "password": PASSWORD}).status_code == 429
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1), tick=False):
        assert client.post("/login/", {"username": "station1", "password": PASSWORD}).status_code == 302


def test_fifty_wrong_passwords_on_the_token_endpoint_lock_it_too(cast, no_throttle):
    statuses = [_token(password=f"wrong-{i}").status_code for i in range(50)]
    assert statuses[0] == 400 and statuses[-1] == 429
    response = _token()  # the right password, too late
    assert response.status_code == 429 and LOCKED in response.json()["detail"]
    assert not Token.objects.filter(user__username="station1").exists()


def test_the_token_endpoint_is_throttled_per_address_across_user_names(cast, settings):
    settings.API_TOKEN_THROTTLE_RATE = "3/minute"
    statuses = [_token(username=name, password="wrong").status_code for name in ("a", "b", "c", "d")]
    assert statuses == [400, 400, 400, 429]
    assert "detail" in _token().json()  # JSON, as every /api/ answer


def test_a_token_expires_after_api_token_hours(cast, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        body = _token().json()
        key = body["token"]
        assert body["expires_at"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with time_machine.travel(start + timedelta(hours=settings.API_TOKEN_HOURS) - timedelta(minutes=1), tick=False):
        assert client.get("/api/me/").status_code == 200
    with time_machine.travel(start + timedelta(hours=settings.API_TOKEN_HOURS, minutes=1), tick=False):
        assert client.get("/api/me/").status_code == 401
        assert not Token.objects.filter(key=key).exists()
        fresh = _token().json()["token"]
    assert fresh != key


def test_a_token_dies_when_its_user_logs_out_of_the_pages(cast, client):
    key = _token().json()["token"]
    client.post("/login/", {"username": "station1", "password": PASSWORD})
    client.post("/logout/")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/me/").status_code == 401


def test_delete_on_the_token_endpoint_logs_the_api_client_out(cast):
    key = _token().json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete("/api/token/").status_code == 204
    assert api.get("/api/me/").status_code == 401
    assert APIClient().delete("/api/token/").status_code == 401


def test_a_station_user_changes_their_own_password(cast, login):
    client = login("station1")
    page = client.get("/")
    assert 'href="/password/"' in page.content.decode()  # in the user menu
    assert client.get("/password/").status_code == 200
    new = "Zhengzhou-station-2026"
    response = client.post("/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response["Location"] == "/password/done/"
    assert User.objects.get(username="station1").check_password(new)
    assert client.get("/password/done/").status_code == 200  # still signed in here


def test_the_password_change_page_refuses_demo1234_and_a_wrong_old_password(cast, login):
    client = login("station1")
    response = client.post("/password/", {"old_password": PASSWORD, "new_password1": "demo1234",
                                          "new_password2": "demo1234"})
    assert response.status_code == 200 and "密码太短" in response.content.decode()
    response = client.post("/password/", {"old_password": "not-it", "new_password1": "Zhengzhou-station-2026",
                                          "new_password2": "Zhengzhou-station-2026"})
    assert response.status_code == 200
    assert User.objects.get(username="station1").check_password(PASSWORD)


@pytest.mark.parametrize("password", ["demo1234", "password123", "1234567890"])
def test_the_validators_refuse_weak_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_anonymous_visitors_are_sent_to_log_in_for_the_password_page(client):
    response = client.get("/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_malformed_throttle_rate_stops_the_process_with_its_name():
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], capture_output=True, text=True,
                            env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "emergency.settings",
                                 "DEBUG": "true", "API_TOKEN_THROTTLE_RATE": "20 per minute"}, timeout=60)
    assert result.returncode != 0 and "API_TOKEN_THROTTLE_RATE='20 per minute'" in result.stderr
