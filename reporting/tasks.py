"""Celery tasks: thin, they call reporting's functions and nothing else."""

from celery import shared_task

from reporting.delivery import deliver, unsent_due
from reporting.sweep import sweep_due


@shared_task
def sweep_deadlines() -> dict:
    result = sweep_due()
    return {"marked_overdue": len(result.marked_overdue), "messages": result.messages}


@shared_task(acks_late=True)
def deliver_outbox_rows(outbox_ids: list[int]) -> int:
    """Send each row once (a redelivered message finds the sent ones stamped and skips them)."""
    return sum(deliver(outbox_id) for outbox_id in outbox_ids)


@shared_task
def redeliver_unsent() -> int:
    """Rows whose send failed (after their backoff) or whose task was lost."""
    ids = list(unsent_due().values_list("pk", flat=True)[:500])
    deliver_outbox_rows.delay(ids)
    return len(ids)
