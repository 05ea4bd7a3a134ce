import pytest
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_for_the_right_password(cast):
    response = APIClient().post("/api/token/", {"username": "office", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/me/")
    assert me.status_code == 200 and me.json()["username"] == "office"


def test_no_token_for_a_wrong_password(cast):
    response = APIClient().post("/api/token/", {"username": "office", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/me/").status_code == 401


def test_me_lists_units_and_roles(api):
    data = api("station1").get("/api/me/").json()
    assert data["roles"] == ["station_staff"]
    assert [(u["code"], u["kind"]) for u in data["units"]] == [("chengguan", "station")]
    assert data["units"][0]["name"] == "城关市场监督管理所"
    director = api("director").get("/api/me/").json()
    assert director["roles"] == ["leading_group_leader", "leading_group_member"]
    assert director["units"][0]["role"] == "leader"


def test_me_without_credentials_is_401_with_json_detail():
    response = APIClient().get("/api/me/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_openapi_schema_and_local_swagger_ui(cast, login):
    client = login("office")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/me/" in schema.content and b"/api/token/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page and "cdn" not in page.lower()
