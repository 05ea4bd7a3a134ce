"""Issue 11, receipt (签收): the city bureau's office signs for a report in its inbox with one click; an
email recipient signs through a link that expires; the board shows upward reports sent and not signed
for after RECEIPT_EXPECTED_MINUTES; the office's home page warns of recipients the portal cannot reach.
Who may do what: docs/permissions.md, "Sending and receipt"."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from reporting import sending
from reporting.models import Kind, ReportDelivery
from reporting.services import report_submit
from roles.models import Contact
from tests.incidents.conftest import FACTS

pytestmark = pytest.mark.django_db
D = ReportDelivery


@pytest.fixture
def sent_up(cast, city, file_incident, settings, django_capture_on_commit_callbacks):
    """An upward report sent at once into the city's inbox and, by email, to the county government."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Contact.objects.filter(code="county_government").update(email="zfb@county.example.gov.cn")
    incident = file_incident(proposed_level=2)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="情况报告",
                               facts=FACTS)
    return report


def test_the_city_office_signs_for_it_in_its_inbox(sent_up, login, cast):
    portal = D.objects.get(report=sent_up, channel=D.Channel.PORTAL)
    page = login("city_office").get("/reporting/inbox/").content.decode()
    assert sent_up.incident.reference in page and f"/reporting/deliveries/{portal.pk}/sign/" in page
    assert "/reporting/inbox/" in login("city_office").get("/").content.decode()  # home and menu lead there
    # It reads the report, not the county's incident.
    assert login("city_office").get(f"/reporting/deliveries/{portal.pk}.pdf").status_code == 200
    assert login("city_office").get(f"/incidents/{sent_up.incident_id}/").status_code == 404
    email = D.objects.get(report=sent_up, channel=D.Channel.EMAIL)
    assert login("city_office").get(f"/reporting/deliveries/{email.pk}.pdf").status_code == 404

    assert login("office").post(f"/reporting/deliveries/{portal.pk}/sign/").status_code == 403
    assert login("station2").post(f"/reporting/deliveries/{portal.pk}/sign/").status_code == 404
    assert login("city_office").post(f"/reporting/deliveries/{portal.pk}/sign/").status_code == 302
    portal.refresh_from_db()
    assert (portal.state, portal.signed_by) == (D.State.RECEIVED, cast["city_office"])
    assert "已签收" in login("office").get(f"/incidents/{sent_up.incident_id}/").content.decode()
    again = login("city_office").post(f"/reporting/deliveries/{portal.pk}/sign/", follow=True)
    assert "已经签收" in again.content.decode() or "already" in again.content.decode()


def test_only_a_bureau_s_office_has_an_inbox(sent_up, login, api):
    assert login("station1").get("/reporting/inbox/").status_code == 403
    assert login("office").get("/reporting/inbox/").status_code == 200  # the county's own: nothing sent to it
    assert sent_up.incident.reference not in login("office").get("/reporting/inbox/").content.decode()
    portal = D.objects.get(report=sent_up, channel=D.Channel.PORTAL)
    assert api("city_office").post(f"/api/deliveries/{portal.pk}/sign/").status_code == 200
    assert api("city_office").post(f"/api/deliveries/{portal.pk}/sign/").status_code == 409
    assert [d["channel"] for d in api("city_office").get("/api/deliveries/").json()["results"]] == ["portal"]
    assert api("station2").get("/api/deliveries/").json()["count"] == 0


def test_an_email_recipient_signs_through_a_link_that_expires(sent_up, client, settings):
    email = D.objects.get(report=sent_up, channel=D.Channel.EMAIL)
    assert email.state == D.State.SENT
    token = sending.receipt_token(email)
    page = client.get(f"/reporting/receipt/{token}/")
    assert page.status_code == 200 and sent_up.incident.reference in page.content.decode()
    assert client.post(f"/reporting/receipt/{token}/", {"name": ""}).status_code == 400
    assert client.post(f"/reporting/receipt/{token[:-2]}xx/", {"name": "张三"}).status_code == 400
    with time_machine.travel(timezone.now() + timedelta(hours=settings.RECEIPT_LINK_MAX_AGE_HOURS, minutes=1)):
        expired = client.post(f"/reporting/receipt/{token}/", {"name": "张三"})
    assert expired.status_code == 400 and "过期" in expired.content.decode()
    email.refresh_from_db()
    assert email.state == D.State.SENT
    assert client.post(f"/reporting/receipt/{token}/", {"name": "县政府办张三"}).status_code == 200
    email.refresh_from_db()
    assert (email.state, email.signed_name) == (D.State.RECEIVED, "县政府办张三")


