"""A drill's rectification items are deadlines of their owner unit (RECTIFICATION): due at 24:00 of
the deadline day, swept overdue when missed, fulfilled when the owner unit reports them done."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from readiness import services
from readiness.deadlines import local_day_end
from reporting.models import Kind, Obligation, Outbox
from reporting.sweep import sweep_due

pytestmark = pytest.mark.django_db


def _add(cast, drill, units, days=7):
    deadline = timezone.localdate() + datetime.timedelta(days=days)
    return services.rectification_add(actor=cast["office"], drill=drill, problem="首报超时。", action="修订值班报告流程。",
                                      owner_unit=units["chengguan"], deadline=deadline)


def test_an_item_is_an_obligation_of_its_owner_unit_due_at_the_end_of_its_day(cast, units, held_drill):
    item = _add(cast, held_drill, units)
    obligation = Obligation.objects.get(rectification=item)
    assert obligation.kind == Kind.RECTIFICATION and obligation.owner_unit == units["chengguan"]
    assert obligation.status == Obligation.Status.PENDING
    assert obligation.due_at == local_day_end(item.deadline)
    assert timezone.localtime(obligation.due_at).time() == datetime.time(0, 0)  # 24:00 of the deadline day, Beijing time


def test_a_missed_item_is_swept_overdue_and_the_owner_told(cast, units, held_drill):
    item = _add(cast, held_drill, units, days=3)
    obligation = Obligation.objects.get(rectification=item)
    sweep_due(now=obligation.due_at + datetime.timedelta(minutes=1))
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.OVERDUE and obligation.overdue_at == obligation.due_at
    steps = set(Outbox.objects.filter(obligation=obligation).values_list("step", flat=True))
    assert Outbox.Step.OVERDUE in steps


def test_done_by_the_owner_unit_fulfils_it_and_lateness_stays(cast, units, held_drill):
    item = _add(cast, held_drill, units, days=2)
    obligation = Obligation.objects.get(rectification=item)
    with time_machine.travel(obligation.due_at + datetime.timedelta(hours=5)):
        sweep_due(now=timezone.now())
        services.rectification_complete(actor=cast["station1"], item=item, note="已修订流程并培训。")
    obligation.refresh_from_db()
    item.refresh_from_db()
    assert obligation.status == Obligation.Status.FULFILLED
    assert obligation.late_by_seconds == 5 * 3600 and obligation.overdue_at == obligation.due_at
    assert item.done_by == cast["station1"] and item.done_note == "已修订流程并培训。"


def test_done_on_time_is_not_late(cast, units, held_drill):
    item = _add(cast, held_drill, units)
    services.rectification_complete(actor=cast["station1"], item=item, note="已整改。")
    obligation = Obligation.objects.get(rectification=item)
    assert obligation.status == Obligation.Status.FULFILLED and obligation.late_by_seconds is None


@pytest.mark.parametrize("who", ["station2", "food", "director"])
def test_only_the_owner_unit_reports_an_item_done(cast, units, held_drill, who):
    item = _add(cast, held_drill, units)
    with pytest.raises(PermissionDenied):
        services.rectification_complete(actor=cast[who], item=item, note="完成。")
    assert Obligation.objects.get(rectification=item).status == Obligation.Status.PENDING


@pytest.mark.parametrize("who", ["station1", "food", "director"])
def test_only_the_office_records_items(cast, units, held_drill, who):
    with pytest.raises(PermissionDenied):
        services.rectification_add(actor=cast[who], drill=held_drill, problem="p", action="a", owner_unit=units["chengguan"],
                                   deadline=timezone.localdate())
    assert not Obligation.objects.filter(kind=Kind.RECTIFICATION).exists()


@pytest.mark.parametrize("deadline, field", [
    (datetime.date(2001, 1, 1), "deadline"),
    (datetime.date(9999, 12, 31), "deadline"),
])
def test_a_deadline_in_the_past_or_absurd_is_refused(cast, units, held_drill, deadline, field):
    with pytest.raises(ValidationError) as caught:
        services.rectification_add(actor=cast["office"], drill=held_drill, problem="p", action="a",
                                   owner_unit=units["chengguan"], deadline=deadline)
    assert field in caught.value.message_dict
    assert not held_drill.rectifications.exists()


def test_an_owner_of_another_bureau_is_refused(cast, counties, units, held_drill):
    from roles.models import Unit

    with pytest.raises(ValidationError) as caught:
        services.rectification_add(actor=cast["office"], drill=held_drill, problem="p", action="a",
                                   owner_unit=Unit.objects.get(code="xinzheng_chengguan"), deadline=timezone.localdate())
    assert "owner_unit" in caught.value.message_dict


def test_an_overdue_item_is_on_the_board_named_and_linked_to_its_drill(cast, units, held_drill, login):
    item = _add(cast, held_drill, units, days=1)
    obligation = Obligation.objects.get(rectification=item)
    sweep_due(now=obligation.due_at + datetime.timedelta(minutes=1))
    with time_machine.travel(obligation.due_at + datetime.timedelta(minutes=2)):
        body = login("office").get("/reporting/board/").content.decode()
    assert held_drill.title in body and f"/readiness/drills/{held_drill.pk}/" in body
    assert "演练整改" in body
