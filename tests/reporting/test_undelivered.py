"""Failures nobody saw (issue 16, item 5): the office sees undelivered and failing messages on its
home page and the overdue board, with the reason, and sends them again; nobody else may."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from incidents import services as incidents
from incidents.services import InvalidTransition
from reporting import delivery
from reporting.models import Kind, Obligation
from reporting.services import outbox_resend
from reporting.sweep import sweep_due
from roles.models import Unit
from tests.fakes import RobotServer
from tests.reporting.deadlines import deadline_outbox

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(timezone.datetime(2026, 11, 20, 9, 0))


@pytest.fixture
def robot(monkeypatch):
    cache.clear()
    # The fake robot listens on loopback, which the send-time SSRF check refuses by design (tested in
    # tests/roles/test_webhooks.py): waved through here.
    monkeypatch.setattr("roles.webhooks.check_webhook_url", lambda url: None)
    with RobotServer() as server:
        Unit.objects.filter(code="chengguan").update(robot_webhook_url=server.url)
        yield server


@pytest.fixture
def failed(cast, categories, robot):
    """station1's robot refused the half-time reminder ten times: given up."""
    with time_machine.travel(T0, tick=False):
        incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                title="12315转来:某超市销售过期食品", category=categories["food_safety"], proposed_level=2)
    assert Obligation.objects.filter(kind=Kind.FIRST_REPORT).exists()
    robot.errcode = 93000
    sweep_due(now=T0 + timedelta(minutes=30))
    row = deadline_outbox().get(channel="webhook")
    deadline_outbox().filter(pk=row.pk).update(attempts=delivery.MAX_ATTEMPTS - 1)
    assert delivery.deliver(row.pk) is False
    row.refresh_from_db()
    assert row.state == "failed"
    return row


@pytest.mark.parametrize("page", ["/", "/reporting/board/"])
def test_the_office_sees_the_failed_message_with_its_reason_and_a_send_again_button(failed, login, page):
    html = login("office").get(page).content.decode()
    assert "未送达的消息" in html and "已尝试 10 次，已放弃。" in html and "errcode 93000" in html
    assert "重新发送" in html and f"/reporting/outbox/{failed.pk}/resend/" in html
    assert "127.0.0.1" in html and "key=test" not in html  # the robot's host, never its secret key


def test_a_message_still_being_retried_shows_as_failing(cast, categories, robot, login):
    with time_machine.travel(T0, tick=False):
        incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                title="某超市", category=categories["food_safety"], proposed_level=2)
    robot.status = 500
    sweep_due(now=T0 + timedelta(minutes=30))
    assert delivery.deliver(deadline_outbox().get(channel="webhook").pk) is False
    html = login("office").get("/").content.decode()
    assert "已失败 1 次，将于" in html and "HTTP 500" in html


@pytest.mark.parametrize("who", ["station1", "director", "food"])
def test_nobody_but_the_office_sees_them_or_may_send_again(failed, login, cast, who):
    client = login(who)
    assert "未送达的消息" not in client.get("/").content.decode()
    assert client.post(f"/reporting/outbox/{failed.pk}/resend/").status_code == 403
    with pytest.raises(PermissionDenied):
        outbox_resend(actor=cast[who], outbox=failed)
    failed.refresh_from_db()
    assert failed.state == "failed"


def test_send_again_queues_it_and_it_is_delivered(failed, login, robot, django_capture_on_commit_callbacks):
    robot.errcode = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = login("office").post(f"/reporting/outbox/{failed.pk}/resend/", {"next": "/reporting/board/"})
    assert response.status_code == 302 and response["Location"] == "/reporting/board/"
    failed.refresh_from_db()
    assert failed.state == "sent" and failed.attempts == 1 and len(robot.received) == 1
    assert not robot.received[0].startswith("重发")  # it never arrived: no resend mark


def test_send_again_of_a_message_of_unknown_outcome_keeps_the_resend_mark(failed, cast, robot,
                                                                          django_capture_on_commit_callbacks):
    attempted = timezone.now() - timedelta(hours=1)
    deadline_outbox().filter(pk=failed.pk).update(state="uncertain", attempted_at=attempted, resend_of_at=None)
    robot.errcode = 0
    with django_capture_on_commit_callbacks(execute=True):
        outbox_resend(actor=cast["office"], outbox=failed)
    failed.refresh_from_db()
    assert failed.state == "sent" and failed.resend_of_at == attempted
    assert robot.received[0].startswith("重发：原定于")


def test_send_again_refuses_a_delivered_or_queued_message(failed, cast, login):
    deadline_outbox().filter(pk=failed.pk).update(state="queued")
    with pytest.raises(InvalidTransition):
        outbox_resend(actor=cast["office"], outbox=failed)
    deadline_outbox().filter(pk=failed.pk).update(state="sent", sent_at=timezone.now())
    assert login("office").post(f"/reporting/outbox/{failed.pk}/resend/").status_code == 302  # with a message
    failed.refresh_from_db()
    assert failed.state == "sent"


def test_send_again_goes_back_only_to_this_site(failed, login):
    response = login("office").post(f"/reporting/outbox/{failed.pk}/resend/", {"next": "https://evil.example/"})
    assert response["Location"] == "/reporting/board/"
