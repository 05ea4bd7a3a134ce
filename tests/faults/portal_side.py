"""The portal's side of the fault suite, run in its own process against the suite's private
PostgreSQL (DATABASE_URL): `seed` files incidents whose first-report deadlines fall due over the
next minutes, `counts` prints what the outbox and the in-app notifications hold, as JSON. The
CI part of the suite (test_in_ci.py) calls the same functions in its own process.

    python tests/faults/portal_side.py seed COUNT SPREAD_SECONDS ROBOT_URL SMTP_DOMAIN
    python tests/faults/portal_side.py counts
"""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emergency.settings")

import django  # noqa: E402

django.setup()  # a no-op when imported by a test (tests/faults/test_in_ci.py), where Django is set up

from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402


def seed(count: int, spread: float, robot_url: str, domain: str, lead: float = 5) -> None:
    """COUNT incidents registered by the office for station1, so that their first report (1 hour)
    falls due between now + LEAD seconds and SPREAD seconds later; station1's and the office's
    people get an address at DOMAIN, and both units the robot. (A deadline already past when a
    sweep first sees it gets no reminders: the lead must cover the filing and one sweep interval.)"""
    import time_machine

    from incidents import services as incidents
    from incidents.models import Category
    from roles.models import Membership, Unit, User
    from roles.selectors import office_section

    station = Unit.objects.get(code="chengguan")
    office_unit = office_section()
    Unit.objects.filter(pk__in=[station.pk, office_unit.pk]).update(robot_webhook_url=robot_url)
    for membership in Membership.objects.filter(unit__in=[station, office_unit]).select_related("user"):
        User.objects.filter(pk=membership.user_id).update(email=f"{membership.user.username}@{domain}")
    office = User.objects.get(username="office")
    category = Category.objects.get(code="food_safety")
    start = timezone.now() - timedelta(hours=1) + timedelta(seconds=lead)
    for i in range(count):
        with time_machine.travel(start + timedelta(seconds=spread * i / max(count, 1)), tick=False):
            incidents.incident_file(actor=office, station=station, draft=True, title=f"故障演练{i:04d}",
                                    category=category, proposed_level=2)


def counts() -> None:
    print(json.dumps(collect(), ensure_ascii=False))


def collect() -> dict:
    """What the outbox, the in-app notifications and the sweep heartbeats hold (times as epoch seconds)."""
    from reporting.models import Notification, Outbox, SweepHeartbeat

    from incidents.models import Incident

    # Deadline messages only: the notices of incident steps (reporting.notices: "registered for you" …)
    # travel the same outbox but are no deadline's, and the suite counts each deadline's messages.
    outbox = list(Outbox.objects.filter(obligation__isnull=False).values("pk", "channel", "recipient", "step", "state", "attempts", "created_at",
                                        "queued_at", "sent_at", "obligation__incident_id"))
    references = {incident.pk: incident.reference for incident in Incident.objects.all()}
    for row in outbox:
        row["obligation__incident__reference"] = references[row.pop("obligation__incident_id")]
        for key in ("created_at", "queued_at", "sent_at"):
            row[key] = row[key].timestamp() if row[key] else None
    notes = list(Notification.objects.filter(obligation__isnull=False)
                 .values("user_id", "obligation_id", "step", "title")
                 .annotate(n=Count("pk")))
    sweeps = sorted((finished.timestamp(), (finished - started).total_seconds())
                    for started, finished in SweepHeartbeat.objects.values_list("started_at", "finished_at"))
    return {"outbox": outbox, "notifications": notes, "heartbeats": [at for at, _took in sweeps],
            "sweep_seconds": [took for _at, took in sweeps]}


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        counts()
