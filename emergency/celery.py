"""The Celery app: `celery -A emergency worker` / `celery -A emergency beat`.

Broker and schedule come from Django settings (CELERY_* names); tasks are found in each
app's tasks.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emergency.settings")

app = Celery("emergency")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
