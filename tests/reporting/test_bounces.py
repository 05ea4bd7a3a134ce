"""Issue 11, bounces (退信): a report email the mail server accepted and the recipient's server returned
leaves the obligation open again (docs/deadlines.md rule 18) and tells the office at once; the bounce
mailbox (a Maildir) is read once per message; delays, receipts and strangers' mail change nothing."""

import mailbox
import os
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from reporting import bounces, sending
from reporting.bounces import fetch_maildir, parse_bounce
from reporting.models import Kind, Notification, Obligation, Outbox, ReportDelivery
from reporting.services import report_submit
from roles.models import Contact
from tests.incidents.conftest import FACTS
from tests.reporting.deadlines import T0, at, ob, sweep

pytestmark = pytest.mark.django_db
D = ReportDelivery
S = Obligation.Status
COUNTY = "zfb@county.example.gov.cn"


def postfix_dsn(message_id, *, action="failed", status="5.1.1",
                diagnostic="smtp; 550 5.1.1 <zfb@county.example.gov.cn>: Recipient address\n    rejected: User unknown"):
    """A Postfix bounce as it lands in the Maildir: RFC 3464, with the original's headers."""
    return f"""Return-Path: <>
Delivered-To: bounces@portal.example.gov.cn
Date: Fri, 20 Nov 2026 09:40:03 +0800 (CST)
From: MAILER-DAEMON@mail.county.example.gov.cn (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: bounces@portal.example.gov.cn
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4Fq7Zx1Kz9z9sRs.1606702323/mail.county.example.gov.cn"
Message-Id: <20261120014003.4Fq7Zx1Kz9z9sRs@mail.county.example.gov.cn>

This is a MIME-encapsulated message.

--4Fq7Zx1Kz9z9sRs.1606702323/mail.county.example.gov.cn
Content-Description: Notification
Content-Type: text/plain; charset=utf-8

This is the mail system at host mail.county.example.gov.cn.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--4Fq7Zx1Kz9z9sRs.1606702323/mail.county.example.gov.cn
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.county.example.gov.cn
X-Postfix-Queue-ID: 4Fq7Zx1Kz9z9sRs
Arrival-Date: Fri, 20 Nov 2026 09:12:02 +0800 (CST)

Final-Recipient: rfc822; {COUNTY}
Original-Recipient: rfc822;{COUNTY}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.county.example.gov.cn
Diagnostic-Code: {diagnostic}

--4Fq7Zx1Kz9z9sRs.1606702323/mail.county.example.gov.cn
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <bounces@portal.example.gov.cn>
From: emergency-portal@portal.example.gov.cn
To: {COUNTY}
Subject: =?utf-8?b?5YWz5LqO?=
Message-ID: {message_id}

--4Fq7Zx1Kz9z9sRs.1606702323/mail.county.example.gov.cn--
""".encode()


def exim_bounce(message_id):
    """Exim's default bounce: plain text, the original quoted after a dashed line."""
    return f"""Return-path: <>
From: Mail Delivery System <Mailer-Daemon@mx.county.example.gov.cn>
To: bounces@portal.example.gov.cn
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1kXyZ-0001Ab-Cd@mx.county.example.gov.cn>
X-Failed-Recipients: {COUNTY}
Auto-Submitted: auto-replied
Date: Fri, 20 Nov 2026 09:40:03 +0800

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {COUNTY}
    host mx.county.example.gov.cn [10.1.2.3]
    SMTP error from remote mail server after RCPT TO:<{COUNTY}>:
    550 5.1.1 User unknown

------ This is a copy of the message, including all the headers. ------

Return-path: <bounces@portal.example.gov.cn>
Message-ID: {message_id}
From: emergency-portal@portal.example.gov.cn
To: {COUNTY}
Subject: report

The report is attached.
""".encode()


def dsn_with_original(message_id):
    """A DSN that returns the whole original message (message/rfc822)."""
    return f"""Return-Path: <>
From: postmaster@county.example.gov.cn
To: bounces@portal.example.gov.cn
Subject: Delivery Status Notification (Failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

Delivery has failed.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; county.example.gov.cn

Final-Recipient: rfc822; {COUNTY}
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full

--b1
Content-Type: message/rfc822

Message-ID: {message_id}
From: emergency-portal@portal.example.gov.cn
To: {COUNTY}
Subject: report

body
--b1--
""".encode()


