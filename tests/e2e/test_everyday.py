"""Everyday rough edges a person notices in the browser (issue 12, items 6, 7 and 8)."""

import pytest
from django.utils import timezone

from reporting.models import Obligation

pytestmark = pytest.mark.django_db(transaction=True)


def test_next_24_hours_shows_the_bureau_time_in_a_london_browser(cast, file_incident, open_as):
    incident = file_incident(proposed_level=2)  # the office owes the upward report within 30 minutes
    due = Obligation.objects.filter(incident=incident, status=Obligation.Status.PENDING).order_by("due_at").first().due_at
    local = timezone.localtime(due)  # Asia/Shanghai: London is 7 or 8 hours behind
    page = open_as("office", timezone_id="Europe/London")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Europe/London"
    page.goto(f"{page.base}/dashboard/")
    page.wait_for_function("() => document.querySelectorAll('#chart-due-items li').length > 0", timeout=15000)
    assert local.strftime("%Y-%m-%d %H:%M") in page.locator("#chart-due-items").inner_text()
    page.goto(f"{page.base}/reporting/board/")
    assert local.strftime("%m-%d %H:%M") in page.locator("table").first.inner_text()
