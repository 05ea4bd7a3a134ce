"""Signing in and each role's home page, in Chinese and in English."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_with_the_right_password_reaches_home(cast, client):
    response = client.post("/login/", {"username": "station1", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert response.context["user"].username == "station1"


def test_a_wrong_password_is_refused_with_a_chinese_message(cast, client):
    response = client.post("/login/", {"username": "station1", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(cast, login):
    client = login("office")
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "username, chinese, english",
    [
        ("director", "领导小组组长", "leading group leader"),
        ("deputy", "指挥部总指挥", "HQ commander"),
        ("office", "30分钟", "within 30 minutes"),
        ("food", "科室工作人员", "section staff"),
        ("station1", "1小时", "within 1 hour"),
        ("admin", "系统管理员", "administrator"),
    ],
)
def test_each_role_sees_its_home_in_chinese_then_english(cast, login, username, chinese, english):
    client = login(username)
    page = client.get("/").content.decode()
    assert chinese in page, page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert english in page.replace("\n", " ").replace("  ", " ") or english.capitalize() in page


def test_an_account_in_no_unit_is_told_so(cast, login):
    assert "尚未归属本局任何单位" in login("outsider").get("/").content.decode()


def test_home_lists_the_users_units(cast, login):
    page = login("station1").get("/").content.decode()
    assert "城关市场监督管理所" in page


def test_organization_page_shows_the_plan(cast, login):
    page = login("station2").get("/org/").content.decode()
    assert "食品安全协调督查科" in page and "中牟县人民政府" in page
    detail = login("station2").get("/org/units/special_equipment/").content.decode()
    assert "负责我局特种设备突发事件应急预案的制订和实施工作" in detail


def test_organization_page_runs_a_constant_number_of_queries(cast, login, django_assert_max_num_queries):
    client = login("office")
    # 13: one of them says who is on duty in the top bar (duty.context_processors, issue 14).
    with django_assert_max_num_queries(13):
        assert client.get("/org/").status_code == 200


def test_health_check_answers_without_login(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.json() == {"database": "ok"}


def test_error_pages_are_chinese_with_a_way_back(cast, login):
    response = login("office").get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'href="/"' in page