# ----------------------------------------------------------------------------- parsing


def test_a_postfix_dsn_names_the_original_and_its_permanent_failure():
    bounce = parse_bounce(postfix_dsn("<1.2.3@portal.example.gov.cn>"))
    assert bounce.message_ids[0] == "<1.2.3@portal.example.gov.cn>"
    assert bounce.permanent and not bounce.delayed
    assert bounce.diagnostic == ("5.1.1 smtp; 550 5.1.1 <zfb@county.example.gov.cn>: Recipient address rejected: "
                                 "User unknown")


def test_an_exim_bounce_is_read_from_the_quoted_original():
    bounce = parse_bounce(exim_bounce("<9.8.7@portal.example.gov.cn>"))
    assert bounce.message_ids == ["<9.8.7@portal.example.gov.cn>"]
    assert bounce.permanent and "550 5.1.1 User unknown" in bounce.diagnostic and "RCPT TO" in bounce.diagnostic


def test_a_dsn_with_the_whole_original_and_one_answering_in_reply_to():
    bounce = parse_bounce(dsn_with_original("<5.5.5@portal.example.gov.cn>"))
    assert bounce.message_ids == ["<5.5.5@portal.example.gov.cn>"] and bounce.permanent
    assert bounce.diagnostic == "5.2.2 smtp; 552 5.2.2 Mailbox full"
    replying = (b"Return-Path: <>\nFrom: MAILER-DAEMON@x.example\nSubject: Undeliverable: report\n"
                b"In-Reply-To: <6.6.6@portal.example.gov.cn>\n\nDelivery has failed: 550 5.4.1 Recipient rejected\n")
    bounce = parse_bounce(replying)
    assert bounce.message_ids == ["<6.6.6@portal.example.gov.cn>"] and bounce.permanent


def test_a_delay_is_not_a_failure_and_an_out_of_office_reply_is_neither():
    delayed = parse_bounce(postfix_dsn("<1@p.example>", action="delayed", status="4.4.1",
                                       diagnostic="smtp; 421 4.4.1 connection timed out"))
    assert delayed.delayed and not delayed.permanent and "4.4.1" in delayed.diagnostic
    away = parse_bounce(b"From: Wang <wang@county.example.gov.cn>\nSubject: Auto: out of office (could not be delivered?)\n"
                        b"In-Reply-To: <1@p.example>\nAuto-Submitted: auto-replied\n\nI am away until Monday.\n")
    assert away.message_ids == ["<1@p.example>"] and not away.permanent and not away.delayed
    assert parse_bounce(b"\xff\xfe not a mail at all").message_ids == []


# ----------------------------------------------------------------------------- the effect


