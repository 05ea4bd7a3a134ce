"""Issue 15 in the browser, on a phone: the commander (the deputy director in charge) of an incident
activated at Ⅰ opens the readiness view from the incident page, sees what is ready, where and who
keeps it (tap to call), dispatches the rapid-testing vehicle, and the incident's timeline shows it."""

import pytest

from resources.models import Dispatch, Resource
from tests.resources.conftest import active_i, county, items, points  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_the_commander_at_level_i_dispatches_the_testing_vehicle_from_a_phone(cast, items, active_i, open_as, shot):
    vehicle = items["vehicle"]
    page = open_as("deputy", phone=True)
    page.goto(f"{page.base}/incidents/{active_i.pk}/")
    panel = page.locator("#resources-panel").locator("xpath=..")
    assert "执法车辆、通讯、检测设备处于备用状态" in panel.inner_text()
    with page.expect_navigation():
        panel.get_by_role("link", name="应急资源备用与调拨").click()
    assert "/resources/readiness/" in page.url
    assert page.evaluate(FITS), "the readiness view scrolls sideways on a phone"
    row = page.locator(f'[data-resource="{vehicle.pk}"]')
    assert "食品快检车" in row.inner_text()
    assert page.locator('a[href="tel:0371-62100001"]').first.is_visible()
    assert "王库管" in page.content()
    shot(page, "readiness-1-phone")

    with page.expect_navigation():
        row.get_by_role("button", name="调拨").click()
    assert "已调拨至事件" in page.content()
    assert "已调拨至本事件" in page.content()
    assert page.locator(f'[data-resource="{vehicle.pk}"]').count() == 0  # no longer offered
    dispatch = Dispatch.objects.get()
    assert dispatch.resource_id == vehicle.pk and dispatch.incident_id == active_i.pk
    assert dispatch.dispatched_by == cast["deputy"]
    assert Resource.objects.get(pk=vehicle.pk).status == Resource.Status.DISPATCHED
    shot(page, "readiness-2-dispatched")

    page.goto(f"{page.base}/incidents/{active_i.pk}/")
    entry = page.locator('[data-kind="resource_dispatched"]')
    assert entry.count() == 1 and "应急资源调拨" in entry.inner_text() and "食品快检车" in entry.inner_text()
    assert page.evaluate(FITS)
    shot(page, "readiness-3-timeline")
