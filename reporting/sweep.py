"""The deadline sweep: what Celery beat runs every DEADLINE_SWEEP_SECONDS, and `manage.py
sweep_deadlines` runs once. Rows due by the database clock are claimed in batches with
SELECT … FOR UPDATE SKIP LOCKED, so two sweeps at once share the work instead of doubling it;
each due step becomes outbox rows under a unique constraint, so a restart or a catch-up after
an outage sends nothing twice. Reminders whose deadline has already passed are not sent late.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reporting import obligations as rules
from reporting.delivery import enqueue
from reporting.models import Kind, Obligation, Outbox, SweepHeartbeat
from roles.models import Membership, Unit
from roles.selectors import office_section

REMINDERS = {Outbox.Step.REMINDER_HALF, Outbox.Step.REMINDER_SOON, Outbox.Step.REMINDER_DAY}


@dataclass
class SweepResult:
    now: object
    marked_overdue: list = field(default_factory=list)  # obligation ids
    messages: int = 0


def db_now():
    """The database's clock: lateness must not depend on which worker's clock is right."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_TIMESTAMP")
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite answers text in UTC
        value = parse_datetime(value.replace(" ", "T"))
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.timezone.utc)


def sweep_due(*, now=None, batch: int | None = None) -> SweepResult:
    """One sweep. `now` is for tests and the command; the beat uses the database clock."""
    started = timezone.now()
    now = now or db_now()
    batch = batch or settings.DEADLINE_SWEEP_BATCH
    result = SweepResult(now=now)
    while True:
        with transaction.atomic():
            ids = list(
                Obligation.objects.select_for_update(skip_locked=True)
                .filter(next_alert_at__lte=now)
                .order_by("next_alert_at")
                .values_list("pk", flat=True)[:batch]
            )
            for obligation in Obligation.objects.filter(pk__in=ids).select_related("incident", "owner_unit"):
                step_obligation(obligation, now, result)
        if len(ids) < batch:
            break
    SweepHeartbeat.objects.create(started_at=started, finished_at=timezone.now(),
                                  marked_overdue=len(result.marked_overdue), messages=result.messages)
    return result


def step_obligation(obligation: Obligation, now, result: SweepResult) -> None:
    """Everything due for one obligation at `now`: mark it overdue, queue its messages, move its clock on."""
    past_due = obligation.due_at <= now
    steps = []
    for step, at in rules.alert_schedule(obligation):
        if at > now:
            continue
        if step in REMINDERS and (past_due or obligation.status != Obligation.Status.PENDING):
            continue  # a reminder after the deadline helps nobody; the overdue notice says it
        steps.append(step)
    if past_due and obligation.status == Obligation.Status.PENDING:
        obligation.status, obligation.overdue_at = Obligation.Status.OVERDUE, now
        result.marked_overdue.append(obligation.pk)
        if obligation.kind == Kind.PROGRESS_REPORT:
            rules.progress_next(obligation.incident, obligation)  # the schedule goes on
    obligation.next_alert_at = rules.next_alert(obligation, after=now)
    obligation.save(update_fields=["status", "overdue_at", "next_alert_at"])
    rows = [Outbox(obligation=obligation, step=step, channel=channel, recipient=recipient)
            for step in steps for channel, recipient in recipients(step, obligation)]
    if rows:
        Outbox.objects.bulk_create(rows, ignore_conflicts=True)  # ON CONFLICT DO NOTHING
        unsent = Outbox.objects.filter(obligation=obligation, step__in=steps, sent_at=None).values_list("pk", flat=True)
        for outbox_id in unsent:
            enqueue(outbox_id)
        result.messages += len(rows)


def _units_for(step: str, obligation: Obligation) -> list[Unit]:
    if step in REMINDERS:
        return [obligation.owner_unit]
    if step == Outbox.Step.OVERDUE:
        return [u for u in {obligation.owner_unit, office_section()} if u is not None]
    return list(Unit.objects.filter(kind=Unit.Kind.LEADING_GROUP, is_active=True))  # escalation


def recipients(step: str, obligation: Obligation) -> list[tuple[str, str]]:
    found = []
    for unit in _units_for(step, obligation):
        for membership in Membership.objects.filter(unit=unit, user__is_active=True).select_related("user"):
            found.append((Outbox.Channel.IN_APP, str(membership.user_id)))
            if membership.user.email:
                found.append((Outbox.Channel.EMAIL, membership.user.email))
        if unit.robot_webhook_url:
            found.append((Outbox.Channel.WEBHOOK, unit.robot_webhook_url))
    return sorted(set(found))


def heartbeat_is_stale(now=None) -> bool:
    latest = SweepHeartbeat.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
    now = now or timezone.now()
    return latest is None or (now - latest).total_seconds() > settings.HEARTBEAT_STALE_SECONDS