@pytest.fixture
def sent_by_email(cast, city, file_incident, settings, django_capture_on_commit_callbacks):
    """A level Ⅱ incident received at T0; the upward report submitted at T0 + 10 min went into the
    city's inbox at once and by email to the county government, which the mail server accepted at
    T0 + 12 min: the upward obligation (due T0 + 30 min) is fulfilled then."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Contact.objects.filter(code="county_government").update(email=COUNTY)
    incident = at(T0, file_incident, proposed_level=2)
    with django_capture_on_commit_callbacks() as callbacks:
        report = at(T0 + timedelta(minutes=10), report_submit, actor=cast["office"], incident=incident,
                    kind=Kind.UPWARD_REPORT, content="关于城关镇疑似食物中毒事件的报告", facts=FACTS)
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        for callback in callbacks:
            callback()
    email = D.objects.get(report=report, channel=D.Channel.EMAIL)
    assert email.state == D.State.SENT and email.message_id
    assert ob(incident, Kind.UPWARD_REPORT).status == S.FULFILLED
    return email


def bounced_at(moment, raw):
    return at(moment, bounces.bounce_record, parse_bounce(raw), moment)


def test_a_bounce_reopens_the_upward_obligation_tells_the_office_and_a_fax_fulfils_it_late(
        sent_by_email, cast, login):
    incident = sent_by_email.report.incident
    due = ob(incident, Kind.UPWARD_REPORT).due_at
    assert f'data-due="{due.isoformat()}"' not in login("office").get("/reporting/board/").content.decode()
    result = bounced_at(T0 + timedelta(minutes=40), postfix_dsn(sent_by_email.message_id))
    assert (result.bounced, result.unmatched) == (1, 0)
    sent_by_email.refresh_from_db()
    assert (sent_by_email.state, sent_by_email.bounced_at) == (D.State.FAILED, T0 + timedelta(minutes=40))
    [bounce] = sent_by_email.bounces.all()
    assert "User unknown" in sent_by_email.failure_reason and bounce.reopened
    assert (bounce.message_id, bounce.address, bounce.sent_at) == (
        sent_by_email.message_id, COUNTY, T0 + timedelta(minutes=12))
    # As without that delivery: past its deadline (T0 + 30 min), so overdue since then — a miss stays a miss.
    upward = ob(incident, Kind.UPWARD_REPORT)
    assert (upward.status, upward.overdue_at, upward.fulfilled_at, upward.late_by_seconds, upward.report_id) == (
        S.OVERDUE, T0 + timedelta(minutes=30), None, None, None)
    assert upward.next_alert_at == T0 + timedelta(minutes=40)  # the next sweep sends its overdue notice at once
    [told] = Notification.objects.filter(step="delivery_bounced")
    assert told.user == cast["office"] and incident.reference in told.title and "退信" in told.title
    assert "User unknown" in told.body and "再次" in told.body

    sweep(T0 + timedelta(minutes=41))
    steps = set(Outbox.objects.filter(obligation=upward).values_list("step", flat=True))
    assert Outbox.Step.OVERDUE in steps

    page = login("office").get(f"/incidents/{incident.pk}/").content.decode()
    assert "退信" in page and "User unknown" in page  # deliveries panel and timeline
    assert "再次" in page
    board = login("office").get("/reporting/board/").content.decode()
    assert f'data-due="{upward.due_at.isoformat()}"' in board  # open again: back on the overdue board
    home = login("office").get("/").content.decode()
    assert 'id="failed-deliveries"' in home and COUNTY in home

    county = Contact.objects.get(code="county_government")
    at(T0 + timedelta(minutes=50), sending.delivery_record, actor=cast["office"], report=sent_by_email.report,
       recipient=county, channel=D.Channel.FAX, number="0371-62125678", at=T0 + timedelta(minutes=50))
    upward.refresh_from_db()
    assert (upward.status, upward.fulfilled_at, upward.late_by_seconds, upward.report_id) == (
        S.FULFILLED, T0 + timedelta(minutes=50), 20 * 60, sent_by_email.report_id)
    assert Obligation.objects.filter(incident=incident, kind=Kind.UPWARD_REPORT).count() == 1  # nothing deleted or added
    # The report has left to the county by fax: the home page no longer lists the bounced email.
    assert 'id="failed-deliveries"' not in login("office").get("/").content.decode()


def test_a_bounce_before_the_deadline_leaves_it_pending(sent_by_email):
    bounced_at(T0 + timedelta(minutes=20), exim_bounce(sent_by_email.message_id))
    upward = ob(sent_by_email.report.incident, Kind.UPWARD_REPORT)
    assert (upward.status, upward.overdue_at, upward.fulfilled_at) == (S.PENDING, None, None)
    assert upward.next_alert_at == T0 + timedelta(minutes=30)  # the overdue notice at the deadline, if still owed


def test_a_bounce_after_the_receipt_changes_nothing(sent_by_email, client):
    [message] = mail.outbox
    token = message.body.split("/reporting/receipt/")[1].split("/")[0]
    at(T0 + timedelta(minutes=15), sending.delivery_sign_by_link, token=token, name="王科长")
    result = bounced_at(T0 + timedelta(minutes=40), postfix_dsn(sent_by_email.message_id))
    assert (result.bounced, result.ignored) == (0, 1)
    sent_by_email.refresh_from_db()
    assert (sent_by_email.state, sent_by_email.bounced_at, sent_by_email.failure_reason) == (D.State.RECEIVED, None, "")
    assert ob(sent_by_email.report.incident, Kind.UPWARD_REPORT).status == S.FULFILLED
    assert not Notification.objects.filter(step="delivery_bounced").exists()


def test_a_delay_is_a_note_only_and_stray_mail_is_left_alone(sent_by_email, login):
    delayed = postfix_dsn(sent_by_email.message_id, action="delayed", status="4.4.1",
                          diagnostic="smtp; 421 4.4.1 Connection timed out")
    result = bounced_at(T0 + timedelta(minutes=40), delayed)
    assert (result.delayed, result.bounced) == (1, 0)
    sent_by_email.refresh_from_db()
    assert sent_by_email.state == D.State.SENT and "4.4.1 smtp; 421" in sent_by_email.delay_note
    assert ob(sent_by_email.report.incident, Kind.UPWARD_REPORT).status == S.FULFILLED
    assert not Notification.objects.filter(step="delivery_bounced").exists()
    page = login("office").get(f"/incidents/{sent_by_email.report.incident_id}/").content.decode()
    assert "delay-note" in page and "4.4.1" in page

    result = bounced_at(T0 + timedelta(minutes=41), postfix_dsn("<not-ours@elsewhere.example>"))
    assert (result.unmatched, result.bounced) == (1, 0)
    sent_by_email.refresh_from_db()
    assert sent_by_email.state == D.State.SENT


def test_a_bounce_to_a_recipient_that_also_had_it_by_fax_reopens_nothing(sent_by_email, cast):
    county = Contact.objects.get(code="county_government")
    at(T0 + timedelta(minutes=14), sending.delivery_record, actor=cast["office"], report=sent_by_email.report,
       recipient=county, channel=D.Channel.FAX, number="0371-62125678", at=T0 + timedelta(minutes=14))
    bounced_at(T0 + timedelta(minutes=40), postfix_dsn(sent_by_email.message_id))
    sent_by_email.refresh_from_db()
    assert sent_by_email.state == D.State.FAILED and not sent_by_email.bounces.get().reopened
    upward = ob(sent_by_email.report.incident, Kind.UPWARD_REPORT)
    assert (upward.status, upward.fulfilled_at) == (S.FULFILLED, T0 + timedelta(minutes=12))
    [told] = Notification.objects.filter(step="delivery_bounced")
    assert "User unknown" in told.body and "再次" not in told.body


def test_a_bounced_written_copy_owes_the_written_report_again(cast, city, file_incident, settings,
                                                              django_capture_on_commit_callbacks):
    """Rule 17 with rule 18: the county was phoned, then the email (the written report) bounced."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    incident = at(T0, file_incident, proposed_level=2)
    report = at(T0 + timedelta(minutes=8), report_submit, actor=cast["office"], incident=incident,
                kind=Kind.UPWARD_REPORT, content="报告", facts=FACTS)
    county = Contact.objects.get(code="county_government")
    call = at(T0 + timedelta(minutes=10), sending.delivery_record, actor=cast["office"], report=report, recipient=county,
              channel=D.Channel.PHONE, number="0371-62121234", at=T0 + timedelta(minutes=10), confirmed_name="王值班")
    # The written copy by email (as the portal would send it to a recipient that has an address).
    email = D.objects.create(report=report, recipient=county, channel=D.Channel.EMAIL, address=COUNTY,
                             state=D.State.SENT, sent_at=T0 + timedelta(minutes=20), message_id="<w@p.example>")
    at(T0 + timedelta(minutes=20), sending._written_left, email, T0 + timedelta(minutes=20))
    owed = Obligation.objects.get(pk=call.follow_up_id)
    assert owed.status == S.FULFILLED
    bounced_at(T0 + timedelta(minutes=90), postfix_dsn("<w@p.example>"))
    owed.refresh_from_db()
    assert (owed.status, owed.overdue_at, owed.report_id) == (S.OVERDUE, T0 + timedelta(minutes=70), None)
    at(T0 + timedelta(minutes=95), sending.delivery_record, actor=cast["office"], report=report, recipient=county,
       channel=D.Channel.FAX, number="0371-62125678", at=T0 + timedelta(minutes=95))
    owed.refresh_from_db()
    assert (owed.status, owed.late_by_seconds) == (S.FULFILLED, 25 * 60)


