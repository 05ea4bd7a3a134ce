"""Issue 11 in the browser: the county office sends an upward report by email (to a real SMTP server on
loopback) and in the portal to the city bureau; the city office signs for it; the county sees 已签收;
a failed email leaves the obligation open and visible on the office's home page; a bounce (退信) read
from the bounce Maildir shows on the page and opens the deadline again."""

import email
import email.policy

import pytest

from reporting.models import Kind, Obligation, ReportDelivery
from roles.models import Contact
from tests.e2e.conftest import click_and_confirm
from tests.fakes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


class MailServer:
    """aiosmtpd on loopback, keeping what it received: (recipient, parsed message)."""

    def __init__(self, port):
        from aiosmtpd.controller import Controller

        received = self.received = []
        senders = self.senders = []  # the envelope's MAIL FROM: where bounces go

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                received.extend((rcpt, message) for rcpt in envelope.rcpt_tos)
                senders.append(envelope.mail_from)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def stop(self):
        if self.controller.loop.is_running():
            self.controller.stop()

    def __exit__(self, *exc):
        self.stop()


@pytest.fixture
def smtp(settings):
    # A free port of its own, not a fixed one: under pytest-xdist these tests may run at the same time.
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    Contact.objects.filter(code="county_government").update(email="zhiban@zhongmou.example.gov.cn")
    with MailServer(port) as server:
        yield server


def _send_upward(office, incident_pk, text):
    office.goto(f"{office.base}/incidents/{incident_pk}/")
    office.click("text=撰写报告")
    office.select_option("#id_report-kind", "upward_report")
    office.fill("#id_report-content", text)
    with office.expect_navigation():
        click_and_confirm(office, "text=提交报告")


def test_an_upward_report_leaves_by_email_and_in_the_portal_and_is_signed_for(cast, city, file_incident, smtp, open_as,
                                                                              shot):
    incident = file_incident(proposed_level=2, title="某学校食堂疑似食物中毒")
    office = open_as("office")
    assert office.locator("#recipients-without-channel").count() == 0  # both reachable: no warning
    _send_upward(office, incident.pk, "县局已核实:某学校食堂疑似食物中毒,学生12人送医,已封存留样。")

    # The email arrived at the mail server, with the PDF and a link to sign for it.
    [(rcpt, message)] = smtp.received
    assert rcpt == "zhiban@zhongmou.example.gov.cn" and "食物中毒" in str(message["subject"])
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_filename().endswith(".pdf")
    assert "/reporting/receipt/" in message.get_body(("plain",)).get_content()
    sent = ReportDelivery.objects.get(channel="email")
    assert sent.state == "sent" and sent.message_id == message["Message-ID"]
    upward = Obligation.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    assert upward.status == Obligation.Status.FULFILLED and upward.fulfilled_at == sent.sent_at
    deliveries = office.locator(".deliveries").text_content()
    assert "zhiban@zhongmou.example.gov.cn" in deliveries and "已发出,未签收" in deliveries
    shot(office, "sending-1-sent")

    # The city office finds it in its inbox and signs for it with one click.
    city_office = open_as("city_office")
    assert "待签收" in city_office.locator("#to-sign").inner_text()
    city_office.click("#to-sign a")
    assert "某学校食堂疑似食物中毒" in city_office.locator("#inbox-rows").inner_text()
    shot(city_office, "sending-2-city-inbox")
    with city_office.expect_navigation():
        city_office.click("#inbox-rows button")
    assert "已签收" in city_office.locator("#inbox-rows").inner_text()

    # The county sees 已签收.
    office.reload()
    city_row = office.locator(".deliveries tr", has_text="郑州市市场监督管理局")
    assert "已签收" in city_row.text_content() and "市局值班员" in city_row.text_content()
    shot(office, "sending-3-signed")


def test_a_failed_email_leaves_the_obligation_open_and_visible(cast, file_incident, smtp, open_as, shot):
    incident = file_incident(proposed_level=2, title="某超市销售过期食品")
    Contact.objects.filter(code="city_bureau").update(email="zhiban@zhengzhou.example.gov.cn")
    smtp.stop()  # the mail server is down
    office = open_as("office")
    _send_upward(office, incident.pk, "县局已核实:某超市销售过期食品,已下架封存。")
    assert set(ReportDelivery.objects.values_list("state", flat=True)) == {"failed"}
    upward = Obligation.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    assert upward.status == Obligation.Status.PENDING
    deliveries = office.locator(".deliveries").text_content()
    assert "失败" in deliveries and "尚未发出至" in deliveries
    office.goto(f"{office.base}/")
    failed = office.locator("#failed-deliveries").inner_text()
    assert "未能发出的报告" in failed and "zhiban@zhengzhou.example.gov.cn" in failed
    from reporting.models import Notification

    assert Notification.objects.filter(user=cast["office"], step="delivery_failed").count() == 2  # told at once
    shot(office, "sending-4-failed")


def test_a_bounce_read_from_the_maildir_shows_and_opens_the_deadline_again(cast, city, file_incident, smtp, open_as,
                                                                           shot, settings, tmp_path):
    import mailbox

    from django.core.management import call_command

    from tests.reporting.test_bounces import postfix_dsn

    settings.BOUNCE_ADDRESS = "tuixin@zhongmou-scj.example.gov.cn"
    incident = file_incident(proposed_level=2, title="某餐馆疑似食物中毒")
    office = open_as("office")
    _send_upward(office, incident.pk, "县局已核实:某餐馆疑似食物中毒,3人就医,已封存留样。")
    [(rcpt, message)] = smtp.received
    assert smtp.senders == ["tuixin@zhongmou-scj.example.gov.cn"]  # bounces come back to the portal's mailbox
    upward = Obligation.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    assert upward.status == Obligation.Status.FULFILLED

    box = mailbox.Maildir(tmp_path / "bounces")  # as the MTA delivers the bounce
    box.add(postfix_dsn(message["Message-ID"]))
    settings.BOUNCE_MAILDIR = str(tmp_path / "bounces")
    call_command("fetch_bounces")
    upward.refresh_from_db()
    assert upward.status in (Obligation.Status.PENDING, Obligation.Status.OVERDUE) and upward.fulfilled_at is None

    office.reload()
    county_row = office.locator(".deliveries tr", has_text="zhiban@zhongmou.example.gov.cn")
    assert "已退信" in county_row.text_content() and "User unknown" in county_row.text_content()
    assert "退信" in office.locator("body").inner_text()  # the timeline says so too
    shot(office, "sending-5-bounced")
    office.goto(f"{office.base}/")
    assert "已退信" in office.locator("#failed-deliveries").inner_text()
