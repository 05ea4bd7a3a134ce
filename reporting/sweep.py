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

from incidents.models import Incident
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
    recipients = Recipients()
    while True:
        with transaction.atomic():
            ids = list(
                Obligation.objects.select_for_update(skip_locked=True)
                .filter(next_alert_at__lte=now)
                .order_by("next_alert_at")
                .values_list("pk", flat=True)[:batch]
            )
            if ids:
                sweep_batch(ids, now, result, recipients)
        if len(ids) < batch:
            break
    SweepHeartbeat.objects.create(started_at=started, finished_at=timezone.now(),
                                  marked_overdue=len(result.marked_overdue), messages=result.messages)
    return result


def sweep_batch(ids: list[int], now, result: SweepResult, recipients: "Recipients") -> None:
    """The claimed rows, set-based: one update, one outbox insert, one query for what to deliver."""
    # Only the columns the steps need: units come from the sweep's cache, the incident only for progress reports.
    obligations = list(Obligation.objects.filter(pk__in=ids).only(
        "id", "kind", "incident_id", "owner_unit_id", "starts_at", "due_at", "status", "overdue_at", "next_alert_at"))
    # Progress schedules go on only for incidents still under way: one query for the batch.
    active = set(Incident.objects.filter(
        pk__in={o.incident_id for o in obligations if o.kind == Kind.PROGRESS_REPORT}, status=Incident.Status.ACTIVE,
    ).values_list("pk", flat=True))
    outbox = []
    for obligation in obligations:
        for step in step_obligation(obligation, now, result, active):
            outbox += [(obligation.pk, step, channel, recipient) for channel, recipient in recipients.of(step, obligation)]
    save_steps(obligations)
    if outbox:
        insert_outbox(outbox, now)  # ON CONFLICT DO NOTHING: a step already queued is not queued again
        result.messages += len(outbox)
        unsent = list(Outbox.objects.filter(obligation_id__in=ids, sent_at=None, attempts=0).values_list("pk", flat=True))
        enqueue(unsent)  # one task for the batch; each row is still locked and sent once


def insert_outbox(rows: list[tuple], now) -> None:
    if connection.vendor != "postgresql":
        Outbox.objects.bulk_create([Outbox(obligation_id=o, step=s, channel=c, recipient=r) for o, s, c, r in rows],
                                   ignore_conflicts=True)
        return
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, 0, '')"] * len(rows))
    params = [p for o, s, c, r in rows for p in (o, s, c, r, now, now)]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reporting_outbox (obligation_id, step, channel, recipient, created_at, next_attempt_at, "
            f"attempts, last_error) VALUES {values} ON CONFLICT DO NOTHING",
            params,
        )


def save_steps(obligations: list[Obligation]) -> None:
    """Write the swept rows back in one statement (Django's bulk_update builds a CASE per row,
    which costs about a second per 500 rows; PostgreSQL takes the values as a table)."""
    if connection.vendor != "postgresql":
        Obligation.objects.bulk_update(obligations, ["status", "overdue_at", "next_alert_at"])
        return
    values = ", ".join(["(%s, %s, %s::timestamptz, %s::timestamptz)"] * len(obligations))
    params = [p for o in obligations for p in (o.pk, o.status, o.overdue_at, o.next_alert_at)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE reporting_obligation AS o SET status = v.status, overdue_at = v.overdue_at, "
            f"next_alert_at = v.next_alert_at FROM (VALUES {values}) AS v(id, status, overdue_at, next_alert_at) "
            f"WHERE o.id = v.id",
            params,
        )


def step_obligation(obligation: Obligation, now, result: SweepResult, active_incidents=None) -> list[str]:
    """Move one obligation to `now` (in memory): mark it overdue, move its clock on; return the steps to send."""
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
        if obligation.kind == Kind.PROGRESS_REPORT and (active_incidents is None or obligation.incident_id in active_incidents):
            rules.progress_next(obligation.incident, obligation)  # the schedule goes on
    obligation.next_alert_at = rules.next_alert(obligation, after=now)
    return steps


class Recipients:
    """Who gets each step, looked up once per unit per sweep (a sweep may carry thousands of rows)."""

    def __init__(self):
        self._by_unit = {}
        self._units = {}
        self._office = None
        self._leading = None

    def of(self, step: str, obligation: Obligation) -> list[tuple[str, str]]:
        owner = self._unit_by_id(obligation.owner_unit_id)
        if step in REMINDERS:
            units = [owner]
        elif step == Outbox.Step.OVERDUE:
            if self._office is None:
                self._office = office_section() or owner
            units = [owner, self._office]
        else:  # escalation
            if self._leading is None:
                self._leading = list(Unit.objects.filter(kind=Unit.Kind.LEADING_GROUP, is_active=True))
            units = self._leading
        found = set()
        for unit in units:
            found.update(self._unit(unit))
        return sorted(found)

    def _unit_by_id(self, unit_id: int) -> Unit:
        if unit_id not in self._units:
            self._units[unit_id] = Unit.objects.get(pk=unit_id)
        return self._units[unit_id]

    def _unit(self, unit: Unit) -> list[tuple[str, str]]:
        if unit.pk not in self._by_unit:
            found = []
            for membership in Membership.objects.filter(unit=unit, user__is_active=True).select_related("user"):
                found.append((Outbox.Channel.IN_APP, str(membership.user_id)))
                if membership.user.email:
                    found.append((Outbox.Channel.EMAIL, membership.user.email))
            if unit.robot_webhook_url:
                found.append((Outbox.Channel.WEBHOOK, unit.robot_webhook_url))
            self._by_unit[unit.pk] = found
        return self._by_unit[unit.pk]


def heartbeat_is_stale(now=None) -> bool:
    latest = SweepHeartbeat.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
    now = now or timezone.now()
    return latest is None or (now - latest).total_seconds() > settings.HEARTBEAT_STALE_SECONDS
