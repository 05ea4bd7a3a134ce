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
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from incidents.models import Incident
from reporting.clock import UNKNOWN_LEVEL, alert_schedule, due_after, next_alert
from reporting.delivery import enqueue
from reporting.models import Kind, Obligation, Outbox, ReportingRule, SweepHeartbeat
from reporting.on_duty import on_duty_people
from roles.models import Membership, Unit
from roles.selectors import leading_groups, office_section

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
    recipients = Recipients(now=now)
    while True:
        with transaction.atomic():
            # Claim and read in one query: rows another sweep holds are skipped, not waited for.
            obligations = [Due(*row) for row in (
                Obligation.objects.select_for_update(skip_locked=True)
                .filter(next_alert_at__lte=now)
                .order_by("next_alert_at")
                .values_list(*Due.__slots__)[:batch]
            )]
            if obligations:
                sweep_batch(obligations, now, result, recipients)
            done = len(obligations) < batch
            if done:  # in the last transaction: one commit fewer on every sweep
                SweepHeartbeat.objects.create(started_at=started, finished_at=timezone.now(),
                                              marked_overdue=len(result.marked_overdue), messages=result.messages)
        if done:
            return result


@dataclass(slots=True)
class Due:
    """What stepping one claimed obligation reads and writes: plain values, not a model instance
    (a sweep may claim a thousand rows; units come from the sweep's cache)."""

    pk: int
    kind: str
    incident_id: int | None  # None for a subject other than an incident (reporting.subjects)
    owner_unit_id: int
    starts_at: datetime.datetime
    due_at: datetime.datetime
    status: str
    overdue_at: datetime.datetime | None
    next_alert_at: datetime.datetime | None


def sweep_batch(obligations: list[Due], now, result: SweepResult, recipients: "Recipients") -> None:
    """The claimed rows, set-based: one update, one outbox insert that returns what to deliver."""
    # Progress schedules go on only for incidents still under way: one query for the batch.
    progress = {o.incident_id for o in obligations if o.kind == Kind.PROGRESS_REPORT and o.due_at <= now}
    active = (Incident.objects.filter(status=Incident.Status.ACTIVE).only("pk", "level", "status").in_bulk(progress)
              if progress else {})
    outbox = []
    marked_before = len(result.marked_overdue)
    stepped = [(obligation, step_obligation(obligation, now, result)) for obligation in obligations]
    # The schedule goes on for the progress rows this batch marked overdue: one insert for them all.
    just_marked = set(result.marked_overdue[marked_before:])
    progress_continue([o for o in obligations if o.kind == Kind.PROGRESS_REPORT and o.pk in just_marked
                       and o.incident_id in active], active)
    written = steps_written([obligation.pk for obligation, steps in stepped if steps])
    for obligation, steps in stepped:
        for step in steps:
            if (obligation.pk, step) not in written:
                outbox += [(obligation.pk, step, channel, recipient)
                           for channel, recipient in recipients.of(step, obligation)]
    save_steps(obligations)
    if outbox:
        # ON CONFLICT DO NOTHING: a step already queued is not queued again, nor delivered twice.
        created = insert_outbox(outbox, now)
        enqueue(created)  # one task per channel for the batch; each row is still sent once
        result.messages += len(created)  # what was queued, not the rows dropped as already there


def steps_written(obligation_ids: list[int]) -> set[tuple[int, str]]:
    """(obligation, step) pairs that already have outbox rows: such a step is not written again.
    A later sweep hands back the earlier steps too (the overdue notice at the escalation's sweep);
    the unique key dropped them, except for a recipient added in between (a robot URL set after the
    overdue sweep got the overdue notice 30 minutes late). One query per batch, on outbox_once."""
    if not obligation_ids:
        return set()
    if connection.vendor != "postgresql":
        return set(Outbox.objects.filter(obligation_id__in=obligation_ids).values_list("obligation_id", "step").distinct())
    with connection.cursor() as cursor:  # the ids as one array literal, not a thousand parameters (array_literal)
        cursor.execute("SELECT DISTINCT obligation_id, step FROM reporting_outbox WHERE obligation_id = ANY(%s::bigint[])",
                       [array_literal(obligation_ids)])
        return set(cursor.fetchall())


