"""Deployment headers (issue 10, kind 11): CSP, Permissions-Policy, HSTS when cookies are secure,
`check --deploy` clean with production settings, and request bodies bounded before anything reads them."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "emergency.example.gov.cn"}


def _run(args, **env):
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
            "DJANGO_SETTINGS_MODULE": "emergency.settings"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True,
                          timeout=120)


# drf-spectacular's schema warnings (drf_spectacular.W001/W002) are about the API's description, not the
# deployment; issue 10 kind 10 ("contract drift") fixes them. Everything else must be silent.
SCHEMA_CHECKS = re.compile(r"\(drf_spectacular\.W00\d\)")


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    problems = [line for line in result.stderr.splitlines() + result.stdout.splitlines()
                if re.search(r"\([\w.]+\.[WE]\d+\)", line) and not SCHEMA_CHECKS.search(line)]
    assert problems == [], "\n".join(problems)
    assert "Traceback" not in result.stderr, result.stderr


# /api/me/ answers 401 in JSON without a database or collected static files (production's manifest
# storage would need collectstatic to draw a page); the middleware adds the same headers to every answer.
HEADERS = """
import json, django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="emergency.example.gov.cn").get("/api/me/", secure=True)
insecure = Client(HTTP_HOST="emergency.example.gov.cn").get("/api/me/")
health = Client(HTTP_HOST="emergency.example.gov.cn").get("/healthz/")
print(json.dumps({"headers": dict(response.headers), "status": response.status_code,
                  "insecure": [insecure.status_code, insecure.get("Location", "")], "health": health.status_code}))
"""


def _production_response(tmp_path, **env):
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = _run(["-c", HEADERS], **PRODUCTION, DATABASE_URL=database, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_csp_and_permissions_policy_and_redirects_plain_http(tmp_path):
    answer = _production_response(tmp_path, SECURE_COOKIES="true")
    headers = answer["headers"]
    assert answer["status"] == 401
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    assert answer["insecure"] == [301, "https://emergency.example.gov.cn/api/me/"]
    assert answer["health"] in (200, 503)  # the container's health check is not redirected


def test_no_hsts_on_a_plain_http_intranet(tmp_path):
    answer = _production_response(tmp_path, SECURE_COOKIES="false")
    assert "Strict-Transport-Security" not in answer["headers"]
    assert answer["insecure"][0] == 401
    assert "Content-Security-Policy" in answer["headers"]


TEMPLATES = ROOT / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+=|\sstyle=\"|javascript:", re.I)


def test_no_template_served_as_a_page_has_inline_script_or_style():
    """The CSP forbids them; reporting/documents/ are WeasyPrint's input, never served as HTML."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if "documents" in path.relative_to(TEMPLATES).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            # `style=` inside {% include … style="danger" %} is a template argument, not HTML.
            line = re.sub(r"{%.*?%}|{#.*?#}", "", line)
            if INLINE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert found == []


@pytest.mark.django_db
def test_a_json_body_over_the_limit_is_a_json_413_before_it_is_read(cast, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"title": "x" * 2000})
    response = api("station1").generic("POST", "/api/incidents/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json" and "detail" in response.json()


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_a_413_page(cast, login, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.REQUEST_MAX_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    response = login("station1").post("/incidents/new/", {"title": "x", "files": [big]})
    assert response.status_code == 413 and "过大" in response.content.decode()


def test_the_compose_file_documents_the_proxys_body_limit():
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "client_max_body_size" in compose and "REQUEST_MAX_MB" in compose
