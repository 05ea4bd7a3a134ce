"""Every role hears what concerns it (issue 12 item 2): the steps of an incident that someone must
act on or know of, sent through the outbox like the deadlines' messages (in-app, email, the
unit's group robot; reporting.delivery), once per step and recipient.

Who hears what:
- the incident's station: the office registered an incident for it (its first-report clock runs),
  returned its report for more (its answer is owed, docs/deadlines.md rule 15), the response was
  activated, its level changed, the emergency was declared ended;
- the leading group (the director, the deputy and the other members): a report of level Ⅰ–Ⅲ
  arrived and awaits the office's verification (before any escalation reaches them), and after
  the end, that the investigation team is to be named and the after-action report is owed.

Connected to incidents' one signal in reporting.apps, after the deadlines (so a notice can name the
deadline the same step created), inside the service's transaction: the notice commits with the step.
Messages are common.messages keys, rendered in each reader's language in the app and in the
portal's language (Chinese) by email and robot.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common.messages import define
from incidents.models import Incident, IncidentEvent
from reporting.clock import rule_limit
from reporting.models import Kind, Obligation, Outbox
from reporting.obligations import effective_level
from roles.models import Unit

E = IncidentEvent.Kind

REGISTERED = define("notice.registered", gettext_noop(
    "The office registered %(incident)s for your station: the first report is due at %(due)s"))
REGISTERED_UNTIMED = define("notice.registered_untimed", gettext_noop(
    "The office registered %(incident)s for your station: file the first report"))
RETURNED = define("notice.returned", gettext_noop("The office returned %(incident)s for more: answer by %(due)s"))
ACTIVATED = define("notice.activated", gettext_noop("Emergency response activated (%(level)s): %(incident)s"))
LEVEL_CHANGED = define("notice.level_changed", gettext_noop(
    "The response level changed from %(old)s to %(level)s: %(incident)s"))
ENDED = define("notice.ended", gettext_noop("The emergency was declared ended: %(incident)s"))
ENDED_LEADERS = define("notice.ended_leaders", gettext_noop(
    "Ended: %(incident)s. Name the investigation team; the after-action report is due at %(due)s"))
UNVERIFIED = define("notice.unverified", gettext_noop(
    "A report (proposed %(level)s) awaits the office's verification: %(incident)s"))


def deadline_named(value) -> str:
    """{"deadline": [kind, incident named]} → "首报（2026-00001 …）" in the active language."""
    kind, incident = value
    return _("%(kind)s (%(incident)s)") % {"kind": Kind(kind).label, "incident": incident}


def named(incident: Incident) -> str:
    """How a message names the incident: its reference and title (typed text, shown as typed)."""
    return f"{incident.reference} {incident.title}"


def _due(incident: Incident, kind: str) -> dict | None:
    row = Obligation.objects.filter(incident=incident, kind=kind, status__in=[
        Obligation.Status.PENDING, Obligation.Status.OVERDUE]).order_by("-sequence").values_list("due_at", flat=True).first()
    return {"time": row.isoformat()} if row else None


def _leading_group():
    return list(Unit.objects.filter(kind=Unit.Kind.LEADING_GROUP, is_active=True))


def audiences(event: IncidentEvent) -> list[tuple[list[Unit], str, dict]]:
    """[(units, message key, params)] for one event: whom it concerns and what they read."""
    incident = event.incident
    params = {"incident": named(incident)}
    station = [incident.station] if incident.station_id else []
    if event.kind == E.REGISTERED:
        due = _due(incident, Kind.FIRST_REPORT)
        return [(station, REGISTERED if due else REGISTERED_UNTIMED, {**params, "due": due} if due else params)]
    if event.kind == E.RETURNED:
        return [(station, RETURNED, {**params, "due": _due(incident, Kind.RETURN_ANSWER) or "—"})]
    if event.kind == E.ACTIVATED:
        return [(station, ACTIVATED, {**params, "level": {"level": incident.level}})]
    if event.kind == E.LEVEL_CHANGED:
        old, new = (event.data.get("level") or [None, incident.level])[:2]
        return [(station, LEVEL_CHANGED, {**params, "old": {"level": old}, "level": {"level": new}})]
    if event.kind == E.ENDED:
        return [(station, ENDED, params),
                (_leading_group(), ENDED_LEADERS, {**params, "due": _due(incident, Kind.AFTER_ACTION_REPORT) or "—"})]
    if event.kind == E.SUBMITTED:
        level = effective_level(incident)
        if level is not None and rule_limit(Kind.UPWARD_REPORT, level) != (None, None):  # Ⅰ–Ⅲ (rule 3)
            return [(_leading_group(), UNVERIFIED, {**params, "level": {"level": level}})]
    return []


def on_incident_event(sender, event: IncidentEvent, **kwargs) -> list[int]:
    """Write the outbox rows of this event's notices (queued; sent once the step commits). Returns their ids."""
    from reporting.delivery import enqueue  # delivery renders these rows (notice_parts): it imports this module
    from reporting.sweep import unit_recipients

    rows, seen = [], set()
    now = timezone.now()
    for units, key, _params in audiences(event):
        for unit in units:
            for channel, recipient in unit_recipients(unit):
                if (key, channel, recipient) not in seen:
                    seen.add((key, channel, recipient))
                    rows.append(Outbox(event=event, step=Outbox.Step.NOTICE, message_key=key, channel=channel,
                                       recipient=recipient, state=Outbox.State.QUEUED, queued_at=now,
                                       next_attempt_at=now, created_at=now))
    created = [row.pk for row in Outbox.objects.bulk_create(rows)]
    enqueue(created)
    return created


def notice_parts(row: Outbox) -> tuple[str, str, dict, str]:
    """(title key, body key, params, body as typed) of a notice row, rebuilt from its event (the
    deadlines' due times are read as they are now: a clock moved earlier shows its new time)."""
    event = row.event
    for _units, key, params in audiences(event):
        if key == row.message_key:
            body = event.message if key == RETURNED else ""  # the office's request, as typed
            return key, "", params, body
    return row.message_key, "", {"incident": named(event.incident)}, ""
