"""Group-robot webhooks (issue 10, kind 5: SSRF): who may set them, which addresses are refused
when saved, and that the worker checks again right before it posts.

Name resolution is replaced (monkeypatch on socket.getaddrinfo): no test asks the Internet.
"""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import services as incidents
from reporting.delivery import deliver
from reporting.models import Kind, Obligation, Outbox
from reporting.sweep import sweep_due
from roles.models import Unit
from roles.services import unit_update_contacts
from roles.webhooks import check_webhook_url, webhook_target_allowed
from tests.incidents.conftest import categories  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.django_db

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
PUBLIC = "101.91.22.57"  # a public address, as WeCom's host resolves to


@pytest.fixture
def resolves_to(monkeypatch):
    """resolves_to("10.0.0.5", ...) → every host name now resolves to those addresses."""
    asked = []

    def _set(*addresses):
        def fake_getaddrinfo(host, port, *args, **kwargs):
            asked.append(host)
            family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
            return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

        monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
        return asked

    return _set


def test_a_public_wecom_address_passes(resolves_to):
    asked = resolves_to(PUBLIC)
    check_webhook_url(WECOM)
    assert asked == ["qyapi.weixin.qq.com"]
    assert webhook_target_allowed("https://oapi.dingtalk.com/robot/send?access_token=x")


@pytest.mark.parametrize("address", [
    "127.0.0.1", "169.254.169.254", "10.1.2.3", "192.168.1.1", "172.16.0.9", "100.64.0.1", "0.0.0.0",
    "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1", "240.0.0.1",
])
def test_an_allowed_host_resolving_to_an_internal_address_is_refused(resolves_to, address):
    resolves_to(PUBLIC, address)  # one bad answer among good ones is enough
    with pytest.raises(ValidationError) as refused:
        check_webhook_url(WECOM)
    assert refused.value.code == "internal"
    assert not webhook_target_allowed(WECOM)


@pytest.mark.parametrize("url, code", [
    ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "scheme"),
    ("ftp://qyapi.weixin.qq.com/robot", "scheme"),
    ("https://127.0.0.1:8000/hook", "host"),
    ("https://169.254.169.254/latest/meta-data/", "host"),
    ("https://qyapi.weixin.qq.com.evil.example/hook", "host"),
    ("https://evil.example/?qyapi.weixin.qq.com", "host"),
    ("https://qyapi.weixin.qq.com@127.0.0.1/hook", "invalid"),
    ("https://user:pw@qyapi.weixin.qq.com/hook", "invalid"),
    ("https://qyapi.weixin.qq.com:99999/hook", "invalid"),
])
def test_wrong_schemes_and_hosts_are_refused_before_any_lookup(resolves_to, url, code):
    asked = resolves_to(PUBLIC)
    with pytest.raises(ValidationError) as refused:
        check_webhook_url(url)
    assert refused.value.code == code and asked == []


def test_a_name_that_does_not_resolve_is_refused(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(ValidationError) as refused:
        check_webhook_url(WECOM)
    assert refused.value.code == "resolve"


def test_the_allow_list_is_a_setting(resolves_to, settings):
    resolves_to(PUBLIC)
    settings.ROBOT_WEBHOOK_HOSTS = ["robot.example.gov.cn"]
    check_webhook_url("https://robot.example.gov.cn/hook")
    with pytest.raises(ValidationError):
        check_webhook_url(WECOM)


def test_station_staff_cannot_set_their_units_webhook(cast, resolves_to, login):
    resolves_to(PUBLIC)
    chengguan = Unit.objects.get(code="chengguan")
    with pytest.raises(PermissionDenied):
        unit_update_contacts(actor=cast["station1"], unit=chengguan, robot_webhook_url=WECOM)
    # The page does not offer the field to them; a forged field is ignored, the phone still saved.
    client = login("station1")
    assert "robot_webhook_url" not in client.get("/org/units/chengguan/edit/").content.decode()
    response = client.post("/org/units/chengguan/edit/", {"phone": "0371-1", "fax": "", "email": "", "address": "",
                                                          "robot_webhook_url": "http://127.0.0.1:8080/"})
    assert response.status_code == 302
    chengguan.refresh_from_db()
    assert (chengguan.phone, chengguan.robot_webhook_url) == ("0371-1", "")


def test_the_office_sets_a_good_webhook_and_is_told_why_a_bad_one_is_refused(cast, resolves_to, login):
    resolves_to(PUBLIC)
    client = login("office")
    form = {"phone": "", "fax": "", "email": "", "address": ""}
    response = client.post("/org/units/chengguan/edit/", {**form, "robot_webhook_url": "http://169.254.169.254/latest"})
    assert response.status_code == 200 and "https://" in response.content.decode()  # 只接受 https:// 地址
    assert Unit.objects.get(code="chengguan").robot_webhook_url == ""
    resolves_to("127.0.0.1")  # a name that points home
    response = client.post("/org/units/chengguan/edit/", {**form, "robot_webhook_url": WECOM})
    assert response.status_code == 200 and Unit.objects.get(code="chengguan").robot_webhook_url == ""
    resolves_to(PUBLIC)
    response = client.post("/org/units/chengguan/edit/", {**form, "robot_webhook_url": WECOM})
    assert response.status_code == 302 and Unit.objects.get(code="chengguan").robot_webhook_url == WECOM


def test_the_admin_form_validates_too(cast, resolves_to):
    resolves_to("10.0.0.8")
    unit = Unit.objects.get(code="chengguan")
    unit.robot_webhook_url = WECOM
    with pytest.raises(ValidationError) as refused:
        unit.full_clean()
    assert "robot_webhook_url" in refused.value.message_dict


def test_the_worker_checks_again_before_posting(cast, categories, resolves_to, monkeypatch):
    """Saved while it resolved to a public address; now it points at the metadata service."""
    t0 = timezone.make_aware(timezone.datetime(2026, 11, 20, 9, 0))
    with time_machine.travel(t0, tick=False):
        incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                           title="12315转来:某超市销售过期食品", category=categories["food_safety"],
                                           proposed_level=2)
    Unit.objects.filter(code="chengguan").update(robot_webhook_url=WECOM)
    posted = []
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: posted.append(a) or pytest.fail("posted"))
    resolves_to("169.254.169.254")
    sweep_due(now=t0 + timedelta(minutes=30))
    row = Outbox.objects.get(channel="webhook", obligation__incident=incident)
    assert Obligation.objects.filter(incident=incident, kind=Kind.FIRST_REPORT).exists()
    assert deliver(row.pk) is False
    row.refresh_from_db()
    assert posted == [] and row.sent_at is None and "内部网络地址" in row.last_error  # refused, with the reason
