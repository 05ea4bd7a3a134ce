# Issue 13: the overdue board's refresh answers "nothing changed" (204) without reading the board
# again, from a counter the database moves on every change to what the board shows
# (reporting.board_state). PostgreSQL only: elsewhere (SQLite, development) every refresh is read.

from django.db import migrations

# Each statement that changes at least one row of these tables moves the counter: an UPDATE that
# touches no row (the sweep's, most of the time) leaves it alone. A trigger with transition tables
# may name one event only, hence three per table.
TABLES = ["reporting_obligation", "incidents_incident", "roles_membership", "incidents_incidentgroupobjectpermission"]
EVENTS = {"insert": "NEW TABLE AS changed", "update": "NEW TABLE AS changed", "delete": "OLD TABLE AS changed"}

FUNCTION = """
CREATE SEQUENCE reporting_board_version;
CREATE FUNCTION reporting_board_version_next() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        PERFORM nextval('reporting_board_version');
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION reporting_board_version_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('reporting_board_version');
    RETURN NULL;
END $$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        for event, transition in EVENTS.items():
            schema_editor.execute(
                f"CREATE TRIGGER board_version_{event} AFTER {event.upper()} ON {table} REFERENCING {transition} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION reporting_board_version_next()")
        # TRUNCATE (a test's flush) has no transition table: it always counts.
        schema_editor.execute(f"CREATE TRIGGER board_version_truncate AFTER TRUNCATE ON {table} "
                              "FOR EACH STATEMENT EXECUTE FUNCTION reporting_board_version_truncated()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for event in [*EVENTS, "truncate"]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS board_version_{event} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS reporting_board_version_truncated()")
    schema_editor.execute("DROP FUNCTION IF EXISTS reporting_board_version_next()")
    schema_editor.execute("DROP SEQUENCE IF EXISTS reporting_board_version")


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0008_plan_version"),
        ("reporting", "0023_obligation_every_subject"),
        ("roles", "0007_bureau_contacts_and_document_prefix"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
