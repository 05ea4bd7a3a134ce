"""The province-like data set of bench/province.py (issue 13), written into a throwaway database.

The organization and the people come from the real setup services: `seed_demo` builds the county
of the plan (its 12 stations, sections, leading group and the demo cast); 29 more county bureaus,
each with a leading group, its office, the office section and 4 stations, are made with the same
unit services, all under one city bureau. The bulk rows are written by `INSERT … SELECT` over
`generate_series`, set-based, filling every NOT NULL column the models declare (see `_insert`):

- 100,000 incidents over three years, across every status (most closed; ~1.3 % under way);
- about 1,000,000 obligations: the first report, the upward report (Ⅰ–Ⅲ), the progress reports of
  each activated incident on its level's cadence, the final and after-action reports; those of
  incidents under way still open (pending or overdue), the rest fulfilled, one in ten late;
- one report per fulfilled obligation (linked to it), about 8 events per incident, notifications
  for the county's staff, and the HQ grants (view_incident for the lead and the category's section,
  and for a neighbouring station one time in five) of every activated incident at Ⅰ–Ⅲ;
- one incident driven through the real services to activation, then commented on to 500 events.

Deterministic (no random numbers): rerunning gives the same database.
"""

import io
import os
import time
from datetime import timedelta

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", 100_000))
COUNTIES = 30  # the plan's county and 29 copies
STATIONS_PER_COPY = 4
LONG_TIMELINE = 500
PASSWORD = "bench-password-0123"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def generate() -> dict:
    """Fill the (migrated, empty) database. Returns what the timings need: user names, ids."""
    started = time.perf_counter()
    call_command("seed_demo", force=True, password=PASSWORD, stdout=io.StringIO())
    organization()
    log("organization ready")
    now = timezone.now()
    with transaction.atomic():
        bulk_rows(now)
    log("bulk rows written")
    long_id = long_timeline()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics and visibility map, as autovacuum would leave them
    log(f"generated in {time.perf_counter() - started:.0f} s")
    return {"long_incident": long_id}


@transaction.atomic
def organization() -> None:
    from roles.models import Membership, Unit, User
    from roles.services import membership_set, unit_group_ensure

    def unit(code, kind, parent, name, **fields):
        made = Unit.objects.create(code=code, kind=kind, parent=parent, name=name, name_en=code, **fields)
        unit_group_ensure(made)
        return made

    city = unit("bench-city", Unit.Kind.BUREAU, None, "某市市场监督管理局")
    Unit.objects.filter(kind=Unit.Kind.BUREAU).exclude(pk=city.pk).update(parent=city)
    for county in range(2, COUNTIES + 1):
        bureau = unit(f"c{county}", Unit.Kind.BUREAU, city, f"第{county}县市场监督管理局")
        group = unit(f"c{county}-lg", Unit.Kind.LEADING_GROUP, bureau, f"第{county}县应急领导小组")
        office = unit(f"c{county}-office", Unit.Kind.SECTION, bureau, f"第{county}县办公室", number=1)
        unit(f"c{county}-lgo", Unit.Kind.LEADING_GROUP_OFFICE, group, f"第{county}县领导小组办公室", housed_in=office)
        for number in range(1, STATIONS_PER_COPY + 1):
            station = unit(f"c{county}-s{number}", Unit.Kind.STATION, bureau, f"第{county}县第{number}所",
                           number=number)
            user = User.objects.create(username=f"c{county}-s{number}-staff", last_name="所员")
            membership_set(user=user, unit=station, role=Membership.Role.STAFF)
        user = User.objects.create(username=f"c{county}-office-staff", last_name="科员")
        membership_set(user=user, unit=office, role=Membership.Role.STAFF)


