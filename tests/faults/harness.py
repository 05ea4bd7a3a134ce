"""The fault suite's stage (issue 16): a private PostgreSQL it may restart, a private Redis, the
portal's processes as `make run` starts them (beat, sweeper, worker, robots), a local mail server and a
local group robot, all on 127.0.0.1; and the count of expected messages against arrivals.

Nothing here imports Django: the test process only starts processes, switches faults on and off,
and reads the counts that tests/faults/portal_side.py prints from the private database.
"""

import email
import email.policy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.fakes import HangingServer, RobotServer, free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SWEEP_SECONDS = 5
STEP_WORDS = {"时限已过半": "reminder_half", "即将到期": "reminder_soon", "明日到期": "reminder_day", "已逾期": "overdue",
              "升级": "escalation"}
ITEM = re.compile(r"(?P<resend>重发：原定于 [^。]*发送。)?(?P<word>时限已过半|即将到期|明日到期|已逾期|[^：\n]*升级[^：\n]*)：[^（\n]*（(?P<ref>\d{4}-\d{5})(?: 故障演练\d{4})?）")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class MailServer:
    """aiosmtpd on a fixed loopback port, which can be swapped for a server that accepts and never answers."""

    def __init__(self):
        import logging

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
        self.port = free_port()
        self.received: list[tuple[str, str, float]] = []  # (recipient, text, time)
        self._controller = None
        self._hanging = None

    def _handler(self):
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                text = str(message["subject"]) + "\n" + message.get_body().get_content()
                for rcpt in envelope.rcpt_tos:
                    server.received.append((rcpt, text, time.time()))
                return "250 OK"

        return Handler()

    def start(self):
        from aiosmtpd.controller import Controller

        # A stopped Controller cannot start again (its event loop is closed): a new one each time.
        self._controller = Controller(self._handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def hang(self):
        self._controller.stop()
        self._controller = None
        self._hanging = HangingServer(port=self.port).__enter__()

    def answer(self):
        self._hanging.__exit__(None, None, None)
        self._hanging = None
        self.start()

    def stop(self):
        if self._hanging:
            self._hanging.__exit__(None, None, None)
        if self._controller:
            self._controller.stop()


class Stage:
    """Everything one fault suite run needs; one database per scenario (from a migrated template)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="emergency-faults-"))
        self.folder.chmod(0o755)
        self.pg_port, self.redis_port = free_port(), free_port()
        self.pg_dir = self.folder / "pg"
        self.processes: dict[str, subprocess.Popen] = {}
        self.robot = RobotServer()
        self.mail = MailServer()
        self.database = "template_portal"
        self.extra_env: dict[str, str] = {}

    # ------------------------------------------------------------------ services

    def start(self):
        if shutil.which("initdb") is None or shutil.which("redis-server") is None:
            raise RuntimeError("the fault suite needs PostgreSQL's initdb/pg_ctl and redis-server on PATH")
        self.pg_dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.pg_dir, "postgres", "postgres")
        subprocess.run(_as_postgres(["initdb", "-D", str(self.pg_dir), "-A", "trust", "-U", "postgres", "--no-sync"]),
                       check=True, capture_output=True)
        self.pg_start()
        self.redis_start(keep_data=False)
        self.robot.__enter__()
        self.mail.start()
        self.psql(f"CREATE DATABASE {self.database}")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("seed_demo")

    def pg_start(self):
        subprocess.run(_as_postgres([
            "pg_ctl", "-D", str(self.pg_dir), "-l", str(self.pg_dir / "server.log"), "-w", "-o",
            f"-p {self.pg_port} -k {self.pg_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c max_connections=200"]) + ["start"], check=True, capture_output=True)

    def pg_restart(self, down_seconds: float = 3):
        subprocess.run(_as_postgres(["pg_ctl", "-D", str(self.pg_dir), "-m", "fast", "-w", "stop"]),
                       check=True, capture_output=True)
        time.sleep(down_seconds)
        self.pg_start()

    def redis_start(self, *, keep_data: bool):
        if not keep_data:
            (self.folder / "dump.rdb").unlink(missing_ok=True)
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--save", "3600 1", "--appendonly", "no", "--logfile", str(self.folder / "redis.log")])
        deadline = time.monotonic() + 10
        while not self._redis_answers():
            assert time.monotonic() < deadline, "the private redis did not start"
            time.sleep(0.1)

    def _redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def redis_restart(self, *, keep_data: bool, down_seconds: float = 2):
        subprocess.run(["redis-cli", "-p", str(self.redis_port), "shutdown", "save" if keep_data else "nosave"],
                       capture_output=True)
        self.processes.pop("redis").wait(timeout=10)
        time.sleep(down_seconds)
        self.redis_start(keep_data=keep_data)

    def redis_stop(self):
        """Stop the private Redis for good, without saving, and wait for it. A plain SIGTERM makes it
        save first (--save), and once stop() has removed its folder that save fails and Redis 7 refuses
        to exit: such servers outlived their test run."""
        process = self.processes.pop("redis", None)
        if process is None or process.poll() is not None:
            return
        subprocess.run(["redis-cli", "-p", str(self.redis_port), "shutdown", "nosave"], capture_output=True)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self):
        for name in list(self.processes):
            if name != "redis":
                self.stop_process(name)
        self.redis_stop()
        subprocess.run(_as_postgres(["pg_ctl", "-D", str(self.pg_dir), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        self.robot.__exit__(None, None, None)
        self.mail.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------------ the portal

    def env(self) -> dict:
        return {**os.environ, "DEBUG": "true", "PYTHONPATH": str(ROOT),
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/{self.database}",
                "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "EMAIL_URL": f"smtp://127.0.0.1:{self.mail.port}", "EMAIL_TIMEOUT": "3", "ROBOT_TIMEOUT_SECONDS": "3",
                "DEADLINE_SWEEP_SECONDS": str(SWEEP_SECONDS), "OUTBOX_RETRY_SECONDS": "5",
                "OUTBOX_QUEUED_STALE_SECONDS": "30", "LOG_LEVEL": "WARNING", **self.extra_env}

    def psql(self, sql: str):
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", "postgres",
                        "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)

    def manage(self, *args):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(), check=True, capture_output=True,
                       timeout=600)

    def new_database(self, name: str):
        """A fresh copy of the migrated, seeded template for one scenario."""
        self.database = "template_portal"
        self.psql(f"CREATE DATABASE {name} TEMPLATE template_portal")
        self.database = name
        self.robot.received.clear()
        self.robot.seen.clear()
        self.robot.status, self.robot.errcode, self.robot.delay, self.robot.per_minute = 200, 0, 0.0, None
        self.mail.received.clear()
        subprocess.run(["redis-cli", "-p", str(self.redis_port), "flushall"], capture_output=True)

    PROCESSES = {  # as Procfile.dev starts them
        "beat": ["beat", "--loglevel=WARNING"],
        "beat2": ["beat", "--loglevel=WARNING"],
        "sweeper": ["worker", "-Q", "sweep,in_app", "-n", "sweeper@%h", "--concurrency=1", "--loglevel=WARNING"],
        "worker": ["worker", "-Q", "email,celery", "-n", "worker@%h", "--concurrency=2", "--loglevel=WARNING"],
        "robots": ["worker", "-Q", "webhook", "-n", "robots@%h", "--concurrency=2", "--loglevel=WARNING"],
    }

    def start_process(self, name: str):
        args = list(self.PROCESSES[name])
        if args[0] == "beat":
            args += ["-s", str(self.folder / f"{name}-{self.database}-schedule")]
        log = open(self.folder / f"{name}.log", "a")
        self.processes[name] = subprocess.Popen([PYTHON, "tests/loopback_celery.py", *args], cwd=ROOT,
                                                env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def stop_process(self, name: str, sig=signal.SIGTERM):
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def start_web(self, workers: int = 3) -> str:
        """gunicorn as compose runs it (sync workers), on a port of 9100–9199; returns its base URL
        once it answers. The token endpoint's per-address throttle is raised: every simulated user
        signs in from 127.0.0.1."""
        port = next(p for p in range(9100, 9200) if _port_free(p))
        log = open(self.folder / "web.log", "a")
        env = {**self.env(), "API_TOKEN_THROTTLE_RATE": "1000/minute"}
        self.processes["web"] = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "emergency.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "60"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return base
            except OSError:
                assert time.monotonic() < deadline and self.alive("web"), f"gunicorn did not start:\n{self.log_tail('web')}"
                time.sleep(0.3)

    def start_load(self, base: str, users: int, seconds: float) -> subprocess.Popen:
        """tests/faults/load.py in its own process: `users` simulated people for `seconds`, returned
        once all of them have signed in."""
        load = subprocess.Popen([PYTHON, "tests/faults/load.py", base, str(users), str(seconds)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = load.stdout.readline()
        assert line.strip() == "ready", f"the simulated users did not start: {line}{load.stdout.read()[-2000:]}"
        return load

    def alive(self, name: str) -> bool:
        return name in self.processes and self.processes[name].poll() is None

    def log_tail(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def seed(self, count: int, spread_seconds: float):
        subprocess.run([PYTHON, "tests/faults/portal_side.py", "seed", str(count), str(spread_seconds), self.robot.url,
                        "faults.test"], cwd=ROOT, env=self.env(), check=True, capture_output=True, timeout=600)

    def counts(self) -> dict:
        for _ in range(30):  # the database may be restarting
            done = subprocess.run([PYTHON, "tests/faults/portal_side.py", "counts"], cwd=ROOT, env=self.env(),
                                  capture_output=True, text=True, timeout=120)
            if done.returncode == 0:
                return json.loads(done.stdout.strip().splitlines()[-1])
            time.sleep(1)
        raise RuntimeError(done.stderr[-2000:])

    # ------------------------------------------------------------------ the count

    def wait_drained(self, expected_obligations: int, timeout: float) -> dict:
        """Until every outbox row has a final state and every obligation its overdue notice."""
        deadline = time.monotonic() + timeout
        while True:
            counts = self.counts()
            rows = counts["outbox"]
            overdue = {row["obligation__incident__reference"] for row in rows if row["step"] == "overdue"}
            final = all(row["state"] in ("sent", "failed", "uncertain") for row in rows)
            if (rows and final and len(overdue) >= expected_obligations) or time.monotonic() > deadline:
                return counts
            time.sleep(2)

    def tally(self, counts: dict) -> dict:
        """Expected messages (one per outbox row) against what the robot, the mail server and the
        in-app notification table received: lost, unmarked duplicates, marked resends, lag."""
        arrivals = Counter()
        marked = Counter()
        for text in self.robot.received:
            for match in ITEM.finditer(text):
                key = ("webhook", self.robot.url, _step(match["word"]), match["ref"])
                (marked if match["resend"] else arrivals)[key] += 1
        for rcpt, text, _at in self.mail.received:
            for match in ITEM.finditer(text):
                key = ("email", rcpt, _step(match["word"]), match["ref"])
                (marked if match["resend"] else arrivals)[key] += 1
        for note in counts["notifications"]:
            ref = note["title"]
            found = ITEM.search(ref)
            key = ("in_app", str(note["user_id"]), note["step"], found["ref"] if found else "?")
            (marked if found and found["resend"] else arrivals)[key] += note["n"]
        expected = [(row["channel"], row["recipient"], row["step"], row["obligation__incident__reference"])
                    for row in counts["outbox"]]
        lost = [key for key in expected if arrivals[key] + marked[key] == 0]
        unmarked_duplicates = sum(max(0, arrivals[key] - 1) for key in expected)
        duplicated = [key for key in expected if arrivals[key] > 1]
        lags = sorted(row["sent_at"] - row["created_at"] for row in counts["outbox"] if row["sent_at"])
        by_channel = {channel: sorted(row["sent_at"] - row["created_at"] for row in counts["outbox"]
                                      if row["sent_at"] and row["channel"] == channel)
                      for channel in ("in_app", "email", "webhook")}
        sent_times = sorted(row["sent_at"] for row in counts["outbox"] if row["sent_at"])
        beats = counts["heartbeats"]
        return {
            "expected": len(expected), "delivered": len(expected) - len(lost), "lost": len(lost),
            "unmarked_duplicates": unmarked_duplicates, "marked_resends": sum(marked.values()),
            "states": dict(Counter(row["state"] for row in counts["outbox"])),
            "lag_p50": _percentile(lags, 0.5), "lag_p95": _percentile(lags, 0.95),
            **{f"{channel}_lag_p{p}": _percentile(values, p / 100)
               for channel, values in by_channel.items() for p in (50, 95)},
            # Where the lag comes from: the sweep until its outbox insert (created_at is the sweep's
            # clock at its start), then commit, queue and send (queued_at: the insert's real time).
            "insert_p95": _percentile(sorted(row["queued_at"] - row["created_at"] for row in counts["outbox"]
                                             if row["channel"] != "webhook" and row["attempts"] == 1), 0.95),
            **{f"{channel}_after_insert_p95": _percentile(sorted(
                row["sent_at"] - row["queued_at"] for row in counts["outbox"]
                if row["sent_at"] and row["channel"] == channel and row["attempts"] == 1), 0.95)
               for channel in ("in_app", "email")},
            "sweep_seconds_p95": _percentile(sorted(counts.get("sweep_seconds", [])), 0.95),
            "drain_per_s": round(len(sent_times) / max(1.0, sent_times[-1] - sent_times[0]), 1) if sent_times else 0,
            "max_sweep_gap": round(max((b - a for a, b in zip(beats, beats[1:])), default=0), 1),
            "robot_messages": sum(row["channel"] == "webhook" for row in counts["outbox"]),
            "robot_posts": len(self.robot.seen), "emails": len(self.mail.received),
            "lost_examples": lost[:5], "duplicate_examples": duplicated[:5],
        }


def _percentile(values: list[float], fraction: float) -> float | None:
    """The value below which `fraction` of the sorted values lie (nearest rank), in seconds, 0.1 s."""
    return round(values[int(fraction * (len(values) - 1))], 1) if values else None


def _step(word: str) -> str:
    for prefix, step in STEP_WORDS.items():
        if prefix in word:
            return step
    return word
