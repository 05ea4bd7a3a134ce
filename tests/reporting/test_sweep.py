"""The beat sweep at set times: reminders, overdue marks, escalation, each once; delivery once."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from incidents import services as incidents
from reporting.delivery import deliver
from reporting.models import Kind, Notification, Obligation, SweepHeartbeat
from reporting.sweep import heartbeat_is_stale, sweep_due
from roles.models import Unit
from tests.reporting.deadlines import deadline_outbox

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(timezone.datetime(2026, 11, 20, 9, 0))


@pytest.fixture
def registered(cast, categories):
    """An incident the office registered at T0: station1 owes the first report by T0 + 1 h."""
    with time_machine.travel(T0, tick=False):
        incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                           title="12315转来:某超市销售过期食品", category=categories["food_safety"],
                                           proposed_level=2)
    return Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)


def _steps(obligation):
    return sorted(set(deadline_outbox().filter(obligation=obligation).values_list("step", flat=True)))


def test_nothing_is_done_before_time(registered):
    result = sweep_due(now=T0 + timedelta(minutes=29))
    assert result.marked_overdue == [] and result.messages == 0
    assert not deadline_outbox().exists()


def test_reminder_at_half_time_then_shortly_before_then_overdue_then_escalation(registered, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sweep_due(now=T0 + timedelta(minutes=30))
    assert _steps(registered) == ["reminder_half"]
    # The station's staff got it in the app (delivery ran through the queued task).
    assert Notification.objects.filter(user=cast["station1"], step="reminder_half").count() == 1
    assert not Notification.objects.filter(user=cast["office"]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        sweep_due(now=T0 + timedelta(minutes=50))
    assert _steps(registered) == ["reminder_half", "reminder_soon"]

    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_due(now=T0 + timedelta(minutes=60))
    registered.refresh_from_db()
    assert result.marked_overdue == [registered.pk] and registered.status == Obligation.Status.OVERDUE
    # Overdue: the station and the office are told; the leading group not yet.
    assert Notification.objects.filter(user=cast["station1"], step="overdue").exists()
    assert Notification.objects.filter(user=cast["office"], step="overdue").exists()
    assert not Notification.objects.filter(user=cast["director"]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        sweep_due(now=T0 + timedelta(minutes=95))
    assert Notification.objects.filter(user=cast["director"], step="escalation").count() == 1
    assert Notification.objects.filter(user=cast["deputy"], step="escalation").count() == 1
    registered.refresh_from_db()
    assert registered.next_alert_at is None  # nothing more to send


def test_each_step_happens_once_however_often_the_sweep_runs(registered, django_capture_on_commit_callbacks):
    for minute in (60, 60, 61, 95, 96, 200):
        with django_capture_on_commit_callbacks(execute=True):
            sweep_due(now=T0 + timedelta(minutes=minute))
    counts = {step: deadline_outbox().filter(obligation=registered, step=step).count() for step in _steps(registered)}
    in_app = deadline_outbox().filter(obligation=registered, channel="in_app")
    assert in_app.count() == in_app.values("step", "recipient").distinct().count()
    assert Notification.objects.count() == in_app.count()
    assert set(counts) == {"overdue", "escalation"}  # after a two-hour outage the reminders are not sent late


def test_a_late_report_after_the_overdue_mark_is_fulfilled_and_recorded_late(registered, cast):
    sweep_due(now=T0 + timedelta(minutes=61))
    incident = registered.incident
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        incidents.incident_update_draft(actor=cast["station1"], incident=incident, occurred_at=T0 - timedelta(minutes=30),
                                        location="城关镇某超市", description="销售过期食品", nature="过期食品",
                                        scope="一家超市", trend="已控制", measures_taken="下架封存")
        incidents.incident_submit(actor=cast["station1"], incident=incident)
    registered.refresh_from_db()
    assert registered.status == Obligation.Status.FULFILLED
    # The occurrence the station gave (before registration) moved the clock earlier: due T0 + 30 min.
    assert registered.late_by_seconds == 90 * 60
    assert registered.next_alert_at is None


def test_the_command_runs_one_sweep_and_prints_what_it_marked(registered, capsys):
    call_command("sweep_deadlines", "--now", (T0 + timedelta(minutes=61)).isoformat())
    out = capsys.readouterr().out
    assert "1 marked overdue" in out and "overdue:" in out
    registered.refresh_from_db()
    assert registered.status == Obligation.Status.OVERDUE


def test_each_sweep_writes_a_heartbeat_and_staleness_is_seen(db, settings):
    assert heartbeat_is_stale()
    sweep_due(now=T0)
    beat = SweepHeartbeat.objects.get()
    assert not heartbeat_is_stale(now=beat.finished_at + timedelta(seconds=30))
    assert heartbeat_is_stale(now=beat.finished_at + timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS + 1))


def test_delivery_is_idempotent(registered, cast):
    sweep_due(now=T0 + timedelta(minutes=30))
    row = deadline_outbox().get(channel="in_app", recipient=str(cast["station1"].pk))
    assert deliver(row.pk) is True
    assert deliver(row.pk) is False
    assert Notification.objects.filter(user=cast["station1"]).count() == 1


def test_email_goes_to_members_with_an_address(registered, cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast["station1"].email = "station1@example.gov.cn"
    cast["station1"].save()
    sweep_due(now=T0 + timedelta(minutes=30))
    row = deadline_outbox().get(channel="email")
    assert deliver(row.pk) is True
    assert mail.outbox[0].to == ["station1@example.gov.cn"] and "首报" in mail.outbox[0].subject


class _Robot(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Robot.received.append(json.loads(body))
        self.send_response(_Robot.status)
        self.end_headers()
        self.wfile.write(b'{"errcode":0}')

    def log_message(self, *args):
        pass


@pytest.fixture
def robot(monkeypatch):
    # A robot on loopback stands in for WeCom; the send-time SSRF check (tests/roles/test_webhooks.py)
    # would rightly refuse it, so it is waved through here.
    monkeypatch.setattr("roles.webhooks.check_webhook_url", lambda url: None)
    server = HTTPServer(("127.0.0.1", 0), _Robot)
    _Robot.received, _Robot.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test"
    server.shutdown()


def test_group_robot_webhook_gets_the_wecom_dingtalk_text_message(registered, robot):
    _server, url = robot
    Unit.objects.filter(code="chengguan").update(robot_webhook_url=url)
    sweep_due(now=T0 + timedelta(minutes=30))
    row = deadline_outbox().get(channel="webhook")
    assert deliver(row.pk) is True
    message = _Robot.received[0]
    assert message["msgtype"] == "text" and "首报" in message["text"]["content"]


def test_a_failed_send_stays_visible_and_is_retried_later(registered, robot):
    _server, url = robot
    _Robot.status = 500
    Unit.objects.filter(code="chengguan").update(robot_webhook_url=url)
    sweep_due(now=T0 + timedelta(minutes=30))
    row = deadline_outbox().get(channel="webhook")
    assert deliver(row.pk) is False
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1 and "500" in row.last_error
    assert row.next_attempt_at > timezone.now()
    _Robot.status = 200
    deadline_outbox().filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert deliver(row.pk) is True


def test_email_is_sent_over_smtp_to_a_local_server(registered, cast, settings):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        cast["station1"].email = "station1@example.gov.cn"
        cast["station1"].save()
        sweep_due(now=T0 + timedelta(minutes=30))
        row = deadline_outbox().get(channel="email")
        assert deliver(row.pk) is True
    finally:
        controller.stop()
    assert received and received[0].rcpt_tos == ["station1@example.gov.cn"]
    assert "首报".encode() in received[0].original_content or b"=?utf-8?" in received[0].original_content
