"""Local stand-ins for the servers the portal talks to, on loopback: a WeCom/DingTalk group robot
that can be slow, fail, rate-limit with an error code or hang, and a mail server that can hang.
Used by tests/reporting/test_delivery.py and the fault suite (tests/faults/)."""

import json
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RobotServer:
    """A group robot on 127.0.0.1. Knobs (change them at any time):
    `status` (HTTP status), `errcode` (answered in the JSON body), `delay` (seconds before
    answering; the message counts as received before the delay), `per_minute` (rate limit
    answered with WeCom's errcode 45009, sliding 60 s window; None = unlimited).
    `received`: the texts accepted (errcode 0 and HTTP 200), in order; `seen`: every text posted."""

    def __init__(self):
        self.status, self.errcode, self.delay, self.per_minute = 200, 0, 0.0, None
        self.received: list[str] = []
        self.seen: list[str] = []
        self._recent = deque()
        self._lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                text = body["text"]["content"]
                with robot._lock:
                    robot.seen.append(text)
                    status, errcode = robot.status, robot.errcode
                    now = time.monotonic()
                    while robot._recent and robot._recent[0] < now - 60:
                        robot._recent.popleft()
                    if status == 200 and errcode == 0 and robot.per_minute is not None:
                        if len(robot._recent) >= robot.per_minute:
                            errcode = 45009
                        else:
                            robot._recent.append(now)
                    if status == 200 and errcode == 0:
                        robot.received.append(text)
                if robot.delay:
                    time.sleep(robot.delay)
                answer = json.dumps({"errcode": errcode, "errmsg": "ok" if not errcode else "api freq out of limit"})
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(answer.encode())
                except OSError:  # the client gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class HangingServer:
    """Accepts TCP connections on 127.0.0.1 and never says a word (an SMTP server that hangs)."""

    def __init__(self, port: int = 0):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self._held = []
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self._held.append(conn)
            except OSError:
                continue

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        self._thread.join(timeout=2)
        for conn in self._held:
            conn.close()
        self.sock.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
