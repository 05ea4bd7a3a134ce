"""Celery tasks: thin, they call reporting's functions and nothing else.

Queues (emergency/settings.py CELERY_TASK_ROUTES and reporting.delivery.QUEUES): the sweep and the
requeueing run on `sweep`, never behind deliveries; each channel has its own queue (`in_app`,
`email`, `webhook`), so a hanging mail server cannot hold back in-app notices or the sweep."""

from celery import shared_task

from reporting.delivery import deliver_rows, requeue_unsent
from reporting.sweep import sweep_due


@shared_task
def sweep_deadlines() -> dict:
    result = sweep_due()
    return {"marked_overdue": len(result.marked_overdue), "messages": result.messages}


@shared_task
def deliver_outbox_rows(outbox_ids: list[int]) -> int:
    """Send each row once (a message delivered twice finds the rows sent or being sent and skips
    them). Acknowledged as it starts: a worker killed mid-way leaves its rows `queued` or `sending`,
    which requeue_unsent finds, rather than a message the broker returns an hour later."""
    return deliver_rows(outbox_ids)


@shared_task
def redeliver_unsent() -> int:
    """Rows whose send failed (after their backoff), whose task was lost, or whose send was cut off."""
    return requeue_unsent()


@shared_task
def fetch_bounces() -> dict | None:
    """Read the bounce mailbox (BOUNCE_MAILDIR) once: 退信 of report emails (reporting.bounces)."""
    from reporting.bounces import fetch_bounces as fetch

    result = fetch()
    return None if result is None else vars(result)
