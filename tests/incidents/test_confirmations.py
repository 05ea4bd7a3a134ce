"""Irreversible steps carry their question (issue 12 item 1; the browser side is
tests/e2e/test_confirm.py), and the end of the emergency is the last, closed card of the page."""

import re

import pytest

from incidents import services

pytestmark = pytest.mark.django_db


def _confirming_buttons(page: str) -> list[str]:
    return re.findall(r'<button[^>]*data-confirm="([^"]+)"[^>]*>([^<]*)</button>', page)


def test_the_station_is_asked_before_submitting_its_first_report(file_incident, login):
    draft = file_incident(draft=True)
    for path in (f"/incidents/{draft.pk}/", f"/incidents/{draft.pk}/edit/"):
        page = login("station1").get(path).content.decode()
        asked = _confirming_buttons(page)
        assert len(asked) == 1 and "不能修改" in asked[0][0], path
        assert 'id="confirm-dialog"' in page and "js/confirm.js" in page
    edit = login("station1").get(f"/incidents/{draft.pk}/edit/").content.decode()
    assert not re.search(r'value="draft"[^>]*data-confirm', edit)  # a draft is saved without asking


def test_the_leader_is_asked_before_activating_or_declining(file_incident, to_state, login):
    incident = to_state(file_incident(proposed_level=2), "verified")
    asked = dict((label.strip(), text) for text, label in _confirming_buttons(
        login("director").get(f"/incidents/{incident.pk}/").content.decode()))
    assert set(asked) == {"启动", "不启动"}
    assert "不能撤销" in asked["启动"] and "常规程序" in asked["不启动"]


def test_the_end_is_asked_and_comes_last_and_closed(file_incident, to_state, login, cast):
    incident = to_state(file_incident(proposed_level=2), "active")
    services.incident_summary_submit(actor=cast["deputy"], incident=incident, summary="处置工作总结。")
    page = login("director").get(f"/incidents/{incident.pk}/").content.decode()
    cards = re.findall(r'<details class="card mb-2 action-card"( open)?>\s*<summary[^>]*id="action-([a-z_]+)"', page)
    assert cards[-1] == ("", "end")  # last, and not open: the response's work comes first
    assert any("终报" in text for text, _label in _confirming_buttons(page))


def test_reports_are_asked_before_they_go(file_incident, login):
    incident = file_incident(proposed_level=2)
    asked = _confirming_buttons(login("office").get(f"/incidents/{incident.pk}/").content.decode())
    assert any("更正" in text and "提交报告" in label for text, label in asked), asked
