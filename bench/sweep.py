"""Benchmark of the deadline sweep (issue: `make bench`). Not a test: it prints figures.

Creates a throwaway PostgreSQL test database, fills it with 1,000,000 pending obligations
(none due), then times `sweep_due` with nothing due and with 1,000 due, and writes the
medians to docs/benchmarks.md. Needs DATABASE_URL pointing at PostgreSQL.
"""

import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emergency.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import get_runner  # noqa: E402,F401
from django.utils import timezone  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", 1_000_000))
DUE = 1_000
RUNS = int(os.environ.get("BENCH_RUNS", 7))


def main():
    if connection.vendor != "postgresql":
        sys.exit("make bench needs DATABASE_URL pointing at PostgreSQL")
    from emergency.celery import app

    app.conf.task_always_eager = False
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run():
    from incidents import services as incidents
    from incidents.models import Category
    from incidents.setup import categories_setup_from_plan
    from reporting import sweep as sweep_module
    from reporting.models import Obligation
    from reporting.sweep import sweep_due
    from roles.models import Unit, User
    from roles.services import membership_set
    from roles.setup import bureau_setup_from_plan

    sweep_module.enqueue = lambda outbox_ids: None  # measure the sweep, not the broker
    bureau_setup_from_plan()
    categories_setup_from_plan()
    office = User.objects.create_user("bench-office")
    membership_set(user=office, unit=Unit.objects.get(code="office"))
    station_user = User.objects.create_user("bench-station")
    station = Unit.objects.get(code="chengguan")
    membership_set(user=station_user, unit=station)
    incident = incidents.incident_file(actor=office, station=station, draft=True, title="bench",
                                       category=Category.objects.first(), proposed_level=2)
    now = timezone.now()
    far = now + timedelta(days=365)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO reporting_obligation
                (incident_id, kind, sequence, owner_unit_id, starts_at, due_at, status, next_alert_at, created_at,
                 waived_reason, waived_reason_key, waived_reason_params, discovery_accepted_reason)
            SELECT %s, 'progress_report', g + 100, %s, %s, %s + (g || ' seconds')::interval, 'pending',
                   %s + (g || ' seconds')::interval, %s, '', '', '{}', ''
            FROM generate_series(1, %s) AS g
            """,
            [incident.pk, station.pk, now, far, far, now, ROWS],
        )
        cursor.execute("ANALYZE reporting_obligation")
    fill = time.perf_counter() - started
    print(f"filled {Obligation.objects.count():,} obligations in {fill:.1f} s")

    idle = []
    for _ in range(RUNS):
        t = time.perf_counter()
        result = sweep_due(now=now)
        idle.append((time.perf_counter() - t) * 1000)
        assert not result.marked_overdue
    busy, untriggered = [], []
    for run in range(2 * RUNS):
        # 1,000 rows fall due: their deadline is just past, as after a missed hour.
        ids = list(Obligation.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)[:DUE])
        moment = now + timedelta(minutes=run)
        Obligation.objects.filter(pk__in=ids).update(starts_at=moment - timedelta(hours=1), due_at=moment,
                                                     next_alert_at=moment)
        # Every other run without the board's change counter (triggers of migration reporting 0024),
        # interleaved so that both see the same load: what the counter costs the sweep.
        with_counter = run % 2 == 0
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE reporting_obligation {'ENABLE' if with_counter else 'DISABLE'} TRIGGER USER")
        t = time.perf_counter()
        result = sweep_due(now=moment + timedelta(seconds=1))
        (busy if with_counter else untriggered).append((time.perf_counter() - t) * 1000)
        assert len(result.marked_overdue) == DUE, len(result.marked_overdue)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE reporting_obligation ENABLE TRIGGER USER")
    report(fill, idle, busy, untriggered)


def report(fill, idle, busy, untriggered):
    idle_median, busy_median, untriggered_median = statistics.median(idle), statistics.median(busy), statistics.median(untriggered)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, " \
              f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}"
    print(f"sweep with nothing due: median {idle_median:.1f} ms (target ≤ 10 ms); runs: {[round(x, 1) for x in idle]}")
    print(f"sweep with {DUE:,} due: median {busy_median:.1f} ms (target ≤ 50 ms); runs: {[round(x, 1) for x in busy]}")
    print(f"  the same without the board's change counter: median {untriggered_median:.1f} ms; "
          f"runs: {[round(x, 1) for x in untriggered]}")
    doc = ROOT / "docs" / "benchmarks.md"
    # Other benchmarks' sections (bench/pdf.py) are kept: this one rewrites only its own part.
    kept = doc.read_text(encoding="utf-8") if doc.exists() else ""
    kept = kept[kept.index("<!-- bench/"):] if "<!-- bench/" in kept else ""
    doc.write_text(
        "# Benchmarks\n\n"
        "Written by `make bench` (bench/sweep.py); rerun it to refresh. Not a test: figures, on this machine.\n\n"
        f"## Deadline sweep ({timezone.localtime():%Y-%m-%d})\n\n"
        f"Machine: {machine}. Database: {ROWS:,} pending obligations, none due (filled in {fill:.0f} s).\n"
        f"Medians of {len(idle)} runs; delivery enqueueing is left out (the broker is not measured).\n\n"
        "| case | median | target | runs (ms) |\n|---|---|---|---|\n"
        f"| nothing due | {idle_median:.1f} ms | ≤ 10 ms | {', '.join(f'{x:.1f}' for x in idle)} |\n"
        f"| {DUE:,} due (marked overdue, overdue notices queued) | {busy_median:.1f} ms | ≤ 50 ms | "
        f"{', '.join(f'{x:.1f}' for x in busy)} |\n"
        f"| the same without the board's change counter (triggers of migration reporting 0024; runs "
        f"interleaved) | {untriggered_median:.1f} ms | | {', '.join(f'{x:.1f}' for x in untriggered)} |\n\n"
        "## Reading\n\n"
        "- Nothing due: one range scan of the partial index `obligation_next_alert`, and the heartbeat\n"
        "  written in the same transaction; the million rows cost nothing.\n"
        "- 1,000 due: one transaction claims up to `DEADLINE_SWEEP_BATCH` (1,000) rows with\n"
        "  `FOR UPDATE SKIP LOCKED`, reading only the columns stepping needs, as plain values; steps each\n"
        "  in Python (the plan's schedule: reminders, overdue, escalation); writes them back with one\n"
        "  `UPDATE … FROM unnest(…)`; inserts the outbox rows (2 per obligation here: the station's and the\n"
        "  office's staff) with one `INSERT … SELECT … FROM unnest(…) ON CONFLICT DO NOTHING RETURNING id`;\n"
        "  and queues one delivery task for them. A second, empty claim ends the sweep.\n"
        "- Profiled: the update about 13 ms, the outbox insert about 20 ms, stepping about 6 ms, the rest\n"
        "  the claim, the recipients (looked up once per unit and step) and the commit.\n"
        "- How it got here: 13 s row by row; then set-based with `VALUES` lists and 500-row batches, 375 ms\n"
        "  (about 120 ms when remeasured on a quiet machine); then each column sent as one array literal\n"
        "  (psycopg2 sends a list as `ARRAY[…]`, one expression per value, and parsing those was a quarter\n"
        "  of the time); no redundant indexes on the obligation and\n"
        "  outbox tables (every index is rewritten for every row marked); no foreign-key check on the\n"
        "  outbox (2,000 keys checked at commit took 7 ms; the sweep writes outbox rows only for rows it\n"
        "  holds locked); 1,000 rows per transaction; the heartbeat in the last transaction.\n"
        "- Since then (issue 13, 2026-11-30): the pages' indexes on obligations (`obligation_due_order`,\n"
        "  `obligation_open_due`, `obligation_open_owner_due`) and six more subjects' unique constraints\n"
        "  took the busy sweep to 64 ms, as a marked row is a new row version in every index. The\n"
        "  subjects' constraints are partial now (an incident's row is in none of them): 52–54 ms. The\n"
        "  board's change counter (statement triggers) costs nothing measurable: the interleaved runs\n"
        "  without it are as fast. The 2–4 ms still over the target that day are index upkeep for pages\n"
        "  (the board, the home pages, the API's order), which were kept: a page is read far more often\n"
        "  than a thousand deadlines fall due at once.\n"
        + ("\n" + kept if kept else ""),
        encoding="utf-8",
    )
    print(f"wrote {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
