"""Celery tasks of the duty app: thin, they call duty's functions and nothing else."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from duty.gaps import coverage_check


@shared_task
def roster_coverage_check() -> int:
    """The roster must cover the next DUTY_ROSTER_DAYS_AHEAD days: uncovered stretches become gap shifts (duty.gaps)."""
    return len(coverage_check(now=timezone.now(), days_ahead=settings.DUTY_ROSTER_DAYS_AHEAD))
