"""Deadlines as rows: which incident events create, fulfil or stop which obligations (plan 三(二)).

Everything here runs inside the transaction of the incident service that wrote the event
(incidents.signals.incident_event), so an event and its deadlines commit together or not at all.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Incident, IncidentEvent
from reporting.models import Kind, Obligation, Report, ReportingRule
from roles.selectors import office_section

E = IncidentEvent.Kind
# An incident the office registers may have no proposed level yet: hold the station to the
# strictest limit until one is proposed.
UNKNOWN_LEVEL = 1


def rule_minutes(kind: str, level: int | None) -> int | None:
    return (
        ReportingRule.objects.filter(kind=kind, level=level or UNKNOWN_LEVEL).values_list("limit_minutes", flat=True).first()
    )


def alert_schedule(obligation: Obligation) -> list[tuple[str, object]]:
    """The steps of one obligation and when each falls due, in time order."""
    from reporting.models import Outbox

    start, due = obligation.starts_at, obligation.due_at
    limit = due - start
    steps = []
    if limit < timedelta(hours=settings.SHORT_LIMIT_HOURS):
        steps.append((Outbox.Step.REMINDER_HALF, start + limit / 2))
        soon = due - timedelta(minutes=settings.REMINDER_SOON_MINUTES)
        if soon > start + limit / 2:
            steps.append((Outbox.Step.REMINDER_SOON, soon))
    else:
        steps.append((Outbox.Step.REMINDER_DAY, due - timedelta(hours=settings.REMINDER_DAY_HOURS)))
    steps.append((Outbox.Step.OVERDUE, due))
    steps.append((Outbox.Step.ESCALATION, due + timedelta(minutes=settings.ESCALATION_GRACE_MINUTES)))
    return steps


def next_alert(obligation: Obligation, after) -> object | None:
    return min((at for _step, at in alert_schedule(obligation) if at > after), default=None)


def create(incident: Incident, kind: str, owner_unit, starts_at, *, level, sequence: int = 1) -> Obligation | None:
    """The obligation of `kind`, or None where the plan names no limit for this level."""
    minutes = rule_minutes(kind, level)
    if minutes is None or owner_unit is None:
        return None
    obligation = Obligation(incident=incident, kind=kind, sequence=sequence, owner_unit=owner_unit,
                            starts_at=starts_at, due_at=starts_at + timedelta(minutes=minutes))
    obligation.next_alert_at = next_alert(obligation, after=min(timezone.now(), starts_at) - timedelta(seconds=1))
    obligation.save()
    return obligation


def fulfil(obligation: Obligation, report: Report, at) -> Obligation:
    obligation.status = Obligation.Status.FULFILLED
    obligation.report, obligation.fulfilled_at, obligation.next_alert_at = report, at, None
    obligation.late_by_seconds = int((at - obligation.due_at).total_seconds()) if at > obligation.due_at else None
    obligation.save(update_fields=["status", "report", "fulfilled_at", "late_by_seconds", "next_alert_at"])
    return obligation


def waive(obligation: Obligation, reason: str, by=None) -> Obligation:
    obligation.status, obligation.waived_reason, obligation.waived_by = Obligation.Status.WAIVED, reason, by
    obligation.next_alert_at = None
    obligation.save(update_fields=["status", "waived_reason", "waived_by", "next_alert_at"])
    return obligation


def open_obligations(incident: Incident, kind: str):
    return Obligation.objects.filter(
        incident=incident, kind=kind, status__in=[Obligation.Status.PENDING, Obligation.Status.OVERDUE]
    ).order_by("sequence")


def progress_next(incident: Incident, previous: Obligation | None, anchor=None) -> Obligation | None:
    """The next progress report on the fixed schedule: each period starts where the last one
    was due (no drift), or at `anchor` (activation, a level change)."""
    if incident.status != Incident.Status.ACTIVE:
        return None
    last = Obligation.objects.filter(incident=incident, kind=Kind.PROGRESS_REPORT).order_by("-sequence").first()
    starts_at = anchor if anchor is not None else previous.due_at
    return create(incident, Kind.PROGRESS_REPORT, office_section(), starts_at, level=incident.level,
                  sequence=(last.sequence + 1) if last else 1)


def first_report_content(event: IncidentEvent) -> str:
    """The first report as text, from the snapshot taken at submission (三(二)3)."""
    snapshot = event.data.get("first_report", {})
    incident = event.incident
    lines = [
        f"{_('title')}: {snapshot.get('title', '')}",
        f"{_('occurred at')}: {_local(incident.occurred_at)}",
        f"{_('discovered at')}: {_local(incident.discovered_at)}",
        f"{_('place')}: {snapshot.get('location', '')}",
        f"{_('information source')}: {incident.get_source_display()} {snapshot.get('source_detail', '')}".strip(),
        f"{_('nature')}: {snapshot.get('nature', '')}",
        f"{_('what happened')}: {snapshot.get('description', '')}",
        f"{_('proposed level')}: {incident.proposed_level_roman}",
        _("%(dead)s dead, %(injured)s injured, %(missing)s missing")
        % {"dead": incident.dead, "injured": incident.injured, "missing": incident.missing},
        f"{_('scope of impact')}: {snapshot.get('scope', '')}",
        f"{_('trend')}: {snapshot.get('trend', '')}",
        f"{_('measures already taken')}: {snapshot.get('measures_taken', '')}",
    ]
    return "\n".join(lines)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# ---------------------------------------------------------------- what each event does


def on_incident_event(sender, event: IncidentEvent, **kwargs) -> None:
    handler = HANDLERS.get(event.kind)
    if handler:
        handler(event)


def _registered(event):
    """The office assigned an incident: the station owes the first report, counted from now."""
    incident = event.incident
    create(incident, Kind.FIRST_REPORT, incident.station, event.at, level=incident.proposed_level)


def _submitted(event):
    incident = event.incident
    received = incident.received_at
    report = Report.objects.create(
        incident=incident, kind=Kind.FIRST_REPORT, content=first_report_content(event), author=event.actor,
        unit=incident.station, submitted_at=received,
    )
    obligation = open_obligations(incident, Kind.FIRST_REPORT).first()
    if obligation is None:
        # Counted from when it occurred, or from discovery when the station learned of it later.
        obligation = create(incident, Kind.FIRST_REPORT, incident.station, incident.discovered_at or incident.occurred_at,
                            level=incident.proposed_level)
    if obligation is not None:
        fulfil(obligation, report, received)
    create(incident, Kind.UPWARD_REPORT, office_section(), received, level=incident.proposed_level)


def _activated(event):
    progress_next(event.incident, None, anchor=event.at)


def _level_changed(event):
    """Re-anchor the progress schedule at the change; an overdue period stays overdue."""
    incident = event.incident
    for obligation in Obligation.objects.filter(incident=incident, kind=Kind.PROGRESS_REPORT,
                                                status=Obligation.Status.PENDING):
        waive(obligation, _("The level changed: the schedule starts again from the change."))
    progress_next(incident, None, anchor=event.at)


def _ended(event):
    incident = event.incident
    for obligation in Obligation.objects.filter(incident=incident, kind=Kind.PROGRESS_REPORT,
                                                status=Obligation.Status.PENDING):
        waive(obligation, _("The emergency ended: progress reports stop."))
    create(incident, Kind.FINAL_REPORT, office_section(), event.at, level=incident.level)
    create(incident, Kind.AFTER_ACTION_REPORT, office_section(), event.at, level=incident.level)


def _merged(event):
    if "into" not in event.data:
        return  # the event on the incident that was kept
    for obligation in Obligation.objects.filter(incident=event.incident, status=Obligation.Status.PENDING):
        waive(obligation, _("Merged into incident %(id)s, which carries the reporting.") % {"id": event.data["into"]})


HANDLERS = {
    E.REGISTERED: _registered,
    E.SUBMITTED: _submitted,
    E.ACTIVATED: _activated,
    E.LEVEL_CHANGED: _level_changed,
    E.ENDED: _ended,
    E.MERGED: _merged,
}
