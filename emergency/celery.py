"""The Celery app: `celery -A emergency worker` / `celery -A emergency beat`.

Broker and schedule come from Django settings (CELERY_* names); tasks are found in each
app's tasks.py.
"""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emergency.settings")

log = logging.getLogger(__name__)


def survive_redis_restart() -> None:
    """Work around kombu 5.7.0's Redis transport killing the worker when Redis restarts (issue 16).

    The cause: when the broker connection drops while the worker holds unacknowledged messages (a
    task running with acks_late, or one prefetched), the consumer closes the channel; the channel
    first disconnects its connection pools, then restores the unacknowledged messages through a new
    client, which it builds from a transport whose client is already gone: AttributeError
    ("'NoneType' object has no attribute 'hostname'", kombu/transport/redis.py Channel._connparams).
    That is no connection error, so Celery calls it unrecoverable and the worker exits, while beat
    goes on queueing sweeps nothing runs. Reproduced with a private redis-server and
    `worker --beat --concurrency=2` (tests/reporting/test_worker_survives_redis.py).

    Skipping that restore loses nothing: the messages are still in Redis's unacked hash when Redis
    kept its data, and come back after the visibility timeout; when Redis lost its data they are gone
    either way, and the outbox queues its rows again (reporting.delivery.requeue_unsent). The worker
    then reconnects as it does after any connection loss.
    """
    from kombu.transport import redis as kombu_redis

    original = kombu_redis.QoS.restore_unacked
    if getattr(original, "survives_redis_restart", False):
        return

    def restore_unacked(self, client=None):
        try:
            return original(self, client)
        except AttributeError:
            log.warning("broker connection lost: %d unacknowledged message(s) left in Redis to come back "
                        "after the visibility timeout (kombu cannot restore them through a closed channel)",
                        len(self._delivered))
            self._delivered.clear()
            return None

    restore_unacked.survives_redis_restart = True
    kombu_redis.QoS.restore_unacked = restore_unacked


survive_redis_restart()

app = Celery("emergency")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
