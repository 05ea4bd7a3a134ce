"""Simulated users for the fault suite's load scenario (issue 16: the lag target holds "with 50 users
on 2 cores"): USERS threads drive a live portal over HTTP for SECONDS, as the demo accounts, each
signed in once (stations and the office by API token, the leaders through the login form and pages),
then in a loop: think 1–4 s, then poll a page or an API list, and now and then (stations) file an
incident. Prints one JSON line: requests, errors (5xx, refused connections; examples), incidents
filed, response time p50/p95 in seconds.

    python tests/faults/load.py BASE_URL USERS SECONDS [PASSWORD]

A process of its own, not threads of the suite: the suite's mail server and robot must not compete
with fifty clients for one interpreter's lock. No Django here: only the standard library.
"""

import http.cookiejar
import json
import random
import re
import signal
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

# (account, how it works): stations and the office use the API the way the mobile client does; the
# leaders and the food section read pages in a browser.
ACCOUNTS = [("station1", "api"), ("station2", "api"), ("office", "api"), ("food", "pages"), ("director", "pages"),
            ("deputy", "pages")]
API_POLLS = ["/api/incidents/", "/api/notifications/", "/api/obligations/?status=pending", "/api/me/"]
PAGE_POLLS = ["/", "/incidents/", "/reporting/board/", "/reporting/notifications/"]
LEADERS = {"director", "deputy"}  # the dashboards are theirs (and the office's)
WARM_UP = 20  # seconds over which the users sign in
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STOP = threading.Event()
GO = threading.Event()  # set once everyone has signed in: the polling starts together


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.errors: list[str] = []
        self.filed = 0

    def record(self, seconds: float, error: str | None = None):
        with self.lock:
            if GO.is_set():  # signing in (a password hash each) is not what is measured
                self.times.append(seconds)
            if error:
                self.errors.append(error)


class User(threading.Thread):
    def __init__(self, number: int, base: str, until: float, password: str, tally: Tally):
        super().__init__(daemon=True)
        self.account, self.mode = ACCOUNTS[number % len(ACCOUNTS)]
        self.number, self.base, self.until, self.password, self.tally = number, base, until, password, tally
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.headers: dict[str, str] = {}
        self.random = random.Random(number)
        self.signed_in = threading.Event()

    def call(self, path: str, data: dict | None = None, *, form: bool = False) -> str:
        """One request; 4xx is the portal answering (recorded as a request), 5xx and no answer as errors."""
        headers = dict(self.headers)
        body = None
        if data is not None and form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        elif data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=60) as response:
                text = response.read().decode("utf-8", "replace")
            self.tally.record(time.monotonic() - started)
            return text
        except urllib.error.HTTPError as exc:
            exc.read()
            self.tally.record(time.monotonic() - started, f"{exc.code} {path}" if exc.code >= 500 else None)
            return ""
        except OSError as exc:
            self.tally.record(time.monotonic() - started, f"{type(exc).__name__} {path}")
            return ""

    def sign_in(self):
        if self.mode == "api":
            answer = self.call("/api/token/", {"username": self.account, "password": self.password})
            self.headers["Authorization"] = "Token " + json.loads(answer or "{}").get("token", "")
        else:
            found = CSRF.search(self.call("/login/"))
            self.call("/login/", {"username": self.account, "password": self.password,
                                  "csrfmiddlewaretoken": found[1] if found else ""}, form=True)

    def run(self):
        STOP.wait(self.random.uniform(0, WARM_UP))  # fifty password hashes at one instant would be no one's morning
        self.sign_in()
        self.signed_in.set()
        GO.wait()
        while time.time() < self.until and not STOP.is_set():
            if STOP.wait(self.random.uniform(1, 4)):
                break
            if self.account.startswith("station") and self.random.random() < 0.1:
                self.file_incident()
            else:
                polls = API_POLLS if self.mode == "api" else PAGE_POLLS + ["/dashboard/"] * (self.account in LEADERS)
                self.call(self.random.choice(polls))

    def file_incident(self):
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 600))
        answer = self.call("/api/incidents/", {
            "title": f"负载演练 {self.number}-{time.time():.0f}", "category": "food_safety", "occurred_at": now,
            "location": "城关镇", "description": "负载演练：模拟用户上报。", "proposed_level": 4, "source": "station",
            "nature": "食物中毒", "scope": "一家餐馆", "trend": "已控制", "measures_taken": "封存留样"})
        if '"reference"' in answer:
            with self.tally.lock:
                self.tally.filed += 1


def main(base: str, users: int, seconds: float, password: str = "demo1234") -> dict:
    signal.signal(signal.SIGTERM, lambda *_: STOP.set())
    tally = Tally()
    until = time.time() + WARM_UP + 120 + seconds
    threads = [User(n, base.rstrip("/"), until, password, tally) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.signed_in.wait(timeout=WARM_UP + 120)
    GO.set()
    print("ready", flush=True)  # the suite files its deadlines now
    started = time.time()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    times = sorted(tally.times)
    return {"users": users, "seconds": round(time.time() - started), "requests": len(times), "errors": len(tally.errors),
            "error_examples": tally.errors[:5], "incidents_filed": tally.filed,
            "response_p50_s": round(statistics.median(times), 2) if times else None,
            "response_p95_s": round(times[int(0.95 * (len(times) - 1))], 2) if times else None}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), *sys.argv[4:])))