def _insert(cursor, model, columns: dict, source: str, params=()) -> int:
    """INSERT INTO model's table (columns…) SELECT expressions… `source`; every other NOT NULL
    column gets its model default (so the rows follow the schema as it changes). Returns rows."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    values = dict(columns)
    for column, field in fields.items():
        if column in values or field.null or field.primary_key:
            continue
        default = field.get_default()
        if field.get_internal_type() == "JSONField":
            values[column] = "'{}'::jsonb" if default in ({}, None) else "'[]'::jsonb"
        elif isinstance(default, bool):
            values[column] = "true" if default else "false"
        elif isinstance(default, (int, float)):
            values[column] = str(default)
        elif default is None:
            values[column] = "''"
        elif isinstance(default, str):
            values[column] = "'" + default.replace("'", "''") + "'"
        else:
            raise ValueError(f"{model.__name__}.{column}: give a value, no plain default")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(values)}) SELECT {', '.join(values.values())} {source}"
    cursor.execute(sql, params or None)
    return cursor.rowcount


def bulk_rows(now) -> None:
    from django.contrib.auth.models import Permission
    from incidents.models import Category, Incident, IncidentEvent, IncidentGroupObjectPermission
    from reporting.models import Notification, Obligation, Report
    from roles.models import Unit, User

    stations = list(Unit.objects.filter(kind=Unit.Kind.STATION).order_by("pk").values_list("pk", flat=True))
    groups = dict(Unit.objects.filter(kind=Unit.Kind.STATION).values_list("pk", "group_id"))
    categories = list(Category.objects.order_by("pk").values_list("pk", "section__group_id"))
    office = Unit.objects.get(code="office")
    office_user = User.objects.get(username="office")
    view = Permission.objects.get(codename="view_incident", content_type__app_label="incidents")
    with connection.cursor() as cursor:
        # Foreign keys are checked once, set-based, at the end (check_foreign_keys): row by row, the
        # deferred checks of 4 million references took longer than writing them.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("CREATE TEMP TABLE bench_station (n int, id bigint, group_id int) ON COMMIT DROP")
        cursor.execute("INSERT INTO bench_station SELECT n - 1, id, g FROM unnest(%s::bigint[], %s::int[]) "
                       "WITH ORDINALITY AS t(id, g, n)", [stations, [groups[s] for s in stations]])
        cursor.execute("CREATE TEMP TABLE bench_category (n int, id bigint, group_id int) ON COMMIT DROP")
        cursor.execute("INSERT INTO bench_category SELECT n - 1, id, g FROM unnest(%s::bigint[], %s::int[]) "
                       "WITH ORDINALITY AS t(id, g, n)", [[c for c, _g in categories], [g for _c, g in categories]])
        # Status by a hash of the number (spread over time and stations), level weighted to Ⅳ.
        cursor.execute(f"""
            CREATE TEMP TABLE bench_incident ON COMMIT DROP AS
            SELECT g, mod(g * 7919, 1000) AS h,
                   CASE WHEN mod(g * 7919, 1000) < 13 THEN 'active' WHEN mod(g * 7919, 1000) < 20 THEN 'ended'
                        WHEN mod(g * 7919, 1000) < 30 THEN 'submitted' WHEN mod(g * 7919, 1000) < 35 THEN 'verified'
                        WHEN mod(g * 7919, 1000) < 40 THEN 'returned' WHEN mod(g * 7919, 1000) < 45 THEN 'awaiting_report'
                        WHEN mod(g * 7919, 1000) < 55 THEN 'draft' WHEN mod(g * 7919, 1000) < 200 THEN 'declined'
                        ELSE 'closed' END AS status,
                   CASE WHEN mod(g, 20) = 0 THEN 1 WHEN mod(g, 20) < 4 THEN 2 WHEN mod(g, 20) < 10 THEN 3 ELSE 4 END AS lvl
            FROM generate_series(1, {INCIDENTS}) AS g""")
        cursor.execute("""
            ALTER TABLE bench_incident ADD COLUMN created timestamptz, ADD COLUMN period interval;
            UPDATE bench_incident SET
              created = CASE WHEN status IN ('active', 'submitted', 'verified', 'returned', 'awaiting_report', 'draft')
                             THEN %s - mod(g, 30) * interval '1 day' - mod(g, 1440) * interval '1 minute'
                             ELSE %s - interval '1095 days' * (1 - g / %s::float) END,
              period = CASE lvl WHEN 1 THEN interval '1 day' WHEN 2 THEN interval '3 days' ELSE interval '7 days' END
            """, [now, now - timedelta(days=30), INCIDENTS])
        cursor.execute("SELECT coalesce(max(id), 0) FROM incidents_incident")
        base = cursor.fetchone()[0]
        activated = "('active', 'ended', 'closed')"
        n = _insert(cursor, Incident, {
            "id": f"{base} + b.g", "title": "'某地' || b.g || '号市场监管突发事件'", "category_id": "c.id",
            "station_id": "s.id", "occurred_at": "b.created - interval '40 minutes'",
            "location": "'某镇某路' || b.g || '号'", "nature": "'食品安全'", "description": "'基准测试数据,非真实事件。'",
            "proposed_level": "b.lvl", "status": "b.status",
            "level": f"CASE WHEN b.status IN {activated} THEN b.lvl END",
            "received_at": "CASE WHEN b.status <> 'draft' THEN b.created + interval '5 minutes' END",
            "created_by_id": str(office_user.pk), "created_at": "b.created", "updated_at": "b.created",
        }, f"FROM bench_incident b JOIN bench_station s ON s.n = mod(b.g, {len(stations)}) "
           f"JOIN bench_category c ON c.n = mod(b.g, {len(categories)})")
        log(f"{n:,} incidents")
        cursor.execute("SELECT setval(pg_get_serial_sequence('incidents_incident', 'id'), (SELECT max(id) FROM incidents_incident))")

        # Obligations, one row per (incident, kind, sequence); ids given so reports can share them.
        cursor.execute(f"""
            CREATE TEMP TABLE bench_obligation ON COMMIT DROP AS
            SELECT b.g, b.status AS incident_status, b.h, k.kind, k.seq, k.owner,
                   CASE WHEN k.kind = 'progress_report' AND b.status = 'active'
                        THEN %s + mod(b.g, 24) * interval '1 hour' - (k.last - k.seq) * b.period
                        WHEN k.kind = 'progress_report' THEN b.created + k.seq * b.period
                        WHEN k.kind IN ('first_report', 'upward_report') THEN b.created + interval '20 minutes'
                        ELSE b.created + (k.last + 4) * b.period END AS due,
                   k.kind = 'progress_report' AND b.status = 'active' AND k.seq = k.last AS open_pending,
                   (b.status = 'active' AND k.kind = 'progress_report' AND mod(k.seq, 3) = 0)
                     OR (b.status IN ('submitted', 'returned', 'awaiting_report') AND k.kind = 'first_report')
                     OR (b.status = 'ended' AND k.kind = 'final_report') AS open_overdue,
                   b.period
            FROM bench_incident b
            CROSS JOIN LATERAL (
              SELECT 'first_report' AS kind, 1 AS seq, 's' AS owner, 0 AS last
              UNION ALL SELECT 'upward_report', 1, 'o', 0 WHERE b.lvl <= 3
              UNION ALL SELECT 'progress_report', s, 'o', p.last
                FROM (SELECT CASE WHEN b.status = 'active' THEN 4 + mod(b.g, 12) ELSE 4 + mod(b.g, 10) END AS last) p,
                     generate_series(1, p.last) AS s
                WHERE b.status IN {activated}
              UNION ALL SELECT 'final_report', 1, 'o', 10 WHERE b.status IN ('ended', 'closed')
              UNION ALL SELECT 'after_action_report', 1, 'o', 14 WHERE b.status = 'closed'
            ) k
            WHERE b.status <> 'draft'""", [now])
        cursor.execute("ALTER TABLE bench_obligation ADD COLUMN id bigserial")
        cursor.execute("SELECT coalesce(max(id), 0) FROM reporting_obligation")
        obligation_base = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM reporting_report")
        report_base = cursor.fetchone()[0]
        fulfilled = "NOT (o.open_pending OR o.open_overdue)"
        late = "mod(o.id, 10) = 0"
        n = _insert(cursor, Report, {
            "id": f"{report_base} + o.id", "incident_id": f"{base} + o.g", "kind": "o.kind", "sequence": "o.seq",
            "content": "'基准测试报告正文:事件基本情况、处置进展和下一步措施。第' || o.seq || '次。'",
            "author_id": str(office_user.pk), "unit_id": f"CASE o.owner WHEN 's' THEN s.id ELSE {office.pk} END",
            "submitted_at": f"o.due - CASE WHEN {late} THEN interval '-2 hours' ELSE interval '1 hour' END",
            "sent_at": f"o.due - CASE WHEN {late} THEN interval '-2 hours' ELSE interval '1 hour' END",
        }, f"FROM bench_obligation o JOIN bench_station s ON s.n = mod(o.g, {len(stations)}) WHERE {fulfilled}")
        log(f"{n:,} reports")
        n = _insert(cursor, Obligation, {
            "id": f"{obligation_base} + o.id", "incident_id": f"{base} + o.g", "kind": "o.kind", "sequence": "o.seq",
            "owner_unit_id": f"CASE o.owner WHEN 's' THEN s.id ELSE {office.pk} END",
            "starts_at": "o.due - o.period", "due_at": "o.due",
            "status": "CASE WHEN o.open_pending THEN 'pending' WHEN o.open_overdue THEN 'overdue' ELSE 'fulfilled' END",
            "fulfilled_at": f"CASE WHEN {fulfilled} THEN o.due - CASE WHEN {late} THEN interval '-2 hours' ELSE interval '1 hour' END END",
            "late_by_seconds": f"CASE WHEN {fulfilled} AND {late} THEN 7200 END",
            "report_id": f"CASE WHEN {fulfilled} THEN {report_base} + o.id END",
            "overdue_at": f"CASE WHEN o.open_overdue OR ({fulfilled} AND {late}) THEN o.due END",
            "next_alert_at": "CASE WHEN o.open_pending THEN greatest(o.due - interval '1 day', %s + interval '1 hour') END",
            "created_at": "o.due - o.period",
        }, f"FROM bench_obligation o JOIN bench_station s ON s.n = mod(o.g, {len(stations)})", [now])
        log(f"{n:,} obligations")
        for table in ("reporting_obligation", "reporting_report"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")

        kinds = ["registered", "submitted", "verified", "commented", "activated", "hq_formed", "ended", "closed"]
        n = _insert(cursor, IncidentEvent, {
            "incident_id": f"{base} + b.g", "kind": "(%s::text[])[e]", "at": "b.created + e * interval '1 hour'",
            "actor_id": str(office_user.pk), "actor_role": "'office_staff'", "message": "'基准测试事件' || e",
        }, "FROM bench_incident b, generate_series(1, 8) AS e WHERE b.status <> 'draft'", [kinds])
        log(f"{n:,} events")
        n = _insert(cursor, IncidentGroupObjectPermission, {
            "content_object_id": f"{base} + b.g", "group_id": "x.group_id", "permission_id": str(view.pk),
        }, f"""FROM bench_incident b
               JOIN bench_category c ON c.n = mod(b.g, {len(categories)})
               JOIN bench_station s ON s.n = mod(b.g + 1, {len(stations)})
               CROSS JOIN LATERAL (SELECT {office.group_id} AS group_id UNION SELECT c.group_id
                                   UNION SELECT s.group_id WHERE mod(b.g, 5) = 0) x
               WHERE b.status IN {activated} AND b.lvl <= 3""")
        log(f"{n:,} HQ grants")
        users = list(User.objects.filter(username__in=["director", "deputy", "office", "food", "station1", "station2"])
                     .values_list("pk", flat=True))
        n = _insert(cursor, Notification, {
            "user_id": "(%s::bigint[])[1 + mod(n, %s)]", "incident_id": f"{base} + 1 + mod(n * 13, {INCIDENTS})",
            "step": "'overdue'", "title": "'报告时限提醒 ' || n", "body": "'基准测试通知'",
            "created_at": "%s - n * interval '5 minutes'",
            "read_at": "CASE WHEN n > 2000 THEN %s - n * interval '4 minutes' END",
        }, "FROM generate_series(1, 200000) AS n", [users, len(users), now, now])
        log(f"{n:,} notifications")
        cursor.execute("SET LOCAL session_replication_role = origin")
        check_foreign_keys(cursor, [Incident, Obligation, Report, IncidentEvent, IncidentGroupObjectPermission,
                                    Notification])


def check_foreign_keys(cursor, models) -> None:
    """Every foreign key of the bulk-written tables points at a row: one anti-join per key.
    Raises AssertionError naming the first broken key (the transaction then rolls back)."""
    for model in models:
        for field in model._meta.concrete_fields:
            if not field.is_relation or not field.db_constraint:
                continue
            target = field.related_model._meta
            cursor.execute(
                f"SELECT count(*) FROM {model._meta.db_table} t LEFT JOIN {target.db_table} r "
                f"ON r.{target.pk.column} = t.{field.column} WHERE t.{field.column} IS NOT NULL AND r.{target.pk.column} IS NULL")
            broken = cursor.fetchone()[0]
            assert broken == 0, f"{model._meta.db_table}.{field.column}: {broken} rows point nowhere"
    log("foreign keys checked")


def long_timeline() -> int:
    """One incident through the real services (filed, submitted, verified, activated at Ⅱ with an
    HQ), then commented on until its timeline holds LONG_TIMELINE events."""
    from incidents import services
    from incidents.models import Category, IncidentEvent
    from roles.models import Unit, User

    cast = {name: User.objects.get(username=name) for name in ("station1", "office", "director")}
    with transaction.atomic():
        incident = services.incident_file(
            actor=cast["station1"], station=Unit.objects.get(code="chengguan"), title="城关镇学校食堂疑似食物中毒(长时间线)",
            category=Category.objects.get(code="food_safety"), occurred_at=timezone.now() - timedelta(hours=2),
            location="城关镇建设路1号", description="午餐后十余名学生出现呕吐、腹泻症状,已送医。", proposed_level=2,
            nature="食物中毒", injured=12, scope="约800人", trend="趋于稳定", measures_taken="封存留样食品")
        services.incident_verify(actor=cast["office"], incident=incident, summary="情况属实,提请领导小组决定。")
        services.incident_activate(actor=cast["director"], incident=incident, level=2, form_hq=True)
        for number in range(LONG_TIMELINE - IncidentEvent.objects.filter(incident=incident).count()):
            services.incident_comment(actor=cast["office"], incident=incident, message=f"第{number + 1}条处置进展记录。")
    return incident.pk
