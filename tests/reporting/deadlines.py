"""What the rule-book tests share: T0 (09:00 Asia/Shanghai), a call made at a moved time, a sweep at
a moved time, one obligation, and the accountability record as the office reads it."""

import datetime
from datetime import timedelta

import time_machine
from django.utils import timezone

from reporting.models import Obligation
from reporting.selectors import accountability
from reporting.sweep import sweep_due

T0 = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 0))
S = Obligation.Status


def ob(incident, kind, sequence=None):
    rows = Obligation.objects.filter(incident=incident, kind=kind).order_by("sequence")
    return rows.get(sequence=sequence) if sequence else rows.get()


def at(moment, call, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return call(*args, **kwargs)


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        return sweep_due(now=moment)


def record(user, day=T0):
    start = day - timedelta(days=1)
    summary, failures = accountability(user, start=start, end=start + timedelta(days=40), now=timezone.now())
    return {row["owner_unit__code"]: row for row in summary}, list(failures)


def deadline_outbox():
    """The outbox rows of deadlines (not the notices of incident steps, reporting.notices, nor reports sent by email)."""
    from reporting.models import Outbox

    return Outbox.objects.filter(event=None, delivery=None)
def faxed(office, report, moment=None):
    """The report faxed to each of its recipients at `moment` (default now), as the office records it:
    it has left (rule 4, issue 11: an upward report is fulfilled when it has left, not when submitted)."""
    from reporting.sending import delivery_record

    moment = moment or timezone.now()
    for contact in report.recipients.order_by("pk"):
        delivery_record(actor=office, report=report, recipient=contact, channel="fax", number="0371-00000000", at=moment)
    return report
