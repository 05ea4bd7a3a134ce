"""The Content-Security-Policy (issue 10, kind 11) in Chromium: the main pages of each role load
with no violation reported, and the behaviour moved out of inline attributes still works."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "office": ["/", "/incidents/", "/incidents/new/", "/reporting/board/", "/reporting/accountability/", "/dashboard/",
               "/org/", "/org/units/chengguan/edit/", "/reporting/notifications/", "/password/", "/api/docs/"],
    "station1": ["/", "/incidents/new/", "/incidents/{incident}/", "/password/"],
    "director": ["/", "/dashboard/", "/incidents/{incident}/"],
}


def _watch(page):
    """Every CSP violation the page reports, from the console and from the DOM event."""
    seen = []
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


@pytest.mark.parametrize("username", PAGES)
def test_the_main_pages_report_no_csp_violation(open_as, file_incident, username):
    incident = file_incident()
    page = open_as(username)
    violations = _watch(page)
    for path in PAGES[username]:
        response = page.goto(page.base + path.format(incident=incident.pk))
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert violations == [], f"{path}: {violations}"


def test_the_language_switch_and_print_button_work_without_inline_handlers(cast, open_as):
    page = open_as("office")
    violations = _watch(page)
    page.add_init_script("window.printed = 0; window.print = () => { window.printed += 1; };")  # no dialog
    page.goto(page.base + "/reporting/accountability/")
    page.click("[data-print]")
    assert page.evaluate("window.printed") == 1
    with page.expect_navigation():
        page.select_option("#language", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations == []
