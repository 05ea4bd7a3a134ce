"""Issue 13 in the browser: the overdue board's refresh sends the state of the board it shows, an
unchanged board is answered 204 and stays on the page, and a change shows at the next refresh."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reporting.models import Kind, Obligation
from roles.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)

# The refresh the page runs every 15 seconds, run now (htmx.ajax from the same element, so the same
# htmx:configRequest handler adds the state).
REFRESH = "() => htmx.ajax('GET', document.querySelector('#board-live').getAttribute('hx-get'), " \
          "{source: '#board-live', target: '#board-live', swap: 'innerHTML'})"


def _is_refresh(response):
    return "/reporting/board/" in response.url and response.request.headers.get("hx-request") == "true"


def test_the_board_refresh_is_204_until_something_changes(cast, file_incident, open_as):
    incident = file_incident(title="看板刷新事件")
    office = open_as("office")
    office.goto(f"{office.base}/reporting/board/")
    assert office.locator("#board-rows tr", has_text="看板刷新事件").count() >= 1
    with office.expect_response(_is_refresh) as answer:
        office.evaluate(REFRESH)
    assert answer.value.status == 204 and answer.value.request.headers.get("x-board-state")
    assert office.locator("#board-rows tr", has_text="看板刷新事件").count() >= 1  # the page as it was

    now = timezone.now()
    Obligation.objects.create(incident=incident, kind=Kind.PROGRESS_REPORT, sequence=99, starts_at=now,
                              due_at=now + timedelta(minutes=5), owner_unit=Unit.objects.get(code="chengguan"))
    rows = office.locator("#board-rows tr", has_text="看板刷新事件").count()
    with office.expect_response(_is_refresh) as answer:
        office.evaluate(REFRESH)
    assert answer.value.status == 200
    office.wait_for_function(  # the new deadline's row is on the page, without a reload
        f"() => [...document.querySelectorAll('#board-rows tr')].filter(r => r.textContent.includes('看板刷新事件')).length > {rows}")
