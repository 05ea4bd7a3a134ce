"""Every role hears what concerns it (issue 12 item 2): the station when the office registers an
incident for it, returns its report, activates, changes the level or ends its response; the
director and the deputy before escalation (a Ⅰ–Ⅲ report not yet verified) and after the end (the
team to name). Through the outbox (in-app, email, the unit's robot), listed on each home page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from incidents import services as incidents
from reporting import notices
from reporting.delivery import deliver_rows
from reporting.models import Notification, Outbox
from roles.models import Unit

pytestmark = pytest.mark.django_db


def _sent(incident, key):
    """Deliver the notice rows of `key` for this incident; {(channel, recipient)} they went to."""
    rows = Outbox.objects.filter(event__incident=incident, step=Outbox.Step.NOTICE, message_key=key)
    deliver_rows([row.pk for row in rows])
    return set(rows.values_list("channel", "recipient"))


def _app(people, *names):
    return {(Outbox.Channel.IN_APP, str(people[name].pk)) for name in names}


def _note(user, incident, key):
    return Notification.objects.get(user=user, incident=incident, message_key=key)


def test_the_station_hears_the_office_register_an_incident_for_it_by_every_channel(cast, categories, login):
    cast["station1"].email = "station1@example.gov.cn"
    cast["station1"].save(update_fields=["email"])
    Unit.objects.filter(code="chengguan").update(robot_webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    occurred = timezone.now() - timedelta(minutes=10)
    incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                       title="12315投诉:某超市销售过期食品", occurred_at=occurred, proposed_level=2,
                                       category=categories["food_safety"])
    rows = set(Outbox.objects.filter(event__incident=incident).values_list("channel", "recipient"))
    assert rows == _app(cast, "station1") | {
        (Outbox.Channel.EMAIL, "station1@example.gov.cn"),
        (Outbox.Channel.WEBHOOK, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")}
    email = Outbox.objects.get(event__incident=incident, channel=Outbox.Channel.EMAIL)
    deliver_rows([r.pk for r in Outbox.objects.filter(event__incident=incident).exclude(channel=Outbox.Channel.WEBHOOK)])
    due = timezone.localtime(occurred + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    note = _note(cast["station1"], incident, notices.REGISTERED)
    assert "首报" in note.title and due in note.title and incident.reference in note.title
    email.refresh_from_db()
    assert email.sent_at is not None and mail.outbox[-1].subject == note.title  # the same words, in Chinese
    assert note.title in login("station1").get("/").content.decode()  # listed on the station's home page
    assert not Notification.objects.filter(incident=incident).exclude(user=cast["station1"]).exists()


def test_the_station_hears_a_return_with_the_office_s_request_and_its_deadline(file_incident, cast):
    incident = file_incident(proposed_level=2)
    incidents.incident_return(actor=cast["office"], incident=incident, message="请补充送医人数")
    assert _sent(incident, notices.RETURNED) == _app(cast, "station1")
    note = _note(cast["station1"], incident, notices.RETURNED)
    assert note.body_text == "请补充送医人数" and "退回" in note.title_text


def test_the_station_hears_activation_level_change_and_end(file_incident, to_state, cast):
    incident = to_state(file_incident(proposed_level=2), "active")
    assert _app(cast, "station1") <= _sent(incident, notices.ACTIVATED)
    assert "Ⅱ级" in _note(cast["station1"], incident, notices.ACTIVATED).title_text
    incidents.incident_change_level(actor=cast["director"], incident=incident, level=1, reason="事态扩大")
    assert _app(cast, "station1") <= _sent(incident, notices.LEVEL_CHANGED)
    to_state(incident, "ended")
    assert _app(cast, "station1") <= _sent(incident, notices.ENDED)
    assert not Notification.objects.filter(user=cast["station2"], incident=incident).exists()


def test_director_and_deputy_hear_the_end_and_see_the_team_to_name_until_it_is(file_incident, to_state, cast, login):
    incident = to_state(file_incident(proposed_level=2), "ended")
    assert _sent(incident, notices.ENDED_LEADERS) == _app(cast, "director", "deputy")
    assert "调查" in _note(cast["deputy"], incident, notices.ENDED_LEADERS).title_text
    home = login("director").get("/").content.decode()
    assert 'id="awaiting-team"' in home and f"/incidents/{incident.pk}/" in home.split('id="awaiting-team"')[1]
    to_state(incident, "team_named")
    home = login("director").get("/").content.decode()
    assert f"/incidents/{incident.pk}/" not in home.split('id="awaiting-team"')[1].split("</section>")[0]


def test_the_leading_group_hears_a_severe_report_before_it_is_verified(file_incident, cast, login):
    severe = file_incident(proposed_level=2)
    assert _sent(severe, notices.UNVERIFIED) == _app(cast, "director", "deputy")
    general = file_incident(proposed_level=4, title="某商场价格投诉")
    assert _sent(general, notices.UNVERIFIED) == set()  # Ⅳ: no limit, nobody above the office is troubled
    home = login("deputy").get("/").content.decode()
    listed = home.split('id="unverified"')[1].split("</section>")[0]
    assert f"/incidents/{severe.pk}/" in listed and f"/incidents/{general.pk}/" in listed  # both seen, before escalation


def test_a_notice_reads_in_the_reader_s_language(cast, categories, login):
    incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                       title="12315投诉", occurred_at=timezone.now(), proposed_level=2,
                                       category=categories["food_safety"])
    _sent(incident, notices.REGISTERED)
    client = login("station1")
    assert "办公室为本所登记了事件" in client.get("/reporting/notifications/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/reporting/notifications/").content.decode()
    assert "The office registered" in page and "办公室为本所登记了事件" not in page
    api = client.get("/api/notifications/").json()["results"][0]
    assert api["title"].startswith("The office registered")


def test_many_notices_read_in_a_constant_number_of_queries(cast, login, django_assert_max_num_queries):
    from reporting.delivery import notify

    station = Unit.objects.get(code="chengguan")
    for n in range(30):
        notify([cast["office"]], step="station_report", title="旧文本", message_key="notice.station_report",
               message_params={"unit": station.message_param, "incident": f"2026-{n:05d} 事件"})
    client = login("office")
    with django_assert_max_num_queries(15):
        page = client.get("/reporting/notifications/").content.decode()
    assert page.count("报送了工作进展报告") == 30