# ----------------------------------------------------------------------------- the mailbox


def test_the_maildir_is_read_once_whoever_reads_it(sent_by_email, tmp_path, settings):
    box = mailbox.Maildir(tmp_path / "bounces")  # as the MTA delivers: a file in new/
    key = box.add(postfix_dsn(sent_by_email.message_id))
    stray = box.add(b"From: someone@example.com\nSubject: hello\n\nnot a bounce\n")
    first = at(T0 + timedelta(minutes=40), fetch_maildir, str(tmp_path / "bounces"))
    assert (first.read, first.bounced, first.unmatched) == (2, 1, 1)
    cur = sorted(os.listdir(tmp_path / "bounces" / "cur"))
    assert cur == sorted([f"{key}:2,S", f"{stray}:2,"])  # ours seen; the stranger's left unread for a person
    assert os.listdir(tmp_path / "bounces" / "new") == []

    # Run again: nothing new. A second reader that read the same file before the first moved it: one effect.
    assert at(T0 + timedelta(minutes=41), fetch_maildir, str(tmp_path / "bounces")).read == 0
    (tmp_path / "bounces" / "new" / key).write_bytes(postfix_dsn(sent_by_email.message_id))
    again = at(T0 + timedelta(minutes=42), fetch_maildir, str(tmp_path / "bounces"))
    assert (again.read, again.bounced, again.ignored) == (1, 0, 1)
    assert Notification.objects.filter(step="delivery_bounced").count() == 1
    sent_by_email.refresh_from_db()
    assert sent_by_email.bounced_at == T0 + timedelta(minutes=40)

    # The command and the beat's task read BOUNCE_MAILDIR the same way.
    from io import StringIO

    from reporting.tasks import fetch_bounces

    settings.BOUNCE_MAILDIR = str(tmp_path / "bounces")
    box.add(exim_bounce("<other@elsewhere.example>"))
    out = StringIO()
    call_command("fetch_bounces", stdout=out)
    assert "Read 1 mails: 0 bounced, 0 delayed, 0 changed nothing, 1 not ours." in out.getvalue()
    assert fetch_bounces() == {"read": 0, "bounced": 0, "delayed": 0, "ignored": 0, "unmatched": 0}
    settings.BOUNCE_MAILDIR = ""
    assert fetch_bounces() is None


