"""Issue 11, sending and receipt: a report to outside recipients counts as sent only once it has
left by a recorded channel (email through the outbox, the inbox of a bureau in the portal, a phone
call or fax the office records), and the upward obligation is fulfilled at that moment; each
delivery is sent, received (签收) or failed. docs/deadlines.md rules 4 and 15."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from reporting import sending
from reporting.models import Kind, Notification, Obligation, Outbox, ReportDelivery
from reporting.services import report_submit
from roles.models import Contact
from tests.incidents.conftest import FACTS
from tests.reporting.deadlines import T0, at, ob, sweep

pytestmark = pytest.mark.django_db
D = ReportDelivery
S = Obligation.Status


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Contact.objects.filter(code="county_government").update(email="zfb@county.example.gov.cn")


@pytest.fixture
def received(file_incident):
    """A level Ⅱ incident the bureau received at T0: the upward report is due at T0 + 30 min."""
    return at(T0, file_incident, proposed_level=2)


def upward(cast, incident, moment, **kwargs):
    return at(moment, report_submit, actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT,
              content="关于城关镇疑似食物中毒事件的报告", facts=FACTS, **kwargs)


def test_an_upward_report_is_fulfilled_when_it_has_left_not_when_it_is_submitted(
        cast, city, locmem, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report = upward(cast, received, T0 + timedelta(minutes=10))
    portal = D.objects.get(report=report, channel=D.Channel.PORTAL)
    email = D.objects.get(report=report, channel=D.Channel.EMAIL)
    assert (portal.state, portal.sent_at) == (D.State.SENT, T0 + timedelta(minutes=10))
    assert email.state == D.State.QUEUED and email.address == "zfb@county.example.gov.cn"
    # Submitted, in the city's inbox, but the email has not left yet: the obligation stays open.
    assert ob(received, Kind.UPWARD_REPORT).status == S.PENDING
    assert Notification.objects.filter(user=cast["city_office"], step="report_received").exists()

    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        for callback in callbacks:
            callback()  # the outbox's worker (eager here) sends the email after commit
    email.refresh_from_db()
    assert email.state == D.State.SENT and email.sent_at == T0 + timedelta(minutes=12)
    [message] = mail.outbox
    assert message.to == ["zfb@county.example.gov.cn"] and message.extra_headers["Message-ID"] == email.message_id
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".pdf") and "报告" in name and mimetype == "application/pdf" and content.startswith(b"%PDF")
    link = message.body.split("/reporting/receipt/")[1].split("/")[0]
    assert at(T0 + timedelta(hours=1), sending.delivery_from_token, link) == email
    upward_ob = ob(received, Kind.UPWARD_REPORT)
    assert (upward_ob.status, upward_ob.fulfilled_at, upward_ob.report_id) == (S.FULFILLED, T0 + timedelta(minutes=12), report.pk)
    assert Outbox.objects.get(delivery=email).state == Outbox.State.SENT


def test_a_report_to_recipients_without_a_channel_leaves_nothing_fulfilled(cast, received, login):
    report = upward(cast, received, T0 + timedelta(minutes=5))
    assert not D.objects.filter(report=report).exists()
    assert ob(received, Kind.UPWARD_REPORT).status == S.PENDING
    page = login("office").get(f"/incidents/{received.pk}/").content.decode()
    assert "尚未发出" in page or "Not yet sent to" in page


def test_a_failed_email_leaves_the_obligation_open_and_tells_the_office(
        cast, received, settings, login, django_capture_on_commit_callbacks):
    # A mail server that is not there (port 9651 of this engineer's range, nothing listens).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9651, 2
    Contact.objects.filter(kind=Contact.Kind.UPWARD).update(email="duty@example.gov.cn")
    with django_capture_on_commit_callbacks(execute=True):
        report = upward(cast, received, T0 + timedelta(minutes=5))
    deliveries = list(D.objects.filter(report=report))
    assert len(deliveries) == 2 and {d.state for d in deliveries} == {D.State.FAILED}
    assert all("not reached" in d.failure_reason for d in deliveries)
    row = Outbox.objects.get(delivery=deliveries[0])
    assert row.state == Outbox.State.PENDING and row.attempts == 1  # tried again by itself, with backoff
    assert ob(received, Kind.UPWARD_REPORT).status == S.PENDING
    told = Notification.objects.filter(user=cast["office"], step="delivery_failed")
    assert told.count() == 2 and received.reference in told.first().title
    home = login("office").get("/").content.decode()
    assert 'id="failed-deliveries"' in home and "duty@example.gov.cn" in home
    assert 'id="failed-deliveries"' not in login("director").get("/").content.decode()


def test_phone_first_then_written_owes_the_written_report_on_the_clock(cast, received):
    """Rule 15 (先电话报告，后补报文字): a phone call fulfils the 30-minute upward deadline with the fax to
    the city; the call owes the written report 60 minutes after it (policy table), missed here, then
    fulfilled late by the fax."""
    report = upward(cast, received, T0 + timedelta(minutes=8))
    county, city = Contact.objects.get(code="county_government"), Contact.objects.get(code="city_bureau")
    call = at(T0 + timedelta(minutes=10), sending.delivery_record, actor=cast["office"], report=report, recipient=county,
              channel=D.Channel.PHONE, number="0371-62121234", at=T0 + timedelta(minutes=10), confirmed_name="王值班")
    assert call.state == D.State.RECEIVED and call.confirmed_at == T0 + timedelta(minutes=10)
    assert call.recorded_by == cast["office"]
    assert ob(received, Kind.UPWARD_REPORT).status == S.PENDING  # the city has not had it yet
    owed = call.follow_up
    assert (owed.kind, owed.owner_unit.code, owed.due_at) == (Kind.WRITTEN_REPORT, "office", T0 + timedelta(minutes=70))

    fax = at(T0 + timedelta(minutes=20), sending.delivery_record, actor=cast["office"], report=report, recipient=city,
             channel=D.Channel.FAX, number="0371-67890000", at=T0 + timedelta(minutes=20))
    assert fax.state == D.State.SENT and fax.follow_up is None  # a fax is written: nothing more owed
    upward_ob = ob(received, Kind.UPWARD_REPORT)
    assert (upward_ob.status, upward_ob.fulfilled_at, upward_ob.late_by_seconds) == (S.FULFILLED, T0 + timedelta(minutes=20), None)

    sweep(T0 + timedelta(minutes=71))
    owed.refresh_from_db()
    assert owed.status == S.OVERDUE
    at(T0 + timedelta(minutes=80), sending.delivery_record, actor=cast["office"], report=report, recipient=county,
       channel=D.Channel.FAX, number="0371-62125678", at=T0 + timedelta(minutes=80))
    owed.refresh_from_db()
    assert (owed.status, owed.late_by_seconds, owed.report_id) == (S.FULFILLED, 600, report.pk)
    # The upward obligation was fulfilled once; a later delivery fulfils nothing more.
    assert Obligation.objects.filter(report=report).count() == 2


def test_the_written_report_limit_is_policy_data(cast, received):
    from reporting.models import ReportingRule

    ReportingRule.objects.filter(kind=Kind.WRITTEN_REPORT, level=2).update(limit_minutes=120)
    report = upward(cast, received, T0 + timedelta(minutes=8))
    call = at(T0 + timedelta(minutes=9), sending.delivery_record, actor=cast["office"], report=report,
              recipient=Contact.objects.get(code="county_government"), channel=D.Channel.PHONE, number="12345",
              at=T0 + timedelta(minutes=9), confirmed_name="李")
    assert call.follow_up.due_at == T0 + timedelta(minutes=129)


def test_bad_records_change_nothing(cast, received):
    from django.core.exceptions import PermissionDenied, ValidationError

    report = upward(cast, received, T0 + timedelta(minutes=8))
    police = Contact.objects.get(code="police")
    county = Contact.objects.get(code="county_government")
    with pytest.raises(ValidationError) as refused:
        at(T0 + timedelta(minutes=9), sending.delivery_record, actor=cast["office"], report=report, recipient=police,
           channel=D.Channel.PHONE, number="", at=T0 + timedelta(minutes=30))
    assert set(refused.value.message_dict) == {"recipient", "number", "at", "confirmed_name"}
    with pytest.raises(PermissionDenied):
        at(T0 + timedelta(minutes=9), sending.delivery_record, actor=cast["director"], report=report, recipient=county,
           channel=D.Channel.PHONE, number="1", at=T0 + timedelta(minutes=9), confirmed_name="王")
    assert not D.objects.exists() and not Obligation.objects.filter(kind=Kind.WRITTEN_REPORT).exists()


def test_the_office_records_a_phone_confirmation_of_a_fax(cast, received, api):
    report = upward(cast, received, T0 + timedelta(minutes=8))
    fax = at(T0 + timedelta(minutes=9), sending.delivery_record, actor=cast["office"], report=report,
             recipient=Contact.objects.get(code="city_bureau"), channel=D.Channel.FAX, number="0371-1",
             at=T0 + timedelta(minutes=9))
    assert api("director").post(f"/api/deliveries/{fax.pk}/confirm/", {"name": "赵"}, format="json").status_code == 403
    assert api("station2").post(f"/api/deliveries/{fax.pk}/confirm/", {"name": "赵"}, format="json").status_code == 404
    assert api("office").post(f"/api/deliveries/{fax.pk}/confirm/", {"name": ""}, format="json").status_code == 400
    answer = api("office").post(f"/api/deliveries/{fax.pk}/confirm/", {"name": "市局值班室赵"}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "received"
    assert answer.json()["confirmed_name"] == "市局值班室赵"
    assert api("office").post(f"/api/deliveries/{fax.pk}/confirm/", {"name": "赵"}, format="json").status_code == 409


def test_a_written_follow_up_fulfilled_first_does_not_stop_the_upward_obligation(cast, received):
    """Phoned and then faxed to the county (the written report owed is fulfilled by this report), then
    faxed to the city: the upward obligation is fulfilled then, by the same report."""
    report = upward(cast, received, T0 + timedelta(minutes=5))
    county, city = Contact.objects.get(code="county_government"), Contact.objects.get(code="city_bureau")
    for minute, recipient, channel, name in ((6, county, D.Channel.PHONE, "王"), (8, county, D.Channel.FAX, ""),
                                             (12, city, D.Channel.FAX, "")):
        at(T0 + timedelta(minutes=minute), sending.delivery_record, actor=cast["office"], report=report,
           recipient=recipient, channel=channel, number="0371-1", at=T0 + timedelta(minutes=minute), confirmed_name=name)
    assert ob(received, Kind.WRITTEN_REPORT).status == S.FULFILLED
    upward_ob = ob(received, Kind.UPWARD_REPORT)
    assert (upward_ob.status, upward_ob.fulfilled_at) == (S.FULFILLED, T0 + timedelta(minutes=12))


def test_only_the_incidents_own_county_office_hears_of_a_failure(
        counties, received, settings, django_capture_on_commit_callbacks):
    """County bureaus never hear of each other's deliveries (issue 11): a failed email of the first
    county tells its office, not the second county's (roles.selectors.office_staff)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9651, 2
    Contact.objects.filter(kind=Contact.Kind.UPWARD).update(email="duty@example.gov.cn")
    with django_capture_on_commit_callbacks(execute=True):
        upward(counties, received, T0 + timedelta(minutes=5))
    assert Notification.objects.filter(user=counties["office"], step="delivery_failed").exists()
    assert not Notification.objects.filter(user=counties["xz_office"], step="delivery_failed").exists()
