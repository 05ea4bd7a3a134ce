"""Irreversible steps ask first (issue 12 item 1): a native <dialog> names the consequence, focus
starts on the safe choice, Escape cancels with nothing sent, and confirming sends the form with the
button that was pressed (static/js/confirm.js)."""

import pytest

from incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)


def _status(incident) -> str:
    return Incident.objects.get(pk=incident.pk).status


def _asks(page, button):
    button.click()
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert page.evaluate("document.getElementById('confirm-dialog').open")
    assert page.evaluate("document.activeElement.hasAttribute('data-confirm-cancel')")  # the safe choice
    return dialog


def test_activation_asks_escape_cancels_and_confirm_activates(cast, file_incident, to_state, open_as, shot):
    incident = to_state(file_incident(proposed_level=2), "verified")
    page = open_as("director")
    page.goto(f"{page.base}/incidents/{incident.pk}/")
    activate = page.locator("details:has(#action-activate) button[type=submit]")
    dialog = _asks(page, activate)
    assert "启动应急响应" in dialog.inner_text() and "不能撤销" in dialog.inner_text()  # the step and its consequence
    shot(page, "confirm-activate")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert _status(incident) == Incident.Status.VERIFIED  # nothing was sent
    assert page.url.endswith(f"/incidents/{incident.pk}/")
    assert page.evaluate("document.activeElement.textContent.trim()") == activate.inner_text().strip()
    assert not activate.is_disabled() and "disabled" not in (activate.get_attribute("class") or "")

    _asks(page, activate)
    with page.expect_navigation():
        page.locator("[data-confirm-ok]").click()
    assert _status(incident) == Incident.Status.ACTIVE


def test_submitting_the_first_report_from_the_form_asks_and_keeps_the_intent(cast, file_incident, open_as):
    draft = file_incident(proposed_level=3, draft=True)
    page = open_as("station1", phone=True)
    page.goto(f"{page.base}/incidents/{draft.pk}/edit/")
    submit = page.locator("button[name=intent][value=submit]")
    _asks(page, submit)
    page.locator("[data-confirm-cancel]").click()  # "Go back"
    assert not page.evaluate("document.getElementById('confirm-dialog').open")
    assert _status(draft) == Incident.Status.DRAFT
    _asks(page, submit)
    with page.expect_navigation():
        page.keyboard.press("Tab")  # from "Go back" to the confirm button, by keyboard
        page.keyboard.press("Enter")
    assert _status(draft) == Incident.Status.SUBMITTED  # intent=submit went with the form


def test_saving_a_draft_does_not_ask(cast, file_incident, open_as):
    draft = file_incident(proposed_level=3, draft=True)
    page = open_as("station1")
    page.goto(f"{page.base}/incidents/{draft.pk}/edit/")
    page.fill("#id_title", "草稿标题改过")
    with page.expect_navigation():
        page.locator("button[name=intent][value=draft]").click()
    assert not page.evaluate("document.getElementById('confirm-dialog') && document.getElementById('confirm-dialog').open")
    assert Incident.objects.get(pk=draft.pk).title == "草稿标题改过"