def insert_outbox(rows: list[tuple], now) -> list[int]:
    """Insert (obligation, step, channel, recipient) rows; return the ids of those that were new."""
    # Written `queued`: enqueue() hands them to the workers as the transaction commits. queued_at is
    # the real time (not the sweep's `now`, which a test or `--now` may set): requeueing judges it.
    queued_at = timezone.now()
    insert = ("INSERT INTO reporting_outbox (obligation_id, step, channel, recipient, created_at, next_attempt_at, "
              "attempts, last_error, state, queued_at, message_key) ")
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # SQLite in development: a row at a time is fast enough
            created = []
            for row in rows:
                cursor.execute(insert + "VALUES (%s, %s, %s, %s, %s, %s, 0, '', 'queued', %s, '') ON CONFLICT DO NOTHING RETURNING id",
                               [*row, now, now, queued_at])
                created += [found[0] for found in cursor.fetchall()]
            return created
        cursor.execute(
            insert + "SELECT o, s, c, r, %s, %s, 0, '', 'queued', %s, '' "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) "
            "AS t(o, s, c, r) ON CONFLICT DO NOTHING RETURNING id",
            [now, now, queued_at, *map(array_literal, zip(*rows))],
        )
        return [found[0] for found in cursor.fetchall()]


def save_steps(obligations: list[Due]) -> None:
    """Write the swept rows back in one statement (Django's bulk_update builds a CASE per row,
    which costs about a second per 500 rows; PostgreSQL takes the columns as arrays)."""
    if connection.vendor != "postgresql":
        Obligation.objects.bulk_update(
            [Obligation(pk=o.pk, status=o.status, overdue_at=o.overdue_at, next_alert_at=o.next_alert_at)
             for o in obligations], ["status", "overdue_at", "next_alert_at"])
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reporting_obligation AS o SET status = v.status, overdue_at = v.overdue_at, "
            "next_alert_at = v.next_alert_at "
            "FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::timestamptz[]) "
            "AS v(id, status, overdue_at, next_alert_at) WHERE o.id = v.id",
            [array_literal(o.pk for o in obligations), array_literal(o.status for o in obligations),
             array_literal(o.overdue_at for o in obligations), array_literal(o.next_alert_at for o in obligations)],
        )


def array_literal(values) -> str:
    """A column as one PostgreSQL array literal ('{"1","2"}', NULL for None), which the server reads
    in one go; psycopg2 sends a list as ARRAY[…] of one expression per value, and parsing those
    took a quarter of a busy sweep. Quoting per the PostgreSQL manual, "Array Value Input"."""
    return "{" + ",".join("NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
                          for v in values) + "}"


def step_obligation(obligation: Due, now, result: SweepResult) -> list[str]:
    """Move one obligation to `now` (in memory): mark it overdue, move its clock on; return the steps to send."""
    past_due = obligation.due_at <= now
    schedule = alert_schedule(obligation)
    steps = []
    for step, at in schedule:
        if at > now:
            continue
        if step in REMINDERS and (past_due or obligation.status != Obligation.Status.PENDING):
            continue  # a reminder after the deadline helps nobody; the overdue notice says it
        steps.append(step)
    if past_due and obligation.status == Obligation.Status.PENDING:
        # The miss happened at the deadline, whenever the sweep came round to it (rule 10).
        obligation.status, obligation.overdue_at = Obligation.Status.OVERDUE, obligation.due_at
        result.marked_overdue.append(obligation.pk)
    obligation.next_alert_at = min((at for _step, at in schedule if at > now), default=None)
    return steps


def progress_continue(missed: list[Due], active_incidents: dict[int, Incident]) -> list[Obligation]:
    """Rule 5 for a batch: each progress obligation just marked overdue (`missed`, of incidents in
    `active_incidents`, by id) is followed by the next period's, due one interval after the missed
    one was due (no drift), owed by the office. The batch form of obligations.progress_next (which
    the services use for one row), with the same clock and the same born-overdue rule as
    obligations.create: four queries for the batch (rules, office, last numbers, one insert)
    whatever its size, where the row-by-row path took four per row. Returns the rows created."""
    if not missed:
        return []
    limits = dict(((level, (minutes, days)) for level, minutes, days in ReportingRule.objects.filter(
        kind=Kind.PROGRESS_REPORT).values_list("level", "limit_minutes", "limit_days")))
    office = office_section()
    if office is None:
        return []
    incident_ids = {o.incident_id for o in missed}
    last = dict(Obligation.objects.filter(incident_id__in=incident_ids, kind=Kind.PROGRESS_REPORT)
                .values("incident_id").annotate(last=Max("sequence")).values_list("incident_id", "last"))
    now = timezone.now()  # as obligations.create: born overdue by the real clock
    rows = []
    for previous in missed:
        incident = active_incidents[previous.incident_id]
        minutes, days = limits.get(incident.level or UNKNOWN_LEVEL, (None, None))
        if minutes is None and days is None:
            continue  # the plan names no limit at this level
        starts_at = previous.due_at
        due_at = due_after(starts_at, minutes=minutes, days=days)
        last[incident.pk] = last.get(incident.pk, 0) + 1
        row = Obligation(incident_id=incident.pk, kind=Kind.PROGRESS_REPORT, sequence=last[incident.pk],
                         owner_unit=office, starts_at=min(starts_at, due_at), due_at=due_at, created_at=now)
        if due_at <= now:
            row.status, row.overdue_at = Obligation.Status.OVERDUE, due_at
        row.next_alert_at = next_alert(row, after=min(now, row.starts_at) - datetime.timedelta(seconds=1))
        rows.append(row)
    return Obligation.objects.bulk_create(rows)


