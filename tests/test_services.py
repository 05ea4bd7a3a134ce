"""The real services. In CI (CI=true) PostgreSQL and Redis must be the ones in use: a run that
quietly fell back to SQLite would prove nothing about production, so it fails instead."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from emergency.celery import app

IN_CI = os.environ.get("CI") == "true"


@pytest.mark.django_db
def test_database_in_use():
    if IN_CI or os.environ.get("DATABASE_URL"):
        assert connection.vendor == "postgresql", "CI must run on PostgreSQL (DATABASE_URL)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_cache_and_broker_in_use():
    if IN_CI:
        assert settings.REDIS_URL, "CI must run with REDIS_URL"
    if settings.REDIS_URL:
        assert app.conf.broker_url == settings.REDIS_URL
        cache.set("services-test", "ok", 10)
        assert cache.get("services-test") == "ok"
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
    else:
        assert app.conf.broker_url == "filesystem://"


def test_each_xdist_worker_has_its_own_redis_database():
    """`make test` runs the suite in pytest-xdist workers; tests/conftest.py gives each its own Redis
    database (the base URL's number plus the worker's), so one worker's cache.clear() or broker
    messages never reach another's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not settings.REDIS_URL or not worker:
        pytest.skip("only under pytest-xdist with Redis")
    number = int(settings.REDIS_URL.rsplit("/", 1)[1])
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL == app.conf.broker_url
    assert os.environ["REDIS_URL"] == settings.REDIS_URL
    client = cache._cache.get_client(write=True)
    assert client.connection_pool.connection_kwargs["db"] == number
    cache.set("services-worker", worker, 10)
    assert client.get(cache.make_and_validate_key("services-worker")) is not None


def test_celery_reads_django_settings():
    assert app.conf.timezone == "Asia/Shanghai"
    # Acknowledged as tasks start: the outbox, not the broker, makes a message arrive, and late
    # acknowledgements killed the worker across Redis restarts (docs/reliability.md).
    assert app.conf.task_acks_late is False
    assert app.amqp.router.route({}, "reporting.tasks.sweep_deadlines")["queue"].name == "sweep"
