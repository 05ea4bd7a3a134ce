"""The sweep's progress path (rule 5) in batches: marking progress reports overdue and starting the
next period costs the same number of queries for one incident as for many (issue 13)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Incident
from reporting.models import Kind, Obligation
from reporting.sweep import sweep_due
from tests.incidents.conftest import categories, file_incident, to_state  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(timezone.datetime(2026, 11, 20, 9, 0))


def _active(file_incident, to_state, count, level=2):
    with time_machine.travel(T0, tick=False):
        incidents = [to_state(file_incident(proposed_level=level), "active") for _ in range(count)]
    # Only the progress rows stay on the sweep's list (measures' and others' steps are other paths).
    Obligation.objects.filter(incident__in=incidents).exclude(kind=Kind.PROGRESS_REPORT).update(next_alert_at=None)
    return incidents


def _sweep_counting(at):
    with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as queries:
        result = sweep_due(now=at)
    return result, len(queries)


def _progress(incident):
    return list(Obligation.objects.filter(incident=incident, kind=Kind.PROGRESS_REPORT).order_by("sequence"))


def test_the_next_progress_report_follows_each_missed_one_in_one_batch(file_incident, to_state, cast):
    """Every active incident's missed progress report is marked overdue and its successor is due one
    period after the missed one was due (no drift), owed by the office, pending, with its reminders."""
    active = _active(file_incident, to_state, 3, level=2)  # Ⅱ: a progress report every 3 days
    due = T0 + timedelta(days=3)
    result, _ = _sweep_counting(due + timedelta(seconds=1))
    for incident in active:
        missed, following = _progress(incident)
        assert missed.pk in result.marked_overdue and missed.status == Obligation.Status.OVERDUE
        assert (following.sequence, following.status) == (2, Obligation.Status.PENDING)
        assert following.starts_at == due and following.due_at == due + timedelta(days=3)
        assert following.owner_unit.code == "office"
        assert following.next_alert_at == following.due_at - timedelta(hours=24)  # the day-before reminder
    # Another sweep right after creates nothing more: the new rows are not due.
    sweep_due(now=due + timedelta(seconds=2))
    assert all(len(_progress(incident)) == 2 for incident in active)


def test_the_progress_path_costs_the_same_queries_for_one_incident_as_for_six(file_incident, to_state, cast):
    """Was four queries per row (rule, office, last number, insert): now four per batch."""
    one = _active(file_incident, to_state, 1, level=1)  # Ⅰ: every day
    _, queries_for_one = _sweep_counting(T0 + timedelta(days=1, seconds=1))
    assert len(_progress(one[0])) == 2
    six = _active(file_incident, to_state, 6, level=1)
    # The six new incidents' first progress reports fall due together (the first one's second is not due yet).
    result, queries_for_six = _sweep_counting(T0 + timedelta(days=1, seconds=1))
    assert len(result.marked_overdue) == 6 and all(len(_progress(incident)) == 2 for incident in six)
    assert queries_for_six == queries_for_one


def test_an_ended_incident_s_missed_report_starts_no_next_period(file_incident, to_state, cast):
    ended, active = _active(file_incident, to_state, 2, level=2)
    # The ended one's row is still pending (as if ending had raced the sweep); only the active one goes on.
    Incident.objects.filter(pk=ended.pk).update(status=Incident.Status.ENDED)
    result, _ = _sweep_counting(T0 + timedelta(days=3, seconds=1))
    assert len(result.marked_overdue) == 2
    assert len(_progress(ended)) == 1 and len(_progress(active)) == 2