class Recipients:
    """Who gets each step, looked up once per unit per sweep (a sweep may carry thousands of rows)."""

    def __init__(self, now=None):
        self._now = now  # the sweep's time: who is on duty then (reporting.on_duty)
        self._on_duty = {}  # bureau id → [(channel, recipient)] of the people on duty
        self._found = {}
        self._by_unit = {}
        self._units = {}
        self._office = {}  # bureau id → its office section (each county's own)
        self._leading = {}  # bureau id → its leading group(s)

    def of(self, step: str, obligation: Due) -> list[tuple[str, str]]:
        if step == Outbox.Step.ESCALATION and obligation.kind == Kind.MEASURE:
            key = (step, "commander", obligation.incident_id)  # 五(三): the HQ commander answers for the HQ's tasks
            if key not in self._found:
                self._found[key] = self._commander(obligation.incident_id, obligation.owner_unit_id)
            return self._found[key]
        key = (step, obligation.owner_unit_id)
        if key not in self._found:
            self._found[key] = self._look_up(step, obligation.owner_unit_id)
        return self._found[key]

    def _commander(self, incident_id: int, owner_unit_id: int | None) -> list[tuple[str, str]]:
        """A measure overdue past the grace goes to the HQ commander (or, without an HQ, the leading group)."""
        from incidents.models import CommandHQ

        hq = CommandHQ.objects.filter(incident_id=incident_id).select_related("commander").first()
        if hq is None or not hq.commander.is_active:
            return self._look_up(Outbox.Step.ESCALATION, owner_unit_id)
        found = [(Outbox.Channel.IN_APP, str(hq.commander_id))]
        if hq.commander.email:
            found.append((Outbox.Channel.EMAIL, hq.commander.email))
        return found

    def _look_up(self, step: str, owner_unit_id: int | None) -> list[tuple[str, str]]:
        owner = self._unit_by_id(owner_unit_id) if owner_unit_id is not None else None
        found = set()
        if step in REMINDERS:
            units = [owner]
        elif step == Outbox.Step.OVERDUE:  # the owner and its own bureau's office
            bureau = owner.bureau() if owner is not None else None
            key = bureau.pk if bureau is not None else None
            if key not in self._office:
                self._office[key] = office_section(bureau) or owner
            units = [owner, self._office[key]]
            # What goes to "the office" reaches the people on duty first (issue 14): one lookup per bureau.
            if bureau is not None and key not in self._on_duty:
                self._on_duty[key] = people_recipients(on_duty_people(bureau, self._now or timezone.now()))
            found.update(self._on_duty.get(key, []))
        else:  # escalation: the owner's own bureau's leading group (every one when the owner is unknown)
            bureau = owner.bureau() if owner is not None else None
            key = bureau.pk if bureau is not None else None
            if key not in self._leading:
                self._leading[key] = list(leading_groups(bureau))
            units = self._leading[key]
        for unit in units:
            found.update(self._unit(unit))
        return sorted(found)

    def _unit_by_id(self, unit_id: int) -> Unit:
        if unit_id not in self._units:
            self._units[unit_id] = Unit.objects.select_related("parent__parent").get(pk=unit_id)
        return self._units[unit_id]

    def _unit(self, unit: Unit) -> list[tuple[str, str]]:
        if unit.pk not in self._by_unit:
            self._by_unit[unit.pk] = unit_recipients(unit)
        return self._by_unit[unit.pk]


def people_recipients(users) -> list[tuple[str, str]]:
    """[(channel, recipient)] of people: each in the app, and by email when they have an address."""
    found = []
    for user in users:
        found.append((Outbox.Channel.IN_APP, str(user.pk)))
        if user.email:
            found.append((Outbox.Channel.EMAIL, user.email))
    return found


def unit_recipients(unit: Unit) -> list[tuple[str, str]]:
    """[(channel, recipient)] of a unit: each active member in the app and by email (when they have
    an address), and the unit's group robot when one is set."""
    found = []
    for membership in Membership.objects.filter(unit=unit, user__is_active=True).select_related("user"):
        found.append((Outbox.Channel.IN_APP, str(membership.user_id)))
        if membership.user.email:
            found.append((Outbox.Channel.EMAIL, membership.user.email))
    if unit.robot_webhook_url:
        found.append((Outbox.Channel.WEBHOOK, unit.robot_webhook_url))
    return found


def heartbeat_is_stale(now=None) -> bool:
    latest = SweepHeartbeat.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
    now = now or timezone.now()
    return latest is None or (now - latest).total_seconds() > settings.HEARTBEAT_STALE_SECONDS
