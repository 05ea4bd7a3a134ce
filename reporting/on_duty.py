"""Who is on duty (值班) in a bureau at a moment, for the deadlines that go to "the office": the
overdue notice reaches the leader and staff on duty first, and the office's group robot names them
(issue 14). The roster lives in the duty app, above this one in the flow; it registers its lookup
here (duty.apps), so reporting names no app above it. With nothing registered, nobody is on duty."""

import datetime
from collections.abc import Callable

# (bureau: Unit, at: aware datetime) -> (leader or None, [staff users]) of the shift under way.
LOOKUPS: list[Callable] = []


def register(lookup: Callable) -> None:
    if lookup not in LOOKUPS:
        LOOKUPS.append(lookup)


def on_duty(bureau, at: datetime.datetime) -> tuple:
    """(leader, [staff]) on duty in `bureau` at `at`; (None, []) when no shift is under way."""
    for lookup in LOOKUPS:
        leader, staff = lookup(bureau, at)
        if leader is not None or staff:
            return leader, list(staff)
    return None, []


def on_duty_people(bureau, at: datetime.datetime) -> list:
    """The people on duty, staff first (they answer the phone), then the leader on duty; active only."""
    leader, staff = on_duty(bureau, at)
    people = [user for user in staff if user.is_active]
    if leader is not None and leader.is_active and leader not in people:
        people.append(leader)
    return people
