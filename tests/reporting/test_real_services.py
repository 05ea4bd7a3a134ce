"""What only real services can show: two sweeps at once on PostgreSQL, and a real Celery worker
taking the delivery task from Redis. In CI (CI=true) these must run, never skip."""

import os
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from incidents import services as incidents
from reporting.models import Kind, Notification, Obligation
from reporting.sweep import sweep_due
from roles.models import Unit
from tests.reporting.deadlines import deadline_outbox

T0 = timezone.make_aware(timezone.datetime(2026, 11, 20, 9, 0))
IN_CI = os.environ.get("CI") == "true"


def _require(condition: bool, what: str):
    if not condition:
        if IN_CI:
            pytest.fail(f"CI must provide {what}")
        pytest.skip(f"needs {what}")


def _registered_incidents(cast, categories, n):
    import time_machine

    station = Unit.objects.get(code="chengguan")
    with time_machine.travel(T0, tick=False):
        for i in range(n):
            incidents.incident_file(actor=cast["office"], station=station, draft=True, title=f"登记事件{i}",
                                    category=categories["food_safety"], proposed_level=2)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_produce_no_duplicates(cast, categories):
    _require(connection.vendor == "postgresql", "PostgreSQL")
    _registered_incidents(cast, categories, 40)
    barrier, results, errors = threading.Barrier(2), [], []

    def sweep():
        try:
            barrier.wait()
            results.append(sweep_due(now=T0 + timedelta(minutes=61), batch=5))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    marked = results[0].marked_overdue + results[1].marked_overdue
    assert len(marked) == len(set(marked)) == 40  # each obligation marked by exactly one sweep
    assert Obligation.objects.filter(kind=Kind.FIRST_REPORT, status=Obligation.Status.OVERDUE).count() == 40
    rows = deadline_outbox().values_list("obligation_id", "step", "channel", "recipient")
    assert len(rows) == len(set(rows))


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_through_redis(cast, categories, celery_eager):
    _require(bool(settings.REDIS_URL), "Redis (REDIS_URL)")
    from celery.contrib.testing.worker import start_worker

    celery_eager.conf.task_always_eager = False
    _registered_incidents(cast, categories, 1)
    with start_worker(celery_eager, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        sweep_due(now=T0 + timedelta(minutes=30))  # queues reminders on commit
        deadline = time.monotonic() + 20
        # The station also hears of the registration itself (reporting.notices): the reminder is the sweep's.
        while time.monotonic() < deadline and not Notification.objects.filter(
                user=cast["station1"], step="reminder_half").exists():
            time.sleep(0.2)
    note = Notification.objects.get(user=cast["station1"], step="reminder_half")
    assert "首报" in note.title
    assert deadline_outbox().get(channel="in_app", recipient=str(cast["station1"].pk)).sent_at is not None


@pytest.mark.django_db
def test_array_literals_carry_any_recipient_text_and_nulls_exactly(cast, categories):
    """The sweep sends columns to PostgreSQL as array literals it quotes itself: awkward text and
    empty timestamps must arrive exactly as they were."""
    _require(connection.vendor == "postgresql", "PostgreSQL")
    from reporting.sweep import Due, insert_outbox, save_steps

    _registered_incidents(cast, categories, 1)
    obligation = Obligation.objects.get()
    awkward = ['https://qyapi.weixin.qq.com/hook?key=a,b{c}"d"\\e', "NULL", "", "  spaced  ", "监督所 值班"]
    ids = insert_outbox([(obligation.pk, "overdue", "webhook", text) for text in awkward], T0)
    assert sorted(deadline_outbox().values_list("recipient", flat=True)) == sorted(awkward)
    assert sorted(ids) == sorted(deadline_outbox().values_list("pk", flat=True))
    assert insert_outbox([(obligation.pk, "overdue", "webhook", awkward[0])], T0) == []  # queued once only
    save_steps([Due(obligation.pk, obligation.kind, obligation.incident_id, obligation.owner_unit_id, obligation.starts_at,
                    obligation.due_at, "overdue", T0, None)])
    obligation.refresh_from_db()
    assert (obligation.status, obligation.overdue_at, obligation.next_alert_at) == ("overdue", T0, None)
