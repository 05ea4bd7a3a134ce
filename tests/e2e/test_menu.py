"""The top bar on a desktop and on a phone: every entry on one line, the standing duties and the
person's own links in menus that open, and who is on duty in a strip under it (issue 14)."""

import datetime

import pytest
from django.utils import timezone

from roles.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)

ENTRIES = "() => [...document.querySelectorAll('.portal-navbar .navbar-nav > .nav-item > .nav-link')]" \
          ".filter(a => a.offsetParent).map(a => { const r = a.getBoundingClientRect(); " \
          "return [a.textContent.trim(), r.top, r.height / parseFloat(getComputedStyle(a).lineHeight)]; })"


def test_the_menu_is_one_row_of_one_line_entries_with_menus_that_open(cast, open_as):
    from duty import roster

    now = timezone.now()
    roster.shift_create(actor=cast["office"], bureau=Unit.objects.get(code="bureau"), starts_at=now - datetime.timedelta(hours=1),
                        ends_at=now + datetime.timedelta(hours=8), leader=cast["director"], staff=[cast["office"]])
    page = open_as("office")
    page.goto(f"{page.base}/")
    entries = page.evaluate(ENTRIES)
    assert len(entries) >= 7, entries
    assert all(lines < 1.9 for _text, _top, lines in entries), entries  # no entry wraps onto a second line
    assert len({round(top) for _text, top, _height in entries}) == 1, entries  # all in one row
    assert "值班：office（带班：director）" in page.locator("#nav-duty").inner_text()

    page.click("#nav-standing")
    for name in ("值班", "预警与发布", "应急资源", "应急准备"):
        assert page.get_by_role("link", name=name, exact=True).is_visible(), name
    with page.expect_navigation():
        page.get_by_role("link", name="应急资源", exact=True).click()
    assert page.url.endswith("/resources/")
    page.click("#nav-user")
    assert page.get_by_role("link", name="修改密码").is_visible()
    assert page.get_by_role("button", name="退出登录").is_visible()


def test_on_a_phone_the_menu_folds_and_opens(cast, open_as):
    page = open_as("station1", phone=True)
    page.goto(f"{page.base}/")
    assert not page.locator("#nav-standing").is_visible()
    page.click(".navbar-toggler")
    page.locator("#nav-standing").click()
    with page.expect_navigation():
        page.get_by_role("link", name="值班", exact=True).click()
    assert page.url.endswith("/duty/")
