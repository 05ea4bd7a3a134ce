"""A Redis restart under a running worker (issue 16, item 4): with kombu 5.7.0 the worker died
"restoring unacknowledged messages" at every restart and nothing ran the sweeps any more. This
starts a private redis-server on loopback, the worker as `make run` used to (`worker --beat
--concurrency=2`, the configuration that showed it), restarts Redis twice while deliveries to a slow
robot are in flight — once keeping its data, once losing it — and checks the worker is still
there and every message arrived once. In CI (CI=true) this must run, never skip."""

import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from incidents import services as incidents
from reporting.models import Outbox
from roles.models import Unit
from tests.fakes import RobotServer, free_port

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"


def _require(condition, what):
    if not condition:
        if IN_CI:
            pytest.fail(f"CI must provide {what}")
        pytest.skip(f"needs {what}")


class PrivateRedis:
    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--save", "3600 1", "--appendonly", "no", "--logfile", str(self.folder / "redis.log")])
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True).stdout.strip() != "PONG":
            assert time.monotonic() < deadline, "private redis did not start"
            time.sleep(0.1)

    def restart(self, *, keep_data: bool):
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "save" if keep_data else "nosave"],
                       capture_output=True)
        self.process.wait(timeout=10)
        if not keep_data:
            (self.folder / "dump.rdb").unlink(missing_ok=True)
        time.sleep(1)  # the worker sees the connection refused, not only reset
        self.start()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _due_now(cast, categories, n, tag):
    """n incidents whose first report fell due a moment ago: the worker's own beat sweeps them."""
    station = Unit.objects.get(code="chengguan")
    with time_machine.travel(timezone.now() - timedelta(minutes=60, seconds=1), tick=False):
        for i in range(n):
            incidents.incident_file(actor=cast["office"], station=station, draft=True, title=f"{tag}-{i}",
                                    category=categories["food_safety"], proposed_level=2)


def _wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_redis_restarts_with_data_kept_and_lost(cast, categories, tmp_path):
    _require(connection.vendor == "postgresql", "PostgreSQL")
    _require(shutil.which("redis-server") and shutil.which("redis-cli"), "redis-server")
    db = connection.settings_dict
    redis = PrivateRedis(tmp_path)
    redis.start()
    worker = None
    try:
        with RobotServer() as robot:
            robot.delay = 2  # deliveries are in flight when Redis goes
            Unit.objects.filter(code="chengguan").update(robot_webhook_url=robot.url)
            env = {**os.environ, "DEBUG": "true", "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
                   "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                                   f"{db['PORT'] or 5432}/{db['NAME']}",
                   "DEADLINE_SWEEP_SECONDS": "1", "OUTBOX_RETRY_SECONDS": "2", "OUTBOX_QUEUED_STALE_SECONDS": "8",
                   "EMAIL_URL": "dummymail://", "LOG_LEVEL": "WARNING"}
            log = open(tmp_path / "worker.log", "w")
            worker = subprocess.Popen(
                [sys.executable, "tests/loopback_celery.py", "worker", "--beat", "--concurrency=2",
                 "--loglevel=WARNING", "-s", str(tmp_path / "beat-schedule")],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            for round_, keep in ((1, True), (2, False)):
                seen = len(robot.seen)
                _due_now(cast, categories, 4, f"round{round_}")
                _wait(lambda: len(robot.seen) > seen, 60, "a delivery to be under way")
                redis.restart(keep_data=keep)
                time.sleep(6)
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            _due_now(cast, categories, 2, "after")  # and it still works afterwards
            _wait(lambda: not Outbox.objects.exclude(state="sent").exists() and Outbox.objects.count() > 0, 120,
                  "every message to be delivered")
            assert worker.poll() is None
        texts = robot.received
        for i in range(4):
            for tag in ("round1", "round2"):
                arrivals = [t for t in texts if f"{tag}-{i}" in t and not t.startswith("重发")]
                assert len([a for a in arrivals for line in a.split("\n") if f"{tag}-{i}）" in line]) <= 1
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        redis.stop()
