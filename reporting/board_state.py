"""Whether the overdue board a browser shows is still the board (issue 13: a whole office refreshing
it every 15 seconds). The refresh sends the state of the page it shows (X-Board-State, set by
static/js/portal.js from the fragment's data-board-state); when nothing it shows can have changed,
the answer is 204 and htmx leaves the page as it is, without the board being read again.

What the board shows changes in two ways:
- the data: any change to obligations, incidents, memberships or HQ grants moves a counter in the
  database (PostgreSQL triggers, migration reporting 0024), whatever wrote it (services, the sweep,
  the admin, SQL);
- the clock: a row falls due, or enters the 1-hour or 24-hour window (reporting.filters.DUE_WINDOWS);
  the board's counts query also answers when that next happens (selectors.board_counts, "changes_at").
A state is also never kept longer than MAX_AGE seconds, which bounds what the counter does not see:
a renamed unit or subject, and a change whose counter moved before it committed while a refresh read
the page in between (a few milliseconds' window).
Without the counter (SQLite, development) every refresh reads the board."""

from datetime import datetime, timedelta

from django.db import connection

MAX_AGE = timedelta(seconds=60)


def data_version() -> int | None:
    """The database's change counter for the board's tables (an int that only grows), or None where
    there is none (SQLite). One query on a sequence: no table is read."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM reporting_board_version")
        value, called = cursor.fetchone()
    return value if called else 0


def state(version: int | None, *, now: datetime, changes_at: datetime | None) -> str:
    """The state of a board read at `now` (aware) after the counter stood at `version`, whose rows next
    change by the clock at `changes_at` (aware, or None: never): "version.until" with `until` in UTC
    epoch seconds, at most MAX_AGE after now. Empty without a counter (never current)."""
    if version is None:
        return ""
    until = now + MAX_AGE if changes_at is None else min(changes_at, now + MAX_AGE)
    return f"{version}.{int(until.timestamp())}"


def is_current(sent: str | None, version: int | None, *, now: datetime) -> bool:
    """Whether the state a browser sent (see `state`) still describes the board at `now`: the counter
    has not moved, and the clock has not reached its `until`. False for anything malformed, and for an
    `until` further than MAX_AGE ahead (no board was read that way)."""
    if version is None or not sent:
        return False
    shown, _dot, until = sent.partition(".")
    if not (shown.isdigit() and until.isdigit()):
        return False
    return int(shown) == version and now.timestamp() < int(until) <= (now + MAX_AGE).timestamp()