def test_report_emails_carry_the_bounce_address_as_envelope_sender(sent_by_email, settings):
    settings.BOUNCE_ADDRESS, settings.DEFAULT_FROM_EMAIL = "bounces@portal.example.gov.cn", "zhiban@portal.example.gov.cn"
    message = sending.report_email(sent_by_email, "<m@portal.example.gov.cn>")
    assert message.from_email == "bounces@portal.example.gov.cn"  # SMTP MAIL FROM: where bounces go
    built = message.message()
    assert built["From"] == "zhiban@portal.example.gov.cn" and built["Message-ID"] == "<m@portal.example.gov.cn>"
    settings.BOUNCE_ADDRESS = ""
    assert sending.report_email(sent_by_email, "<n@p>").from_email == "zhiban@portal.example.gov.cn"


# ----------------------------------------------------------------------------- sending again


def test_the_office_sends_a_bounced_email_again_and_it_fulfils_late(
        sent_by_email, cast, login, api, django_capture_on_commit_callbacks):
    old_id = sent_by_email.message_id
    bounced_at(T0 + timedelta(minutes=40), postfix_dsn(old_id))
    mail.outbox.clear()
    # Bad input changes nothing: 400 with the field; anyone but the office: 403 saying who may.
    with time_machine.travel(T0 + timedelta(minutes=44), tick=False):
        refused = api("office").post(f"/api/deliveries/{sent_by_email.pk}/resend/", {"address": "not an address"},
                                     format="json")
        assert refused.status_code == 400 and "address" in refused.json()
        denied = api("station1").post(f"/api/deliveries/{sent_by_email.pk}/resend/", {}, format="json")
        assert denied.status_code == 403 and "办公室" in str(denied.json())
    sent_by_email.refresh_from_db()
    assert sent_by_email.state == D.State.FAILED and sent_by_email.address == COUNTY

    with django_capture_on_commit_callbacks() as callbacks, time_machine.travel(T0 + timedelta(minutes=45), tick=False):
        answer = login("office").post(f"/reporting/deliveries/{sent_by_email.pk}/resend/",
                                      {f"resend-{sent_by_email.pk}-address": "zhiban@county.example.gov.cn"})
    assert answer.status_code == 302
    sent_by_email.refresh_from_db()
    assert (sent_by_email.state, sent_by_email.address, sent_by_email.bounced_at) == (
        D.State.QUEUED, "zhiban@county.example.gov.cn", None)
    with time_machine.travel(T0 + timedelta(minutes=46), tick=False):
        for callback in callbacks:
            callback()
    [message] = mail.outbox
    assert message.to == ["zhiban@county.example.gov.cn"]
    sent_by_email.refresh_from_db()
    assert sent_by_email.state == D.State.SENT and sent_by_email.message_id not in ("", old_id)
    upward = ob(sent_by_email.report.incident, Kind.UPWARD_REPORT)
    assert (upward.status, upward.fulfilled_at, upward.late_by_seconds) == (S.FULFILLED, T0 + timedelta(minutes=46), 16 * 60)
    [bounce] = sent_by_email.bounces.all()  # the first message's bounce stays on record
    assert (bounce.message_id, bounce.address) == (old_id, COUNTY)
    page = login("office").get(f"/incidents/{sent_by_email.report.incident_id}/").content.decode()
    assert "earlier-bounce" in page and "退信" in page
    # Sent and not bounced: nothing to send again (409).
    again = api("office").post(f"/api/deliveries/{sent_by_email.pk}/resend/", {}, format="json")
    assert again.status_code == 409


