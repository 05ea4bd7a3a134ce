"""docs/permissions.md, "Early warning and releases": the table read from the document and checked
against the API, role by role. Each request runs in a savepoint rolled back after it, so every role
meets the same state."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from alerts import services
from alerts.models import Release
from tests.alerts.conftest import warning_fields

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
PEOPLE = ["director", "deputy", "office", "food", "station1", "press", "hotline", "outsider"]


def _table() -> dict[str, list[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Early warning and releases (issue 14)", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == len(PEOPLE) + 1 and cells[0] not in ("action", "---"):
            rows[cells[0]] = cells[1:]
    return rows


TABLE = _table()


def _release(cast, status):
    release = services.release_draft(actor=cast["hotline"], kind="consumer_warning", **warning_fields())
    if status in ("submitted", "approved"):
        services.release_submit(actor=cast["hotline"], release=release)
    if status == "approved":
        services.release_approve(actor=cast["director"], release=release)
    return release


def _deployment(cast):
    with time_machine.travel(datetime.datetime(2027, 1, 29, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=8))), tick=False):
        return services.open_deployments(today=datetime.date(2027, 1, 29))[0]


ACTIONS = {
    "draft a release": lambda cast: ("post", "/api/releases/", {"kind": "news", "title": "通稿", "body": "正文"}),
    "read a draft": lambda cast: ("get", f"/api/releases/{_release(cast, 'draft').pk}/", None),
    "change a draft": lambda cast: ("patch", f"/api/releases/{_release(cast, 'draft').pk}/", {"body": "改"}),
    "submit a draft for approval": lambda cast: ("post", f"/api/releases/{_release(cast, 'draft').pk}/submit/", {}),
    "approve a release": lambda cast: ("post", f"/api/releases/{_release(cast, 'submitted').pk}/approve/", {}),
    "return a release for changes": lambda cast: ("post", f"/api/releases/{_release(cast, 'submitted').pk}/return/",
                                                  {"reason": "再斟酌"}),
    "publish an approved release": lambda cast: ("post", f"/api/releases/{_release(cast, 'approved').pk}/publish/", {}),
    "report a deployment task done": lambda cast: ("post", f"/api/deployments/{_deployment(cast).pk}/complete-task/",
                                                   {"task": 3, "note": "已完成"}),
    "add a major event": lambda cast: ("page", reverse("alerts:event_new"), {
        "name": "农博会", "starts_on": "2027-06-10", "ends_on": "2027-06-12", "places": "会展中心"}),
    "edit the deployment tasks": lambda cast: ("page", reverse("alerts:template_new"), {
        "title": "价格监督检查", "owner_number": "12", "days_before": "2", "active": "on"}),
}


def test_the_table_names_every_action():
    assert set(TABLE) == set(ACTIONS)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_role_gets_the_answer_the_table_says(drafters, api, login, action):
    answers = {}
    for who in PEOPLE:
        with transaction.atomic():
            method, url, body = ACTIONS[action](drafters)
            if method == "page":
                status = login(who).post(url, body).status_code
                status = 200 if status == 302 else status
            else:
                response = getattr(api(who), method)(url, body, format="json") if body is not None else api(who).get(url)
                status = response.status_code
                if status == 403:
                    assert response.json()["detail"], (action, who)  # says who may
            answers[who] = "✓" if status in (200, 201) else str(status)
            transaction.set_rollback(True)
    assert [answers[who] for who in PEOPLE] == TABLE[action], answers
    assert Release.objects.count() == 0  # every change rolled back
