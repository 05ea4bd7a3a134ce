"""Settings are read strictly: a bad value stops the process with a message naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from emergency.config import Config

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("word, expected", [("true", True), ("1", True), ("Yes", True), ("off", False), ("0", False)])
def test_bool_accepts_plain_words(word, expected):
    assert Config({"DEBUG": word}).bool("DEBUG", default=not expected) is expected


def test_bool_refuses_a_typo_instead_of_reading_it_as_false():
    with pytest.raises(ImproperlyConfigured, match="DEBUG='ture' is not a yes/no value"):
        Config({"DEBUG": "ture"}).bool("DEBUG", default=False)


def test_unset_or_empty_takes_the_default():
    assert Config({}).bool("DEBUG", default=True) is True
    assert Config({"CONN_MAX_AGE": ""}).int("CONN_MAX_AGE", default=7) == 7


def test_int_refuses_garbage_and_values_below_minimum():
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE='ten' is not a whole number"):
        Config({"CONN_MAX_AGE": "ten"}).int("CONN_MAX_AGE", default=0)
    with pytest.raises(ImproperlyConfigured, match="below the minimum 0"):
        Config({"CONN_MAX_AGE": "-5"}).int("CONN_MAX_AGE", default=0, minimum=0)


def test_choice_refuses_unknown_values():
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL='LOUD' is not one of"):
        Config({"LOG_LEVEL": "LOUD"}).choice("LOG_LEVEL", ("INFO", "DEBUG"), default="INFO")


def test_list_splits_on_commas_and_drops_blanks():
    assert Config({"ALLOWED_HOSTS": " a.gov.cn, ,b.gov.cn "}).list("ALLOWED_HOSTS") == ["a.gov.cn", "b.gov.cn"]


def test_database_url_is_parsed_and_garbage_refused():
    parsed = Config({"DATABASE_URL": "postgres://u:p@db:5432/portal"}).database("DATABASE_URL", default={})
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert (parsed["HOST"], parsed["PORT"], parsed["NAME"]) == ("db", 5432, "portal")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        Config({"DATABASE_URL": "nosuchdb://x"}).database("DATABASE_URL", default={})


def test_redis_url_must_be_a_redis_url():
    assert Config({"REDIS_URL": "redis://r:6379/0"}).url("REDIS_URL", ("redis", "rediss")) == "redis://r:6379/0"
    with pytest.raises(ImproperlyConfigured, match="must start with one of redis, rediss"):
        Config({"REDIS_URL": "http://r:6379"}).url("REDIS_URL", ("redis", "rediss"))


def test_a_FILE_variable_is_read_in_place_of_the_value(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    assert Config({"SECRET_KEY": "from-env", "SECRET_KEY_FILE": str(secret)}).str("SECRET_KEY") == "from-a-file"


def test_an_unreadable_FILE_variable_is_an_error(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE=.* cannot be read"):
        Config({"SECRET_KEY_FILE": str(tmp_path / "missing")}).str("SECRET_KEY")


def test_email_url_is_parsed():
    parsed = Config({"EMAIL_URL": "smtp+tls://user:pw@mail.example.gov.cn:587"}).email("EMAIL_URL", "consolemail://")
    assert parsed["EMAIL_HOST"] == "mail.example.gov.cn" and parsed["EMAIL_USE_TLS"] is True


def _start_django(**env):
    """Import the settings in a fresh process with exactly these variables."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "emergency.settings", **env},
        capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_to_start_with_the_default_secret_key():
    result = _start_django(DEBUG="false", ALLOWED_HOSTS="portal.example.gov.cn")
    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _start_django(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "set ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_real_secret_and_hosts():
    result = _start_django(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example.gov.cn")
    assert result.returncode == 0, result.stderr


def test_a_bad_value_stops_the_process_with_its_name():
    result = _start_django(DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a yes/no value" in result.stderr


def test_time_and_language_settings(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


def _database_settings(**env):
    """DATABASES["default"] as a fresh process reads it from these variables."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    result = subprocess.run(
        [sys.executable, "-c", "import json, django; django.setup(); from django.conf import settings; "
                               "d = settings.DATABASES['default']; print(json.dumps({k: d.get(k) for k in "
                               "('ENGINE', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'OPTIONS')}, default=str))"],
        cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "emergency.settings", **env},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout)


def test_postgresql_connections_run_without_jit_and_persist_for_conn_max_age():
    """Issue 13: JIT compilation off and random reads priced as in memory for the portal's queries;
    kept connections are health-checked."""
    found = _database_settings(DEBUG="true", DATABASE_URL="postgres://u:p@db:5432/portal", CONN_MAX_AGE="60")
    assert found["OPTIONS"]["options"] == "-c jit=off -c random_page_cost=1.1"
    assert found["CONN_MAX_AGE"] == 60 and found["CONN_HEALTH_CHECKS"] is True
    closed = _database_settings(DEBUG="true", DATABASE_URL="postgres://u:p@db:5432/portal")
    assert closed["CONN_MAX_AGE"] == 0 and closed["CONN_HEALTH_CHECKS"] is False
    # SQLite (development) knows no JIT: its options are left alone.
    sqlite = _database_settings(DEBUG="true")
    assert "options" not in sqlite["OPTIONS"]


def test_the_jit_setting_reaches_the_server(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