def test_a_real_mail_server_sees_the_bounce_address_as_envelope_sender(sent_by_email, settings):
    """Over SMTP (aiosmtpd on loopback): MAIL FROM is BOUNCE_ADDRESS, so bounces reach the mailbox the
    portal reads, while the recipient sees the portal's DEFAULT_FROM_EMAIL as the sender."""
    import email as email_lib
    import socket

    from aiosmtpd.controller import Controller

    from reporting.delivery import send_message

    envelopes = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            envelopes.append((envelope.mail_from, envelope.rcpt_tos,
                              email_lib.message_from_bytes(envelope.content, policy=email_lib.policy.default)))
            return "250 OK"

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.BOUNCE_ADDRESS, settings.DEFAULT_FROM_EMAIL = "bounces@portal.example.gov.cn", "zhiban@portal.example.gov.cn"
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        send_message(sending.report_email(sent_by_email, "<real@portal.example.gov.cn>"))
    finally:
        controller.stop()
    [(mail_from, rcpt_tos, message)] = envelopes
    assert (mail_from, rcpt_tos) == ("bounces@portal.example.gov.cn", [COUNTY])
    assert message["From"] == "zhiban@portal.example.gov.cn" and message["Message-ID"] == "<real@portal.example.gov.cn>"


def test_the_incident_page_reads_bounces_in_a_fixed_number_of_queries(sent_by_email, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.models import DeliveryBounce

    bounced_at(T0 + timedelta(minutes=40), postfix_dsn(sent_by_email.message_id))
    client = login("office")
    url = f"/incidents/{sent_by_email.report.incident_id}/"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    DeliveryBounce.objects.bulk_create([  # earlier bounces of the same delivery, each sent again since
        DeliveryBounce(delivery=sent_by_email, message_id=f"<{n}@p.example>", address=f"old{n}@county.example.gov.cn",
                       bounced_at=T0 + timedelta(minutes=20 + n), reason=f"5.1.1 unknown {n}") for n in range(8)])
    with CaptureQueriesContext(connection) as nine:
        page = client.get(url).content.decode()
    assert page.count("earlier-bounce") == 8 and "old7@county.example.gov.cn" in page
    assert len(nine) == len(one)
