"""Early-warning deployments (节前预警部署, plan 三(三)4 2)): opened by beat EARLY_WARNING_DAYS before each
holiday's first day by the `holidays` calendar (Spring Festival moves year to year), once per bureau
and occasion, late after missed days; their tasks are obligations the one sweep reminds, marks
overdue and escalates, and the accountability record keeps. Time is moved with time-machine."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from alerts import services
from alerts.calendar import first_days
from alerts.models import Deployment, HolidayTrigger, TaskTemplate
from incidents.services import InvalidTransition
from reporting.models import Kind, Obligation, Outbox
from reporting.sweep import sweep_due

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")
PLAN_FOUR = ["new_year", "spring_festival", "labour_day", "national_day"]


def _at(day: datetime.date, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LOCAL)


def _open_on(day: datetime.date):
    """Beat's run at 09:00 local on `day`, with the clock there."""
    with time_machine.travel(_at(day), tick=False):
        return services.open_deployments(today=day)


def _end_of(day):
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=LOCAL)


def test_the_calendar_knows_where_spring_festival_falls():
    days = {(h.key, h.first_day.year): h.first_day for h in first_days(PLAN_FOUR, [2027, 2028])}
    # The State Council gives New Year's Eve off in 2027; in 2028 the holiday starts on the first day.
    assert days[("spring_festival", 2027)] == datetime.date(2027, 2, 5)
    assert days[("spring_festival", 2028)] == datetime.date(2028, 1, 25)
    assert days[("national_day", 2027)] == datetime.date(2027, 10, 1)
    assert days[("new_year", 2028)] == datetime.date(2028, 1, 1)


def test_the_plans_four_holidays_open_deployments_the_others_are_switched_off():
    assert set(HolidayTrigger.objects.filter(active=True).values_list("key", flat=True)) == set(PLAN_FOUR)
    assert HolidayTrigger.objects.filter(active=False).count() == 3


@pytest.mark.parametrize("year", [2027, 2028])
def test_spring_festival_opens_seven_days_before_its_first_day(cast, settings, year):
    settings.EARLY_WARNING_DAYS = 7
    first = next(h.first_day for h in first_days(["spring_festival"], [year]) if h.key == "spring_festival")
    assert _open_on(first - datetime.timedelta(days=8)) == []
    opened = _open_on(first - datetime.timedelta(days=7))
    assert [(d.bureau.code, d.holiday.key, d.first_day, d.opens_on) for d in opened] == [
        ("bureau", "spring_festival", first, first - datetime.timedelta(days=7))]
    deployment = opened[0]
    tasks = list(deployment.tasks.order_by("number").values_list("number", "owner_unit__code", "due_at"))
    templates = TaskTemplate.objects.filter(bureau=None).order_by("number")
    assert tasks == [(t.number, {1: "office", 19: "complaints_12315"}[t.owner_number],
                      _end_of(first - datetime.timedelta(days=t.days_before))) for t in templates]
    obligations = list(Obligation.objects.filter(deployment=deployment).order_by("sequence")
                       .values_list("kind", "sequence", "owner_unit__code", "due_at", "status", "incident"))
    assert obligations == [(Kind.DEPLOYMENT_TASK, n, unit, due, "pending", None) for n, unit, due in tasks]


def test_national_day_and_a_setting_of_ten_days(cast, settings):
    settings.EARLY_WARNING_DAYS = 10
    assert _open_on(datetime.date(2027, 9, 20)) == []
    opened = _open_on(datetime.date(2027, 9, 21))
    assert [(d.holiday.key, d.first_day) for d in opened] == [("national_day", datetime.date(2027, 10, 1))]


