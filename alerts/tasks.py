"""Celery tasks of alerts: thin, they call the services."""

from celery import shared_task

from alerts.services import open_deployments


@shared_task
def open_early_warning_deployments() -> int:
    """Beat, daily (emergency/settings.py CELERY_BEAT_SCHEDULE): open the deployments due by today."""
    return len(open_deployments())
