"""The duty log (值班电话记录, issue 14 part 2): a call is logged, registered as an incident for a station
(fields carried over, the first-report clock started, exactly once) or closed with a reason; systems
push entries idempotently; who may see and do what."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from duty import log
from duty.models import DutyLogEntry
from incidents.models import Incident, IncidentEvent
from incidents.selectors import incident_timeline
from reporting.clock import UNKNOWN_LEVEL, rule_limit
from reporting.models import Kind, Obligation
from roles.models import Membership, Unit, User
from tests.incidents.conftest import categories  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.django_db


def call(**overrides) -> dict:
    """What the person on duty writes down for a call (LOG_FIELDS)."""
    fields = {
        "channel": DutyLogEntry.Channel.PHONE,
        "subject": "城关镇某幼儿园午餐后多名儿童呕吐",
        "caller_unit": "城关镇中心幼儿园",
        "caller_name": "王园长",
        "caller_position": "园长",
        "caller_phone": "13800000000",
        "event_time": timezone.now() - timedelta(minutes=20),
        "event_place": "城关镇建设路8号",
        "event_cause": "疑似午餐食物不洁",
        "event_course": "12时许午餐后,陆续有9名儿童呕吐",
        "event_measures": "已送县人民医院,留存午餐样品",
        "event_result": "9名儿童在院观察",
        "event_impact": "全园儿童约200人",
        "event_trend": "暂无新增",
        "already_told": "城关镇政府、县卫健委",
    }
    fields.update(overrides)
    return fields


EVENT_TIME = timezone.now() - timedelta(minutes=20)  # one moment for every push of a test module


def push_body(**overrides) -> dict:
    body = {key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in call(event_time=EVENT_TIME).items()}
    body.update({"channel": "12315", "source": "12315", "external_id": "GD-2026-0001"})
    body.update(overrides)
    return body


@pytest.fixture
def chengguan(cast):
    return Unit.objects.get(code="chengguan")


@pytest.fixture
def system_account(cast):
    """The 12315 connector as README describes it: a member of the bureau's own unit (no role), holding
    the model permission duty.add_dutylogentry."""
    user = User.objects.create_user("sys12315", password="x" * 12, last_name="12315平台")
    Membership.objects.create(user=user, unit=Unit.objects.get(code="chengguan").parent)
    user.user_permissions.add(Permission.objects.get(codename="add_dutylogentry", content_type__app_label="duty"))
    return User.objects.get(pk=user.pk)  # a fresh object: no cached permissions


@pytest.fixture
def entry(cast):
    return log.duty_log_record(actor=cast["office"], **call())


# ---------------------------------------------------------------- recording


def test_the_office_logs_a_call_with_server_time(cast, chengguan):
    before = timezone.now()
    entry = log.duty_log_record(actor=cast["office"], **call())
    assert entry.status == DutyLogEntry.Status.OPEN and entry.recorded_by == cast["office"]
    assert entry.bureau == chengguan.parent
    assert before <= entry.received_at <= timezone.now() and entry.recorded_at == entry.received_at
    assert entry.event_time < entry.received_at  # the caller's time is its own field


@pytest.mark.parametrize("who", ["director", "deputy"])
def test_the_leading_group_may_log_a_call(cast, who):
    assert log.duty_log_record(actor=cast[who], **call()).recorded_by == cast[who]


@pytest.mark.parametrize("who", ["food", "station1", "outsider", "admin"])
def test_others_may_not_log_a_call(cast, who):
    with pytest.raises(PermissionDenied):
        log.duty_log_record(actor=cast[who], **call())
    assert not DutyLogEntry.objects.exists()


def test_bad_input_names_the_field_and_saves_nothing(cast):
    with pytest.raises(ValidationError) as caught:
        log.duty_log_record(actor=cast["office"], **call(subject="  ", event_time=timezone.now() + timedelta(days=1),
                                                        event_course="经" * (log.COURSE_LIMIT + 1)))
    assert set(caught.value.message_dict) == {"subject", "event_time", "event_course"}
    assert not DutyLogEntry.objects.exists()


# ---------------------------------------------------------------- registering an incident


def test_registering_carries_the_fields_over_and_starts_the_first_report_clock(cast, categories, chengguan, entry):
    incident = log.duty_log_register_incident(actor=cast["office"], entry=entry, station=chengguan,
                                              category=categories["food_safety"], proposed_level=2, nature="疑似食物中毒")
    entry.refresh_from_db()
    assert entry.status == DutyLogEntry.Status.REGISTERED and entry.incident == incident
    assert entry.registered_by == cast["office"] and entry.registered_at is not None
    assert incident.status == Incident.Status.AWAITING_REPORT and incident.station == chengguan
    assert incident.title == entry.subject and incident.category == categories["food_safety"]
    assert incident.occurred_at == entry.event_time and incident.discovered_at == entry.received_at
    assert incident.location == "城关镇建设路8号" and incident.nature == "疑似食物中毒"
    assert incident.description == "起因:疑似午餐食物不洁\n经过:12时许午餐后,陆续有9名儿童呕吐\n结果:9名儿童在院观察"
    assert (incident.scope, incident.trend, incident.measures_taken) == ("全园儿童约200人", "暂无新增", "已送县人民医院,留存午餐样品")
    assert (incident.reporter_name, incident.reporter_position, incident.reporter_phone) == ("王园长", "园长", "13800000000")
    assert incident.source == Incident.Source.HOTLINE and entry.reference in incident.source_detail
    assert incident.events.filter(kind=IncidentEvent.Kind.REGISTERED, actor=cast["office"]).exists()
    # The station owes the first report, 1 hour (the rule's limit at Ⅱ) after the event as the caller told it.
    minutes, _days = rule_limit(Kind.FIRST_REPORT, 2)
    obligation = Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)
    assert obligation.owner_unit == chengguan and obligation.status == Obligation.Status.PENDING
    assert obligation.starts_at == entry.event_time
    assert obligation.due_at == entry.event_time + timedelta(minutes=minutes)


def test_without_a_time_of_event_the_clock_runs_from_registration(cast, categories, chengguan):
    entry = log.duty_log_record(actor=cast["office"], **call(event_time=None))
    before = timezone.now()
    incident = log.duty_log_register_incident(actor=cast["office"], entry=entry, station=chengguan,
                                              category=categories["food_safety"])
    obligation = Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)
    minutes, _days = rule_limit(Kind.FIRST_REPORT, UNKNOWN_LEVEL)  # no level proposed: the strictest limit
    assert before <= obligation.starts_at <= timezone.now()
    assert obligation.due_at == obligation.starts_at + timedelta(minutes=minutes)


def test_a_12315_entry_becomes_a_12315_incident(cast, categories, chengguan):
    entry = log.duty_log_record(actor=cast["office"], **call(channel=DutyLogEntry.Channel.COMPLAINTS_12315))
    incident = log.duty_log_register_incident(actor=cast["office"], entry=entry, station=chengguan,
                                              category=categories["food_safety"])
    assert incident.source == Incident.Source.COMPLAINTS_12315


def test_the_incidents_timeline_names_the_log_entry(cast, categories, chengguan, entry):
    incident = log.duty_log_register_incident(actor=cast["office"], entry=entry, station=chengguan,
                                              category=categories["food_safety"])
    lines = [line for line in incident_timeline(incident) if line.kind == "duty_log"]
    assert len(lines) == 1 and entry.reference in lines[0].title and lines[0].at == entry.received_at
    assert any(value == "城关镇政府、县卫健委" for _label, value in lines[0].facts)


def test_a_second_registration_is_refused(cast, categories, chengguan, entry):
    log.duty_log_register_incident(actor=cast["office"], entry=entry, station=chengguan, category=categories["food_safety"])
    with pytest.raises(log.InvalidTransition) as caught:
        log.duty_log_register_incident(actor=cast["office"], entry=entry, station=chengguan,
                                       category=categories["food_safety"])
    entry.refresh_from_db()
    assert entry.incident.reference in str(caught.value)
    assert Incident.objects.count() == 1 and Obligation.objects.filter(kind=Kind.FIRST_REPORT).count() == 1


def test_only_the_office_registers(cast, categories, chengguan, entry):
    with pytest.raises(PermissionDenied):
        log.duty_log_register_incident(actor=cast["director"], entry=entry, station=chengguan,
                                       category=categories["food_safety"])
    assert not Incident.objects.exists()


def test_a_station_of_another_county_or_no_category_is_refused(counties, categories, entry):
    other = Unit.objects.get(code="xinzheng_chengguan")
    with pytest.raises(ValidationError) as caught:
        log.duty_log_register_incident(actor=counties["office"], entry=entry, station=other, category=None)
    assert set(caught.value.message_dict) == {"station", "category"}
    entry.refresh_from_db()
    assert entry.status == DutyLogEntry.Status.OPEN and not Incident.objects.exists()


# ---------------------------------------------------------------- closing


def test_closing_needs_a_reason(cast, entry):
    with pytest.raises(ValidationError) as caught:
        log.duty_log_close(actor=cast["office"], entry=entry, reason="  ")
    assert "reason" in caught.value.message_dict
    entry.refresh_from_db()
    assert entry.status == DutyLogEntry.Status.OPEN
    log.duty_log_close(actor=cast["office"], entry=entry, reason="非突发事件,已转12345热线")
    entry.refresh_from_db()
    assert entry.status == DutyLogEntry.Status.CLOSED and entry.closed_by == cast["office"] and entry.closed_at
    assert entry.close_reason == "非突发事件,已转12345热线"


def test_a_closed_entry_is_not_registered(cast, categories, chengguan, entry):
    log.duty_log_close(actor=cast["office"], entry=entry, reason="咨询类来电")
    with pytest.raises(log.InvalidTransition):
        log.duty_log_register_incident(actor=cast["office"], entry=entry, station=chengguan,
                                       category=categories["food_safety"])
    with pytest.raises(log.InvalidTransition):
        log.duty_log_close(actor=cast["office"], entry=entry, reason="again")
    assert not Incident.objects.exists()


# ---------------------------------------------------------------- idempotent pushes (API)


def test_a_push_creates_once_then_answers_the_stored_entry(api, system_account):
    client = api("office")
    client.force_authenticate(system_account)
    first = client.post("/api/duty-log/", push_body(), format="json")
    assert first.status_code == 201, first.content
    again = client.post("/api/duty-log/", push_body(), format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert DutyLogEntry.objects.count() == 1
    stored = DutyLogEntry.objects.get()
    assert (stored.source, stored.external_id, stored.channel) == ("12315", "GD-2026-0001", "12315")
    assert stored.recorded_by == system_account and stored.bureau.code == "bureau"
    # The system reads back what it pushed, nothing else.
    assert [row["id"] for row in client.get("/api/duty-log/").json()["results"]] == [stored.pk]


def test_a_push_with_the_same_key_and_other_content_keeps_the_first_and_answers_409(api, system_account):
    client = api("office")
    client.force_authenticate(system_account)
    client.post("/api/duty-log/", push_body(), format="json")
    response = client.post("/api/duty-log/", push_body(subject="另一件事", event_place="白沙镇"), format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["id"] == DutyLogEntry.objects.get().pk
    assert body["differences"] == {"subject": {"stored": "城关镇某幼儿园午餐后多名儿童呕吐", "pushed": "另一件事"},
                                   "event_place": {"stored": "城关镇建设路8号", "pushed": "白沙镇"}}
    assert DutyLogEntry.objects.get().subject == "城关镇某幼儿园午餐后多名儿童呕吐"


def test_two_pushes_racing_on_the_constraint_make_one_row(cast, system_account, monkeypatch):
    """The second push looked before the first had saved (its look-up found nothing): its insert hits
    the unique constraint, and it answers with the row the first push saved."""
    first, created = log.duty_log_push(actor=system_account, source="12315", external_id="R-1", **call())
    assert created
    looked = []
    real_find = log._find

    def not_yet(source, external_id):
        looked.append(1)
        return None if len(looked) == 1 else real_find(source, external_id)

    monkeypatch.setattr(log, "_find", not_yet)
    second, created = log.duty_log_push(actor=system_account, source="12315", external_id="R-1", **call(
        event_time=first.event_time))
    assert not created and second.pk == first.pk and len(looked) == 2
    assert DutyLogEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_in_threads_make_one_row(bureau):
    """Eight threads, each with its own database connection, push the same key at the same moment."""
    user = User.objects.create_user("sys12315", password="x" * 12)
    Membership.objects.create(user=user, unit=Unit.objects.get(code="bureau"))
    user.user_permissions.add(Permission.objects.get(codename="add_dutylogentry", content_type__app_label="duty"))
    fields = call()
    barrier, results, errors = threading.Barrier(8), [], []

    def push():
        try:
            actor = User.objects.get(pk=user.pk)
            barrier.wait(timeout=10)
            results.append(log.duty_log_push(actor=actor, source="12315", external_id="T-1", **fields))
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=push) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert DutyLogEntry.objects.filter(external_id="T-1").count() == 1
    assert sorted(created for _entry, created in results) == [False] * 7 + [True]
    assert len({entry.pk for entry, _created in results}) == 1


def test_a_push_needs_its_key_when_made_by_a_system(api, system_account):
    client = api("office")
    client.force_authenticate(system_account)
    response = client.post("/api/duty-log/", push_body(source="12315", external_id=""), format="json")
    assert response.status_code == 400 and "external_id" in response.json()
    assert not DutyLogEntry.objects.exists()


def test_the_office_records_through_the_api_without_a_key(api):
    client = api("office")
    for _ in range(2):
        assert client.post("/api/duty-log/", push_body(source="", external_id=""), format="json").status_code == 201
    assert DutyLogEntry.objects.count() == 2


def test_bad_pushes_are_400_in_chinese_and_save_nothing(api, system_account):
    client = api("office")
    client.force_authenticate(system_account)
    response = client.post("/api/duty-log/", push_body(subject="", event_course="经" * (log.COURSE_LIMIT + 1),
                                                        event_time="1999-12-31T00:00:00+08:00", channel="fax"),
                           format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"subject", "event_course", "event_time", "channel"}
    assert "不能为空" in errors["subject"][0] or "必填" in errors["subject"][0] and "2000" in errors["event_time"][0]
    assert not DutyLogEntry.objects.exists()


def test_someone_without_the_permission_may_not_push(api, cast):
    response = api("station1").post("/api/duty-log/", push_body(), format="json")
    assert response.status_code == 403 and "值班" in response.json()["detail"]
    assert api("anonymous").post("/api/duty-log/", push_body(), format="json").status_code == 401
    assert not DutyLogEntry.objects.exists()


# ---------------------------------------------------------------- the API's actions


def test_register_and_close_through_the_api(api, cast, categories):
    client = api("office")
    made = client.post("/api/duty-log/", push_body(source="", external_id=""), format="json").json()
    response = client.post(f"/api/duty-log/{made['id']}/register/", {"station": "chengguan", "category": "food_safety"},
                           format="json")
    assert response.status_code == 200 and response.json()["status"] == "registered"
    incident = Incident.objects.get(pk=response.json()["incident"])
    assert incident.title == made["subject"]
    again = client.post(f"/api/duty-log/{made['id']}/register/", {"station": "chengguan", "category": "food_safety"},
                        format="json")
    assert again.status_code == 409 and incident.reference in again.json()["detail"]
    assert client.post(f"/api/duty-log/{made['id']}/close/", {"reason": "x"}, format="json").status_code == 409
    other = client.post("/api/duty-log/", push_body(source="", external_id=""), format="json").json()
    assert client.post(f"/api/duty-log/{other['id']}/close/", {"reason": ""}, format="json").status_code == 400
    assert client.post(f"/api/duty-log/{other['id']}/close/", {"reason": "非突发事件"}, format="json").json()["status"] == "closed"


@pytest.mark.parametrize("who, expected", [("station1", 404), ("food", 404), ("outsider", 404), ("director", 200),
                                           ("admin", 200)])
def test_who_reads_an_entry_through_the_api(api, entry, who, expected):
    assert api(who).get(f"/api/duty-log/{entry.pk}/").status_code == expected


# ---------------------------------------------------------------- pages


def test_the_office_logs_a_call_and_registers_it_on_the_pages(login, cast, categories, chengguan):
    client = login("office")
    assert "/duty/log/" in client.get("/").content.decode()  # the office's home page links the log
    form = call()
    form["event_time"] = timezone.localtime(form["event_time"]).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/duty/log/new/", form)
    entry = DutyLogEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/duty/log/{entry.pk}/"
    page = client.get(f"/duty/log/{entry.pk}/").content.decode()
    assert "登记为突发事件并指派监管所" in page and "关闭" in page
    response = client.post(f"/duty/log/{entry.pk}/register/", {
        "station": chengguan.pk, "category": categories["food_safety"].pk, "title": entry.subject, "proposed_level": "2"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == DutyLogEntry.Status.REGISTERED
    assert f"/incidents/{entry.incident_id}/" in client.get(f"/duty/log/{entry.pk}/").content.decode()
    # A second try (an old tab): the 409 page says it is done.
    again = client.post(f"/duty/log/{entry.pk}/register/", {"station": chengguan.pk, "category": categories["food_safety"].pk,
                                                             "title": "x"})
    assert again.status_code == 409 and entry.incident.reference in again.content.decode()


def test_the_form_refuses_bad_input_in_chinese(login, cast):
    response = login("office").post("/duty/log/new/", {"channel": "phone", "subject": "", "event_time": "2099-01-01T00:00"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "这个字段是必填项" in body and "不能是未来的时间" in body
    assert not DutyLogEntry.objects.exists()


def test_closing_on_the_page_needs_a_reason(login, entry):
    client = login("office")
    assert client.post(f"/duty/log/{entry.pk}/close/", {"reason": ""}).status_code == 400
    assert client.post(f"/duty/log/{entry.pk}/close/", {"reason": "咨询"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == DutyLogEntry.Status.CLOSED


def test_the_list_filters_by_status_and_is_paginated(login, cast, django_assert_max_num_queries):
    office = cast["office"]
    DutyLogEntry.objects.bulk_create([
        DutyLogEntry(bureau=Unit.objects.get(code="bureau"), recorded_by=office, subject=f"来电{i}",
                     received_at=timezone.now() - timedelta(minutes=i)) for i in range(60)])
    closed = DutyLogEntry.objects.order_by("pk").first()
    DutyLogEntry.objects.filter(pk=closed.pk).update(status="closed", close_reason="咨询")
    client = login("office")
    client.get("/duty/log/")
    with django_assert_max_num_queries(13):  # 12 and the top bar's who-is-on-duty (duty.roster)
        body = client.get("/duty/log/").content.decode()
    assert body.count('href="/duty/log/') - body.count('href="/duty/log/new/') == 25 + 0
    assert body.index("来电0<") < body.index("来电1<")  # newest first
    assert "1 / 3" in body
    closed_page = client.get("/duty/log/?status=closed").content.decode()
    assert "来电0<" in closed_page and "来电1<" not in closed_page


@pytest.mark.parametrize("who, expected", [("office", 200), ("director", 200), ("admin", 200), ("station1", 403),
                                           ("food", 403), ("outsider", 403)])
def test_who_sees_the_list(login, cast, who, expected):
    assert login(who).get("/duty/log/").status_code == expected


@pytest.mark.parametrize("who, expected", [("station1", 404), ("station2", 404), ("food", 404), ("outsider", 404),
                                           ("director", 200), ("office", 200)])
def test_who_sees_an_entry_page(login, entry, who, expected):
    assert login(who).get(f"/duty/log/{entry.pk}/").status_code == expected


def test_another_county_sees_nothing_of_this_log(counties, api, entry):
    assert api("xz_office").get(f"/api/duty-log/{entry.pk}/").status_code == 404
    assert api("xz_office").get("/api/duty-log/").json()["results"] == []