def test_beat_twice_opens_once_and_a_missed_week_still_opens_late(cast):
    first = datetime.date(2027, 2, 5)
    assert len(_open_on(first - datetime.timedelta(days=7))) == 1
    assert _open_on(first - datetime.timedelta(days=7)) == []
    assert _open_on(first - datetime.timedelta(days=6)) == []
    assert Deployment.objects.count() == 1
    # Another year: beat was down for days and comes back three days before National Day.
    late = _open_on(datetime.date(2027, 9, 28))
    assert [d.holiday.key for d in late] == ["national_day"]
    statuses = dict(Obligation.objects.filter(deployment=late[0]).values_list("sequence", "status"))
    # Task 1 (the inspection plan, due 5 days before) was already late when it opened: born overdue.
    assert statuses == {1: "overdue", 2: "pending", 3: "pending", 4: "pending"}
    assert Obligation.objects.get(deployment=late[0], sequence=1).overdue_at == _end_of(datetime.date(2027, 9, 26))
    # After the first day nothing opens any more for it.
    assert _open_on(datetime.date(2027, 10, 2)) == []


def test_tasks_overdue_are_swept_escalated_and_kept_in_the_record(cast, api):
    first = datetime.date(2027, 2, 5)
    deployment = _open_on(first - datetime.timedelta(days=7))[0]
    task3 = Obligation.objects.get(deployment=deployment, sequence=3)  # consumer warning, 12315, 2 days before
    assert task3.due_at == _end_of(datetime.date(2027, 2, 3))
    after = task3.due_at + datetime.timedelta(hours=1)
    with time_machine.travel(after, tick=False):
        sweep_due(now=after)
    task3.refresh_from_db()
    assert (task3.status, task3.overdue_at) == ("overdue", task3.due_at)
    steps = set(Outbox.objects.filter(obligation=task3).values_list("step", flat=True))
    assert {"overdue", "escalation"} <= steps
    # The owner (12315) and the office are told in the portal; the leading group on escalation.
    in_app = set(Outbox.objects.filter(obligation=task3, channel="in_app").values_list("step", "recipient"))
    assert ("overdue", str(cast["office"].pk)) in in_app and ("escalation", str(cast["director"].pk)) in in_app, in_app
    with time_machine.travel(after, tick=False):
        record = api("office").get("/api/accountability/", {"start": "2027-02-01", "end": "2027-02-05"}).json()
    units = {row["unit"]: row for row in record["units"]}
    # Every task of the deployment is counted under its owner; task 3 (and 1, 2, past by then) are misses.
    assert (units["complaints_12315"]["total"], units["complaints_12315"]["missed"]) == (2, 1)
    assert (units["office"]["total"], units["office"]["missed"]) == (2, 2)
    failures = {(f["unit"], f["sequence"]) for f in record["failures"] if f["kind"] == "deployment_task"}
    assert failures == {("office", 1), ("office", 2), ("complaints_12315", 3)}


def test_the_owner_unit_reports_its_task_done(drafters):
    cast = drafters
    first = datetime.date(2027, 2, 5)
    deployment = _open_on(first - datetime.timedelta(days=7))[0]
    task = deployment.tasks.get(number=3)
    with time_machine.travel(_at(first - datetime.timedelta(days=4)), tick=False):
        for who in ("station1", "office", "press"):
            with pytest.raises(PermissionDenied):
                services.deployment_task_complete(actor=cast[who], task=task, note="已起草")
        services.deployment_task_complete(actor=cast["hotline"], task=task, note="消费预警已起草并经局长批准发布")
        with pytest.raises(InvalidTransition):
            services.deployment_task_complete(actor=cast["hotline"], task=task, note="再报一次")
    obligation = Obligation.objects.get(deployment=deployment, sequence=3)
    assert (obligation.status, obligation.late_by_seconds) == ("fulfilled", None)
    # Late: task 1 after its deadline stays late on the record.
    task1 = deployment.tasks.get(number=1)
    with time_machine.travel(_end_of(first - datetime.timedelta(days=5)) + datetime.timedelta(hours=2), tick=False):
        services.deployment_task_complete(actor=cast["office"], task=task1, note="检查方案已下发")
    assert Obligation.objects.get(deployment=deployment, sequence=1).late_by_seconds == 7200
    for number in (2, 4):
        owner = "office" if number == 2 else "hotline"
        services.deployment_task_complete(actor=cast[owner], task=deployment.tasks.get(number=number), note="完成")
    deployment.refresh_from_db()
    assert deployment.status == "done"


