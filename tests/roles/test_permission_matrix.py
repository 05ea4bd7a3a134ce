"""The permission matrix of docs/permissions.md, role by role and action by action.

Each action is a request; the expected answer is the HTTP status. For the edits, a refused
request must also leave the data as it was. Later issues add rows here and in the doc.
"""

import pytest

from roles.models import Contact, Unit

pytestmark = pytest.mark.django_db

PEOPLE = ["director", "deputy", "office", "food", "station1", "station2", "admin", "outsider", "anonymous"]

# action: expected status for each of PEOPLE, in that order.
#            director deputy office food station1 station2 admin outsider anonymous
MATRIX = {
    "view home":                  [200, 200, 200, 200, 200, 200, 200, 200, 302],
    "view organization":          [200, 200, 200, 200, 200, 200, 200, 403, 302],
    "view a unit":                [200, 200, 200, 200, 200, 200, 200, 403, 302],
    "edit station1's contacts":   [403, 403, 302, 403, 302, 403, 302, 403, 302],
    "edit outside contacts":      [403, 403, 302, 403, 403, 403, 302, 403, 302],
    "api: who am I":              [200, 200, 200, 200, 200, 200, 200, 200, 401],
    "administration site":        [302, 302, 302, 302, 302, 302, 200, 302, 302],
    "view the duty roster":       [200, 200, 200, 200, 200, 200, 200, 403, 302],
    "plan a duty shift":          [403, 403, 302, 403, 403, 403, 403, 403, 302],
    "api: who is on duty":        [200, 200, 200, 200, 200, 200, 200, 404, 401],
}

NEW_PHONE = "0371-62100000"


def _request(action, login, api, who):
    if action == "view home":
        return login(who).get("/")
    if action == "view organization":
        return login(who).get("/org/")
    if action == "view a unit":
        return login(who).get("/org/units/office/")
    if action == "edit station1's contacts":
        return login(who).post("/org/units/chengguan/edit/", {"phone": NEW_PHONE, "fax": "", "email": "", "address": ""})
    if action == "edit outside contacts":
        return login(who).post(
            "/org/contacts/county_government/edit/", {"phone": NEW_PHONE, "fax": "", "email": "", "address": "", "notes": ""}
        )
    if action == "api: who am I":
        return api(who).get("/api/me/")
    if action == "administration site":
        return login(who).get("/admin/")
    if action == "view the duty roster":
        return login(who).get("/duty/")
    if action == "plan a duty shift":
        from datetime import timedelta

        from django.utils import timezone

        start = timezone.localtime() + timedelta(days=1)
        return login(who).post("/duty/shifts/new/", {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M")})
    if action == "api: who is on duty":
        return api(who).get("/api/duty/now/")
    raise AssertionError(action)


def _state():
    from duty.models import Shift

    return Unit.objects.get(code="chengguan").phone, Contact.objects.get(code="county_government").phone, Shift.objects.count()


@pytest.mark.parametrize(
    "action, who, expected",
    [(action, who, row[i]) for action, row in MATRIX.items() for i, who in enumerate(PEOPLE)],
)
def test_permission_matrix(cast, login, api, action, who, expected):
    before = _state()
    response = _request(action, login, api, who)
    assert response.status_code == expected, f"{who} → {action}: {response.status_code}"
    if expected != 302 and action.startswith(("edit", "plan")):
        assert _state() == before, "a refused edit changed data"


def test_the_matrix_in_the_docs_is_this_matrix():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text(encoding="utf-8")
    for action, row in MATRIX.items():
        line = next((line for line in doc.splitlines() if line.startswith(f"| {action} |")), None)
        assert line, f"docs/permissions.md has no row for {action!r}"
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")][1:]
        assert cells == [str(code) for code in row], f"docs/permissions.md row {action!r} differs from the test"


def test_a_refusal_says_who_may(cast, login):
    response = login("station2").get("/org/units/chengguan/edit/")
    assert response.status_code == 403
    assert "办公室" in response.content.decode()  # "only the unit's own staff, the office or an administrator"


def test_an_outsider_is_told_to_ask_for_a_unit(cast, login):
    response = login("outsider").get("/org/")
    assert response.status_code == 403
    assert "管理员" in response.content.decode()


def test_an_unknown_unit_is_404(cast, login):
    assert login("office").get("/org/units/no-such-unit/").status_code == 404
    assert login("office").get("/org/units/no-such-unit/edit/").status_code == 404


def test_a_successful_edit_is_saved(cast, login):
    response = login("station1").post(
        "/org/units/chengguan/edit/", {"phone": NEW_PHONE, "fax": "", "email": "chengguan@example.gov.cn", "address": ""}
    )
    assert response.status_code == 302
    unit = Unit.objects.get(code="chengguan")
    assert (unit.phone, unit.email) == (NEW_PHONE, "chengguan@example.gov.cn")


def test_bad_input_is_explained_in_chinese_and_changes_nothing(cast, login):
    response = login("office").post(
        "/org/contacts/city_bureau/edit/", {"phone": NEW_PHONE, "fax": "", "email": "not-an-email", "address": "", "notes": ""}
    )
    assert response.status_code == 200
    assert "请输入合法的邮件地址" in response.content.decode()  # Django's own Chinese message
    contact = Contact.objects.get(code="city_bureau")
    assert (contact.phone, contact.email) == ("", "")
