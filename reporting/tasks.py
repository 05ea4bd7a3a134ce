"""Celery tasks: thin, they call reporting's functions and nothing else."""

from celery import shared_task

from reporting.delivery import deliver, unsent_due
from reporting.sweep import sweep_due


@shared_task
def sweep_deadlines() -> dict:
    result = sweep_due()
    return {"marked_overdue": len(result.marked_overdue), "messages": result.messages}


@shared_task(acks_late=True)
def deliver_outbox(outbox_id: int) -> bool:
    return deliver(outbox_id)


@shared_task
def redeliver_unsent() -> int:
    """Rows whose send failed (after their backoff) or whose task was lost."""
    ids = list(unsent_due().values_list("pk", flat=True)[:500])
    for outbox_id in ids:
        deliver_outbox.delay(outbox_id)
    return len(ids)
