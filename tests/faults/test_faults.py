"""`make faults`: the scenarios of issue 16 against real processes on loopback. Each scenario gets a
fresh database, starts beat, the sweeper and the delivery workers as `make run` does, files incidents
whose first-report deadlines fall due over the next seconds (each deadline: a half-time and a
"due soon" reminder at once, then the overdue notice; in the app, by email and to the robot),
applies its fault, waits until the outbox has drained, and counts expected messages (one per outbox
row) against what arrived. Asserts 0 lost, 0 unmarked duplicates, and that the sweep never paused
for more than two intervals beyond the time the fault itself took the broker or the beat away.
Figures: test-artifacts/faults.md (copied into docs/reliability.md)."""

import json
import re
import signal
import time

import pytest

from tests.faults.harness import ROOT, SWEEP_SECONDS, Stage

RESULTS: list[dict] = []
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def stage():
    stage = Stage()
    try:
        stage.start()
        yield stage
    finally:
        stage.stop()
        _write_figures()


def _write_figures():
    if not RESULTS:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    columns = ["scenario", "expected", "delivered", "lost", "unmarked_duplicates", "marked_resends", "drain_per_s",
               "lag_p50", "lag_p95", "in_app_lag_p50", "in_app_lag_p95", "email_lag_p50", "email_lag_p95", "webhook_lag_p50",
               "webhook_lag_p95", "max_sweep_gap", "robot_messages", "robot_posts", "emails"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(result.get(c, "")) for c in columns) + " |" for result in RESULTS]
    (ARTIFACTS / "faults.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (ARTIFACTS / "faults.json").write_text(json.dumps(RESULTS, ensure_ascii=False, indent=1), encoding="utf-8")


def _wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.2)


def run(stage: Stage, name: str, *, count=60, spread=20, fault=None, outage=0.0,
        processes=("beat", "sweeper", "worker", "robots"), drain=300, env=None, users=0):
    """One scenario; `users` simulated people (tests/faults/load.py) use the portal through gunicorn
    from before the deadlines are filed until the outbox has drained."""
    stage.extra_env = dict(env or {})
    stage.new_database(("s_" + re.sub(r"[^a-z0-9]+", "_", name.lower()))[:60])
    load = None
    try:
        for process in processes:
            stage.start_process(process)
        if users:
            load = stage.start_load(stage.start_web(), users, drain + 120)
        time.sleep(4)  # the workers connect
        stage.seed(count, spread)
        started = time.time()
        if fault:
            fault(stage)
        for process in processes:
            if process in stage.processes:
                assert stage.alive(process), f"{process} died:\n{stage.log_tail(process)}"
        counts = stage.wait_drained(count, drain)
        result = {"scenario": name, **stage.tally(counts), "took_s": round(time.time() - started)}
        if load is not None:
            load.terminate()
            result["load"] = json.loads(load.communicate(timeout=120)[0].strip().splitlines()[-1])
    finally:
        if load is not None and load.poll() is None:
            load.kill()
        # Always: a worker left over from a failed scenario would take the next one's tasks
        # against its own database (it once showed up as 43 "duplicates" in the next scenario).
        for process in list(stage.processes):
            if process != "redis":
                stage.stop_process(process)
    RESULTS.append(result)
    print(json.dumps(result, ensure_ascii=False))
    assert result["lost"] == 0, result
    assert result["unmarked_duplicates"] == 0, result
    assert result["max_sweep_gap"] <= 2 * SWEEP_SECONDS + outage + 1, result
    if load is not None:
        assert result["load"]["requests"] > 0 and result["load"]["errors"] == 0, result["load"]
    return result


def _deliveries_under_way(stage):
    _wait(lambda: len(stage.robot.seen) > 0 or stage.mail.received, 60, "the first deliveries")


def test_baseline(stage):
    run(stage, "baseline")


def test_fifty_users(stage):
    """The lag target of issue 16: in-app and email p95 ≤ 5 s from the sweep that made the message,
    with 50 people filing and polling (through gunicorn) while the deadlines fall due. The robot's
    lag is bound by its 20 posts a minute, not by the portal (docs/reliability.md)."""
    result = run(stage, "50 users filing and polling", users=50)
    assert result["in_app_lag_p95"] <= 5, result
    assert result["email_lag_p95"] <= 5, result


def test_worker_killed_mid_delivery(stage):
    def fault(stage):
        stage.robot.delay = 1.0  # each robot post takes a second: some are in flight
        _deliveries_under_way(stage)
        time.sleep(0.5)
        stage.stop_process("robots", signal.SIGKILL)
        stage.stop_process("worker", signal.SIGKILL)
        time.sleep(2)
        stage.start_process("robots")
        stage.start_process("worker")
        time.sleep(8)
        stage.stop_process("sweeper", signal.SIGKILL)  # in-app notices and the sweep
        time.sleep(2)
        stage.start_process("sweeper")
        stage.robot.delay = 0

    run(stage, "worker SIGKILL mid-delivery", fault=fault, outage=4)


@pytest.mark.parametrize("keep", [True, False], ids=["data kept", "data lost"])
def test_redis_restart(stage, keep):
    def fault(stage):
        stage.robot.delay = 1.0
        _deliveries_under_way(stage)
        stage.redis_restart(keep_data=keep, down_seconds=3)
        time.sleep(5)
        stage.robot.delay = 0

    run(stage, f"Redis restart, {'data kept' if keep else 'data lost'}", fault=fault, outage=3 + 2 * SWEEP_SECONDS)


def test_two_beats(stage):
    run(stage, "two beats", processes=("beat", "beat2", "sweeper", "worker", "robots"))


def test_beat_outage_and_catch_up(stage):
    def fault(stage):
        time.sleep(2)
        stage.stop_process("beat")
        time.sleep(40)  # every deadline falls due while no beat runs
        stage.start_process("beat")

    run(stage, "beat outage 40 s and catch-up", fault=fault, outage=42 + 5)


def test_robot_500_for_30_seconds(stage):
    def fault(stage):
        stage.robot.status = 500
        time.sleep(30)
        stage.robot.status = 200

    run(stage, "robot HTTP 500 for 30 s", fault=fault)


def test_robot_rate_limit(stage):
    def fault(stage):
        stage.robot.per_minute = 20

    result = run(stage, "robot rate limit 20/min, 150 deadlines at once", count=150, spread=3, fault=fault)
    # Digests, not one post per message (posts the robot refused for the limit count too).
    assert result["robot_posts"] * 4 <= result["robot_messages"], result


def test_robot_slower_than_the_timeout(stage):
    def fault(stage):
        stage.robot.delay = 5  # the portal waits 3 s: every post's outcome is unknown
        time.sleep(25)
        stage.robot.delay = 0

    run(stage, "robot slower than the timeout for 25 s", fault=fault)


def test_smtp_hang(stage):
    def fault(stage):
        stage.mail.hang()  # accepts and never answers
        time.sleep(25)
        stage.mail.answer()

    result = run(stage, "SMTP server hangs for 25 s", fault=fault)
    assert result["lag_p50"] is not None


def test_postgresql_restart_during_sweep_and_delivery(stage):
    def fault(stage):
        stage.robot.delay = 0.5
        _deliveries_under_way(stage)
        stage.pg_restart(down_seconds=3)
        time.sleep(6)
        stage.pg_restart(down_seconds=2)
        stage.robot.delay = 0

    run(stage, "PostgreSQL restarted twice during sweeps and deliveries", fault=fault, outage=5 + 2 * SWEEP_SECONDS)