def test_a_major_event_the_office_adds_opens_its_deployment(cast):
    bureau = cast["office"].memberships.get().unit.bureau()
    with pytest.raises(PermissionDenied):
        services.major_event_save(actor=cast["station1"], bureau=bureau, name="农博会", starts_on=datetime.date(2027, 6, 10),
                                  ends_on=datetime.date(2027, 6, 12))
    event = services.major_event_save(actor=cast["office"], bureau=bureau, name="中国农产品交易博览会",
                                      starts_on=datetime.date(2027, 6, 10), ends_on=datetime.date(2027, 6, 12), places="会展中心")
    opened = _open_on(datetime.date(2027, 6, 3))
    assert [(d.major_event, d.first_day) for d in opened] == [(event, datetime.date(2027, 6, 10))]
    with pytest.raises(InvalidTransition):
        services.major_event_delete(actor=cast["office"], event=event)


def test_the_office_edits_its_bureaus_template(cast):
    bureau = cast["office"].memberships.get().unit.bureau()
    rows = services.task_templates_for(bureau)
    assert [r.number for r in rows] == [1, 2, 3, 4] and all(r.bureau == bureau for r in rows)
    with pytest.raises(PermissionDenied):
        services.task_template_save(actor=cast["station1"], bureau=bureau, template=rows[1], title="值班表",
                                    owner_number=1, days_before=3)
    services.task_template_save(actor=cast["office"], bureau=bureau, template=rows[1], title="节日值班表编排并公布",
                                owner_number=1, days_before=4)
    added = services.task_template_save(actor=cast["office"], bureau=bureau, title="价格监督检查", owner_number=12,
                                        days_before=2)
    assert added.number == 5
    deployment = _open_on(datetime.date(2027, 4, 24))[0]  # May Day 2027-05-01
    tasks = dict(deployment.tasks.values_list("number", "due_at"))
    assert tasks[2] == _end_of(datetime.date(2027, 4, 27)) and 5 in tasks
    assert TaskTemplate.objects.filter(bureau=None).get(number=2).days_before == 3  # the plan's default untouched


def test_deployment_pages_and_api_by_role(drafters, login, api):
    deployment = _open_on(datetime.date(2027, 1, 29))[0]
    url = reverse("alerts:deployment_detail", args=[deployment.pk])
    assert "消费预警起草并经领导审批" in login("office").get(url).content.decode()
    assert login("hotline").get(url).status_code == 200  # owes tasks in it
    assert login("station1").get(url).status_code == 404
    assert api("director").get("/api/deployments/").json()["count"] == 1
    assert api("station1").get("/api/deployments/").json()["count"] == 0
    done = api("hotline").post(f"/api/deployments/{deployment.pk}/complete-task/", {"task": 3, "note": "已发布"}, format="json")
    assert done.status_code == 200 and done.json()["tasks"][2]["done_by"] == "hotline"
    refused = api("office").post(f"/api/deployments/{deployment.pk}/complete-task/", {"task": 4, "note": "x"}, format="json")
    assert refused.status_code == 403
    assert api("hotline").post(f"/api/deployments/{deployment.pk}/complete-task/", {"task": 3, "note": "x"},
                               format="json").status_code == 409
    blank = api("hotline").post(f"/api/deployments/{deployment.pk}/complete-task/", {"task": 4, "note": " "}, format="json")
    assert blank.status_code == 400 and "note" in blank.json()
    assert api("hotline").post(f"/api/deployments/{deployment.pk}/complete-task/", {"task": 9, "note": "x"},
                               format="json").status_code == 400
    page = login("hotline").post(reverse("alerts:task_complete", args=[deployment.pk, 4]), {f"task{deployment.tasks.get(number=4).pk}-note": ""})
    assert page.status_code == 400


def test_a_holiday_switched_on_opens_deployments_too(cast):
    assert _open_on(datetime.date(2027, 9, 8)) == []  # Mid-Autumn (2027-09-15) is off by default
    HolidayTrigger.objects.filter(key="mid_autumn").update(active=True)
    opened = _open_on(datetime.date(2027, 9, 8))
    assert [(d.holiday.key, d.first_day, d.name) for d in opened] == [("mid_autumn", datetime.date(2027, 9, 15), "中秋节")]