def test_the_board_shows_upward_reports_not_signed_for_after_the_setting(sent_up, login, settings):
    settings.RECEIPT_EXPECTED_MINUTES = 30
    portal = D.objects.get(report=sent_up, channel=D.Channel.PORTAL)
    with time_machine.travel(portal.sent_at + timedelta(minutes=29)):
        assert 'id="unsigned-reports"' not in login("office").get("/reporting/board/").content.decode()
    with time_machine.travel(portal.sent_at + timedelta(minutes=31)):
        board = login("office").get("/reporting/board/").content.decode()
        assert 'id="unsigned-reports"' in board and "郑州市市场监督管理局" in board and "中牟县人民政府" in board
        sending.delivery_sign(actor=_city_office(), sent=portal)
        board = login("office").get("/reporting/board/").content.decode()
        assert "郑州市市场监督管理局" not in board.split('id="unsigned-reports"')[1].split("</section>")[0]
        assert 'id="unsigned-reports"' not in login("station2").get("/reporting/board/").content.decode()


def _city_office():
    from roles.models import User

    return User.objects.get(username="city_office")


def test_the_office_s_home_page_warns_of_recipients_the_portal_cannot_reach(cast, login):
    from roles.setup import bureau_setup_from_plan

    home = login("office").get("/").content.decode()
    assert 'id="recipients-without-channel"' in home and "中牟县人民政府" in home and "郑州市市场监督管理局" in home
    assert 'id="recipients-without-channel"' not in login("station1").get("/").content.decode()
    Contact.objects.filter(code="county_government").update(email="zfb@county.example.gov.cn")
    Contact.objects.filter(code="city_bureau").update(phone="0371-1")
    home = login("office").get("/").content.decode()
    warning = home.split('id="recipients-without-channel"')[1]
    assert "中牟县人民政府" not in warning and "郑州市市场监督管理局" in warning  # only phone: the office phones
    bureau_setup_from_plan()  # setup_bureau keeps what the office filled in and invents nothing
    assert Contact.objects.get(code="county_government").email == "zfb@county.example.gov.cn"
    assert Contact.objects.get(code="police").phone == ""


def test_the_office_records_a_phone_report_on_the_incident_page(cast, file_incident, login):
    incident = file_incident(proposed_level=2)
    report = report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="情况", facts=FACTS)
    county = Contact.objects.get(code="county_government")
    page = login("office").get(f"/incidents/{incident.pk}/").content.decode()
    assert f"/reporting/reports/{report.pk}/deliveries/" in page
    assert f"/reporting/reports/{report.pk}/deliveries/" not in login("director").get(f"/incidents/{incident.pk}/").content.decode()
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    form = {f"record-{report.pk}-recipient": county.pk, f"record-{report.pk}-channel": "phone",
            f"record-{report.pk}-number": "0371-62121234", f"record-{report.pk}-at": when,
            f"record-{report.pk}-confirmed_name": "王值班"}
    assert login("director").post(f"/reporting/reports/{report.pk}/deliveries/", form).status_code == 403
    assert login("station2").post(f"/reporting/reports/{report.pk}/deliveries/", form).status_code == 404
    assert not D.objects.exists()
    missing = login("office").post(f"/reporting/reports/{report.pk}/deliveries/",
                                   {**form, f"record-{report.pk}-confirmed_name": ""}, follow=True)
    assert "接听电话" in missing.content.decode() or "took the call" in missing.content.decode()
    assert not D.objects.exists()
    assert login("office").post(f"/reporting/reports/{report.pk}/deliveries/", form).status_code == 302
    call = D.objects.get()
    assert (call.channel, call.state, call.confirmed_name, call.address) == ("phone", "received", "王值班", "0371-62121234")
    assert call.follow_up.kind == Kind.WRITTEN_REPORT