def test_beat_runs_the_opening_every_hour_on_the_sweep_queue(cast, settings):
    from django.conf import settings as conf

    from alerts.tasks import open_early_warning_deployments

    entry = conf.CELERY_BEAT_SCHEDULE["open-early-warning-deployments"]
    assert (entry["task"], entry["schedule"]) == ("alerts.tasks.open_early_warning_deployments", 3600.0)
    assert conf.CELERY_TASK_ROUTES["alerts.tasks.open_early_warning_deployments"] == {"queue": "sweep"}
    with time_machine.travel(_at(datetime.date(2027, 9, 24)), tick=False):  # today from the clock, Asia/Shanghai
        assert open_early_warning_deployments.delay().get() == 1
        assert open_early_warning_deployments.delay().get() == 0


def test_the_overdue_board_names_and_links_the_deployment(cast, login):
    deployment = _open_on(datetime.date(2027, 9, 28))[0]  # task 1 born overdue
    page = login("office").get(reverse("reporting:board")).content.decode()
    assert "预警部署 国庆节(“十一”) 2027-10-01 · 任务1" in page
    assert reverse("alerts:deployment_detail", args=[deployment.pk]) + "#task-1" in page


def test_the_publicity_section_drafts_a_release_for_a_deployment(drafters, api):
    deployment = _open_on(datetime.date(2027, 1, 29))[0]
    created = api("press").post("/api/releases/", {"kind": "news", "deployment": deployment.pk, "title": "春节市场安全部署",
                                                   "body": "全局部署节日市场安全检查。"}, format="json")
    assert created.status_code == 201 and created.json()["deployment"] == deployment.pk
    assert api("station1").get(f"/api/deployments/{deployment.pk}/").status_code == 404


def test_the_leaders_approval_of_the_consumer_warning_completes_its_task(drafters):
    """Task 3 of the plan's template (消费预警起草并经领导审批) is done when the leader approves a consumer
    warning linked to the deployment: by the approver, at the approval, on time or late as then. A
    market warning, or a consumer warning of no deployment, completes nothing."""
    from alerts.models import Release
    from tests.alerts.conftest import warning_fields

    cast = drafters
    first = datetime.date(2027, 2, 5)
    deployment = _open_on(first - datetime.timedelta(days=7))[0]
    assert TaskTemplate.objects.get(bureau=None, number=3).done_on_approval == Release.Kind.CONSUMER_WARNING
    assert [t.number for t in deployment.tasks.exclude(done_on_approval="")] == [3]
    approved_at = _at(first - datetime.timedelta(days=3))
    with time_machine.travel(approved_at, tick=False):
        for kind, linked in ((Release.Kind.MARKET_WARNING, deployment), (Release.Kind.CONSUMER_WARNING, None)):
            other = services.release_draft(actor=cast["hotline"], kind=kind, deployment=linked, **warning_fields())
            services.release_approve(actor=cast["director"], release=services.release_submit(actor=cast["hotline"], release=other))
        assert deployment.tasks.get(number=3).done_at is None
        warning = services.release_draft(actor=cast["hotline"], kind=Release.Kind.CONSUMER_WARNING, deployment=deployment,
                                         **warning_fields(title="春节消费提示"))
        services.release_approve(actor=cast["director"], release=services.release_submit(actor=cast["hotline"], release=warning))
    task = deployment.tasks.get(number=3)
    assert (task.done_at, task.done_by, task.note) == (approved_at, cast["director"], "已批准：春节消费提示")
    obligation = Obligation.objects.get(deployment=deployment, sequence=3)
    assert (obligation.status, obligation.late_by_seconds) == ("fulfilled", None)
    assert deployment.tasks.filter(done_at=None).count() == 3  # the others are the owners' to report


def test_the_office_may_name_the_release_that_completes_a_task(cast):
    from alerts.models import Release

    from roles.models import Unit

    bureau = Unit.objects.get(code="bureau")
    template = services.task_template_save(actor=cast["office"], bureau=bureau, title="市场预警发布", owner_number=1,
                                           days_before=2, done_on_approval=Release.Kind.MARKET_WARNING)
    assert TaskTemplate.objects.get(pk=template.pk).done_on_approval == "market_warning"
