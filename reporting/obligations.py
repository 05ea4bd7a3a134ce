"""Deadlines as rows: which incident events create, fulfil or stop which obligations (plan 三(二),
三(三), 五). docs/deadlines.md is the rule book: each rule, the plan's clause and its test.

Everything here runs inside the transaction of the incident service that wrote the event
(incidents.signals.incident_event), so an event and its deadlines commit together or not at all.

The record is the accountability record (五(三)): a row is never deleted, its clock is never moved
later, and a miss stays a miss. `overdue_at` is the moment of the miss (the row's `due_at`), set by
whichever comes first after the deadline: the sweep, a late report, a waiver, a level change, the
end or a merge. Only a waiver before `due_at` takes a row out of the counts.
"""

import datetime
from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from common.messages import define, stored
from incidents.models import Incident, IncidentEvent, Measure
from reporting.clock import UNKNOWN_LEVEL, due_after, next_alert, rule_limit
from reporting.models import SEVERE_ONLY, Kind, Obligation, Report
from reporting.texts import after_action_content, first_report_content, first_report_facts
from roles.models import Membership
from roles.selectors import office_section

# Reasons the system gives when it waives a deadline (common.messages): shown in the reader's language.
PROGRESS_SOONER = define("waiver.progress_sooner", gettext_noop("The level changed: the next progress report falls due sooner."))
DRAFT_LEVEL_IV = define("waiver.draft_level_iv", gettext_noop("The draft no longer proposes level Ⅰ–Ⅲ."))
FIRST_REPORT_IV = define("waiver.first_report_iv", gettext_noop("The first report proposes level Ⅳ: the plan sets no limit."))
CORRECTED_IV = define("waiver.corrected_iv", gettext_noop("The office corrected the level to Ⅳ: the plan sets no limit."))
ACTIVATED_IV = define("waiver.activated_iv", gettext_noop("Activated at level Ⅳ: the plan sets no limit."))
DECLINED = define("waiver.declined", gettext_noop("Not activated: the leading group declined a response."))
LEVEL_IV = define("waiver.level_iv", gettext_noop("The level changed to Ⅳ: the plan sets no limit."))
ENDED = define("waiver.ended", gettext_noop("The emergency ended: progress reports stop."))
MERGED = define("waiver.merged", gettext_noop("Merged into incident %(id)s, which carries the reporting."))

E = IncidentEvent.Kind
S = Obligation.Status
OPEN = [S.PENDING, S.OVERDUE]


def effective_level(incident: Incident) -> int | None:
    """The level the plan's scope is judged on (rule 3): the leading group's decision once there is
    one, else the proposal as the office last corrected it."""
    return incident.level if incident.level is not None else incident.proposed_level


# ---------------------------------------------------------------- rows


def create(incident: Incident, kind: str, owner_unit, starts_at, *, level, sequence: int | None = None,
           due_at=None, measure: Measure | None = None) -> Obligation | None:
    """The obligation of `kind` counted from `starts_at` by the rule at `level` (or at `due_at` when
    given, as for a measure), or None where the plan names no limit. Born overdue when its deadline
    has already passed."""
    if owner_unit is None:
        return None
    if due_at is None:
        minutes, days = rule_limit(kind, level)
        if minutes is None and days is None:
            return None
        due_at = due_after(starts_at, minutes=minutes, days=days)
    return _new_row(kind=kind, owner_unit=owner_unit, starts_at=starts_at, due_at=due_at, sequence=sequence,
                    subject={"incident": incident}, measure=measure)


def create_for(*, kind: str, owner_unit, starts_at, due_at, sequence: int | None = None, **subject) -> Obligation:
    """An obligation about a subject other than an incident (reporting.subjects): `subject` is one
    keyword, a name of SUBJECT_FIELDS and its object, e.g. `shift=shift`. `starts_at` and `due_at`
    are aware datetimes (stored UTC); the limit is the caller's, read from its own data (a template,
    a setting, a date a person set), and named in docs/deadlines.md. `sequence` defaults to the next
    number of that kind for that subject. Born overdue when `due_at` has passed; reminded, marked
    overdue and escalated by the sweep like any report's deadline. Raises ValueError without exactly
    one subject. Call it inside the transaction of the service that causes the obligation."""
    from reporting.models.obligations import SUBJECT_FIELDS

    if len(subject) != 1 or next(iter(subject)) not in SUBJECT_FIELDS or next(iter(subject.values())) is None:
        raise ValueError(f"create_for needs exactly one subject of {SUBJECT_FIELDS}, got {sorted(subject)}")
    return _new_row(kind=kind, owner_unit=owner_unit, starts_at=starts_at, due_at=due_at, sequence=sequence,
                    subject=subject)


def _new_row(*, kind: str, owner_unit, starts_at, due_at, sequence: int | None, subject: dict, **fields) -> Obligation:
    """Save a new row about `subject` ({field: object}): the next sequence of that kind for that subject
    unless given, born overdue when `due_at` has passed, its first alert set (create, create_for)."""
    if sequence is None:
        last = Obligation.objects.filter(kind=kind, **subject).order_by("-sequence").values_list("sequence", flat=True).first()
        sequence = (last or 0) + 1
    now = timezone.now()
    obligation = Obligation(kind=kind, sequence=sequence, owner_unit=owner_unit, starts_at=min(starts_at, due_at),
                            due_at=due_at, **subject, **fields)
    if due_at <= now:
        obligation.status, obligation.overdue_at = S.OVERDUE, due_at
    obligation.next_alert_at = next_alert(obligation, after=min(now, obligation.starts_at) - timedelta(seconds=1))
    obligation.save()
    return obligation


def fulfil(obligation: Obligation, report: Report | None, at) -> Obligation:
    """Fulfilled at `at` (UTC) by `report` (None for a measure reported done). Lateness is kept in
    seconds from `due_at`, and for a first report also from discovery (rule 1)."""
    obligation.status = S.FULFILLED
    obligation.report, obligation.fulfilled_at, obligation.next_alert_at = report, at, None
    obligation.late_by_seconds = _seconds_past(at, obligation.due_at)
    if obligation.late_by_seconds is not None and obligation.overdue_at is None:
        obligation.overdue_at = obligation.due_at
    if obligation.discovered_due_at is not None:
        obligation.late_from_discovery_seconds = _seconds_past(at, obligation.discovered_due_at)
    obligation.save(update_fields=["status", "report", "fulfilled_at", "late_by_seconds", "next_alert_at",
                                   "overdue_at", "late_from_discovery_seconds"])
    return obligation


def reopen(obligation: Obligation, at) -> Obligation:
    """Undo a fulfilment whose report did not arrive after all (a bounce, 退信: docs/deadlines.md
    rule 18): the row is as it would be without that delivery, at `at` (UTC, when the bounce was
    read). Pending when still before `due_at`; past it, overdue since `due_at` (a miss stays a miss)
    and swept at once for its overdue notice and escalation (steps already sent are not sent again).
    The report, fulfilment time and lateness are cleared; the next delivery that completes the
    report fulfils it again (late if late). Nothing is deleted and `due_at` never moves."""
    obligation.report, obligation.fulfilled_at = None, None
    obligation.late_by_seconds = obligation.late_from_discovery_seconds = None
    if at >= obligation.due_at:
        obligation.status, obligation.overdue_at, obligation.next_alert_at = S.OVERDUE, obligation.due_at, at
    else:
        obligation.status, obligation.overdue_at = S.PENDING, None
        obligation.next_alert_at = next_alert(obligation, after=at)
    obligation.save(update_fields=["status", "report", "fulfilled_at", "late_by_seconds", "late_from_discovery_seconds",
                                   "overdue_at", "next_alert_at"])
    return obligation


def _seconds_past(at, due) -> int | None:
    return int((at - due).total_seconds()) if at > due else None


def waive(obligation: Obligation, reason: str = "", by=None, at=None, *, key: str = "", params=None) -> Obligation:
    """Waived at `at` (default now). After `due_at` the miss stays on the record (rule 10). `reason`:
    as a person gave it; or `key` + `params`, a reason the system gives (common.messages), shown in
    the reader's language and kept as text in the portal's."""
    at = at or timezone.now()
    if key:
        reason = stored(key, params)
    obligation.waived_reason_key, obligation.waived_reason_params = key, (params or {}) if key else {}
    obligation.status, obligation.waived_reason, obligation.waived_by = S.WAIVED, reason, by
    obligation.waived_at, obligation.next_alert_at = at, None
    if at >= obligation.due_at and obligation.overdue_at is None:
        obligation.overdue_at = obligation.due_at
    obligation.save(update_fields=["status", "waived_reason", "waived_by", "waived_at", "next_alert_at", "overdue_at",
                                   "waived_reason_key", "waived_reason_params"])
    return obligation


def open_obligations(incident: Incident, kind: str):
    return Obligation.objects.filter(incident=incident, kind=kind, status__in=OPEN).order_by("sequence")


def _standing(incident: Incident, kind: str):
    """Rows of `kind` that still stand: open or fulfilled (not waived)."""
    return Obligation.objects.filter(incident=incident, kind=kind).exclude(status=S.WAIVED)


def tighten(obligation: Obligation, due_at, *, starts_at=None, now=None) -> Obligation:
    """Move a clock earlier, never later (merges, an earlier occurrence typed into a draft)."""
    if due_at >= obligation.due_at:
        return obligation
    now = now or timezone.now()
    obligation.due_at = due_at
    obligation.starts_at = min(starts_at or obligation.starts_at, due_at)
    if obligation.status == S.FULFILLED:
        obligation.late_by_seconds = _seconds_past(obligation.fulfilled_at, due_at)
        obligation.overdue_at = due_at if obligation.late_by_seconds is not None else None
    elif obligation.status in OPEN:
        if due_at <= now:
            obligation.status, obligation.overdue_at = S.OVERDUE, due_at
        obligation.next_alert_at = next_alert(obligation, after=min(now, obligation.starts_at) - timedelta(seconds=1))
    elif obligation.status == S.WAIVED and obligation.waived_at and obligation.waived_at >= due_at:
        obligation.overdue_at = due_at
    obligation.save(update_fields=["due_at", "starts_at", "late_by_seconds", "overdue_at", "status", "next_alert_at"])
    return obligation


# ---------------------------------------------------------------- the first report and the upward report


def first_report_due(incident: Incident, level) -> datetime.datetime | None:
    """Rule 1: 1 hour after occurrence (三(二)2-1 发生后…1小时内)."""
    minutes, days = rule_limit(Kind.FIRST_REPORT, level)
    if (minutes is None and days is None) or incident.occurred_at is None:
        return None
    return due_after(incident.occurred_at, minutes=minutes, days=days)


def first_report_clock(incident: Incident, at, *, level) -> Obligation | None:
    """The station's first-report obligation, created when first known (rule 2), its clock moved
    earlier when an earlier occurrence is given, never later."""
    if rule_limit(Kind.FIRST_REPORT, level) == (None, None):
        return None
    standing = _standing(incident, Kind.FIRST_REPORT).order_by("-sequence").first()
    due = first_report_due(incident, level)
    if standing is None:
        start = incident.occurred_at or at  # registered without a time: counted from when the bureau knew
        return create(incident, Kind.FIRST_REPORT, incident.station, start, level=level, due_at=due)
    if due is not None and standing.status != S.FULFILLED:
        tighten(standing, due, starts_at=incident.occurred_at)
    return standing


def _first_report(incident: Incident) -> Report | None:
    return Report.objects.filter(incident=incident, kind=Kind.FIRST_REPORT, corrects=None).order_by("pk").first()


def _fulfil_first_report(obligation: Obligation, incident: Incident) -> None:
    report = _first_report(incident)
    if report is None or obligation.status not in OPEN:
        return
    if incident.discovered_at and incident.occurred_at and incident.discovered_at > incident.occurred_at:
        minutes, days = rule_limit(Kind.FIRST_REPORT, effective_level(incident) or UNKNOWN_LEVEL)
        obligation.discovered_due_at = due_after(incident.discovered_at, minutes=minutes, days=days)
        obligation.save(update_fields=["discovered_due_at"])
    fulfil(obligation, report, report.submitted_at)


def judge_level(incident: Incident, at, *, reason: str) -> None:
    """Rule 3: the scope of 首报 and 上报 (Ⅰ–Ⅲ) follows the effective level, whoever set it last.

    Into Ⅰ–Ⅲ: the first-report obligation is created (due 1 h after occurrence) and fulfilled by the
    first report already filed, with its lateness; the upward obligation is created due 30 minutes
    after `at`, the moment the bureau first judged it Ⅰ–Ⅲ. Out of it (Ⅳ, declined): open rows of both
    kinds are waived with `reason` (a common.messages key); one already past due keeps its miss."""
    level = effective_level(incident)
    severe = level is not None and rule_limit(Kind.UPWARD_REPORT, level) != (None, None)
    if incident.status == Incident.Status.DECLINED or not severe:
        for kind in SEVERE_ONLY:
            for obligation in open_obligations(incident, kind):
                if kind == Kind.FIRST_REPORT and _first_report(incident) is not None:
                    _fulfil_first_report(obligation, incident)  # it was owed when asked for, and it came
                else:
                    waive(obligation, key=reason, at=at)
        return
    first = first_report_clock(incident, at, level=level)
    if first is not None and incident.received_at is not None:
        _fulfil_first_report(first, incident)
    if incident.received_at is not None and not _standing(incident, Kind.UPWARD_REPORT).exists():
        create(incident, Kind.UPWARD_REPORT, office_of(incident), max(at, incident.received_at), level=level)


# ---------------------------------------------------------------- progress, measures, the end


def progress_next(incident: Incident, previous: Obligation | None, anchor=None) -> Obligation | None:
    """The next progress report on the fixed schedule (rule 5): each period starts where the last
    one was due (no drift), or at `anchor` (activation, a level change)."""
    if incident.status != Incident.Status.ACTIVE:
        return None
    starts_at = anchor if anchor is not None else previous.due_at
    return create(incident, Kind.PROGRESS_REPORT, office_of(incident), starts_at, level=incident.level)


def progress_on_level_change(incident: Incident, at) -> None:
    """Rule 5: the next report is due at the earlier of the pending due time and the change plus the
    new interval, so switching levels never stretches a cadence."""
    pending = Obligation.objects.filter(incident=incident, kind=Kind.PROGRESS_REPORT, status=S.PENDING).first()
    minutes, days = rule_limit(Kind.PROGRESS_REPORT, incident.level)
    if minutes is None and days is None:
        return
    if pending is not None:
        if pending.due_at <= due_after(at, minutes=minutes, days=days):
            return
        waive(pending, key=PROGRESS_SOONER, at=at)
    progress_next(incident, None, anchor=at)


def measures_sync(incident: Incident, at) -> None:
    """Rule 7: each measure with a due time is an obligation of its owner unit; a measure done
    fulfils it, a cancelled one waives it (a miss stays a miss)."""
    rows = {o.measure_id: o for o in Obligation.objects.filter(incident=incident, kind=Kind.MEASURE)}
    for measure in incident.measures.exclude(due_at=None):
        obligation = rows.get(measure.pk)
        if obligation is None:
            if measure.status != Measure.Status.OPEN:
                continue
            obligation = create(incident, Kind.MEASURE, measure.owner_unit, min(measure.created_at, measure.due_at),
                                level=measure.level, due_at=measure.due_at, measure=measure)
        if obligation is None or obligation.status not in OPEN:
            continue
        if measure.status == Measure.Status.DONE:
            fulfil(obligation, None, measure.completed_at or at)
        elif measure.status == Measure.Status.CANCELLED:
            waive(obligation, measure.completion_note, by=measure.completed_by, at=measure.completed_at or at,
                  key=measure.completion_note_key, params=measure.completion_note_params)


def after_action_owner(incident: Incident):
    """Rule 8: the investigation team's unit (its leader's), the office until the team is named."""
    team = getattr(incident, "investigation", None)
    if team is not None:
        membership = Membership.objects.filter(user_id=team.leader_id, unit__is_active=True).order_by(
            "unit__kind", "pk").select_related("unit").first()
        if membership is not None:
            return membership.unit
    return office_of(incident)


def office_of(incident: Incident):
    """The office section of the incident's own bureau, which owes its reports upward."""
    return office_section(incident.station.bureau())


def final_report_owed(incident: Incident) -> bool:
    return open_obligations(incident, Kind.FINAL_REPORT).exists()


# ---------------------------------------------------------------- what each event does


def on_incident_event(sender, event: IncidentEvent, **kwargs) -> None:
    handler = HANDLERS.get(event.kind)
    if handler:
        handler(event)


def _draft_saved(event):
    """Rule 2: a station's draft proposing Ⅰ–Ⅲ is on the clock; one that no longer does is waived."""
    incident = event.incident
    if incident.status == Incident.Status.DRAFT:
        _draft_clock(incident, event.at)
    elif incident.status == Incident.Status.AWAITING_REPORT:
        first_report_clock(incident, event.at, level=incident.proposed_level)


def _draft_clock(incident, at):
    level = incident.proposed_level
    if level is not None and rule_limit(Kind.FIRST_REPORT, level) != (None, None):
        first_report_clock(incident, at, level=level)
    else:
        for obligation in open_obligations(incident, Kind.FIRST_REPORT):
            waive(obligation, key=DRAFT_LEVEL_IV, at=at)


def _registered(event):
    """The office assigned an incident: the station owes the first report (1 h after occurrence,
    or after registration when the time is not yet known)."""
    first_report_clock(event.incident, event.at, level=event.incident.proposed_level)


def _submitted(event):
    incident = event.incident
    Report.objects.create(
        incident=incident, kind=Kind.FIRST_REPORT, content=first_report_content(event), author=event.actor,
        unit=incident.station, submitted_at=incident.received_at, facts=first_report_facts(incident),
    )
    judge_level(incident, incident.received_at, reason=FIRST_REPORT_IV)


def _returned(event):
    """Rule 15: the office returns the report for more (退回); the station owes its answer within
    the limit of the policy table (ReportingRule, kind return_answer), counted from the return."""
    incident = event.incident
    create(incident, Kind.RETURN_ANSWER, incident.station, event.at, level=effective_level(incident) or UNKNOWN_LEVEL)


def _supplemented(event):
    """Rule 15: the station's supplementary information answers the open return (late if late)."""
    for obligation in open_obligations(event.incident, Kind.RETURN_ANSWER):
        fulfil(obligation, None, event.at)


def _discovery_accepted(event):
    """Rule 1: the office accepts the discovery time as the start; the counts judge by it."""
    for obligation in Obligation.objects.filter(incident=event.incident, kind=Kind.FIRST_REPORT).exclude(status=S.WAIVED):
        obligation.discovery_accepted_reason = event.message
        obligation.save(update_fields=["discovery_accepted_reason"])


def _corrected(event):
    if "proposed_level" in event.data:
        judge_level(event.incident, event.at, reason=CORRECTED_IV)


def _activated(event):
    incident = event.incident
    judge_level(incident, event.at, reason=ACTIVATED_IV)
    progress_next(incident, None, anchor=event.at)
    measures_sync(incident, event.at)


def _declined(event):
    judge_level(event.incident, event.at, reason=DECLINED)


def _level_changed(event):
    incident = event.incident
    judge_level(incident, event.at, reason=LEVEL_IV)
    progress_on_level_change(incident, event.at)
    measures_sync(incident, event.at)


def _measure_changed(event):
    measures_sync(event.incident, event.at)


def _ended(event):
    incident = event.incident
    # Whatever fell due before the end and was not met is missed now, sweep or no sweep (rule 10).
    Obligation.objects.filter(incident=incident, status=S.PENDING, due_at__lte=event.at).update(
        status=S.OVERDUE, overdue_at=F("due_at"))
    for obligation in open_obligations(incident, Kind.PROGRESS_REPORT):
        waive(obligation, key=ENDED, at=event.at)
    measures_sync(incident, event.at)
    create(incident, Kind.FINAL_REPORT, office_of(incident), event.at, level=incident.level)
    create(incident, Kind.AFTER_ACTION_REPORT, after_action_owner(incident), event.at, level=incident.level)


def _team_named(event):
    owner = after_action_owner(event.incident)
    open_obligations(event.incident, Kind.AFTER_ACTION_REPORT).update(owner_unit=owner)


def _after_action_filed(event):
    """The team's analysis is the after-action report; the incident closes once no final report is owed."""
    from incidents.services import incident_close

    incident = event.incident
    obligation = open_obligations(incident, Kind.AFTER_ACTION_REPORT).first()
    unit = obligation.owner_unit if obligation else after_action_owner(incident)
    report = Report.objects.create(incident=incident, kind=Kind.AFTER_ACTION_REPORT, author=event.actor, unit=unit,
                                   content=after_action_content(event), submitted_at=event.at)
    if obligation is not None:
        fulfil(obligation, report, event.at)
    if not final_report_owed(incident):
        incident_close(actor=event.actor, incident=incident)


def _merged(event):
    """Rule 9. On the duplicate: rows not yet due are waived, rows past due keep their miss (the
    survivor's report of the same kind fulfils them late) and nothing more is sent for them. On the
    survivor: its clocks start from the earliest occurrence and receipt among the merged."""
    incident = event.incident
    if "into" in event.data:
        for obligation in Obligation.objects.filter(incident=incident, status__in=OPEN):
            if obligation.due_at > event.at:
                waive(obligation, key=MERGED, params={"id": event.data["into"]}, at=event.at)
            else:
                obligation.status, obligation.overdue_at = S.OVERDUE, obligation.overdue_at or obligation.due_at
                obligation.next_alert_at = None
                obligation.save(update_fields=["status", "overdue_at", "next_alert_at"])
        return
    family = [incident, *Incident.objects.filter(merged_into=incident)]
    level = effective_level(incident) or UNKNOWN_LEVEL
    occurred = [i.occurred_at for i in family if i.occurred_at]
    received = [i.received_at for i in family if i.received_at]
    first = _standing(incident, Kind.FIRST_REPORT).first()
    minutes, days = rule_limit(Kind.FIRST_REPORT, level)
    if first is not None and occurred and (minutes or days):
        tighten(first, due_after(min(occurred), minutes=minutes, days=days), starts_at=min(occurred))
    upward = _standing(incident, Kind.UPWARD_REPORT).first()
    minutes, days = rule_limit(Kind.UPWARD_REPORT, level)
    if upward is not None and received and (minutes or days):
        tighten(upward, due_after(min(received), minutes=minutes, days=days), starts_at=min(received))


# E.REPORT_REQUESTED is reporting.requests' (added in reporting.apps, beside the signal's receiver).
HANDLERS = {
    E.DRAFT_SAVED: _draft_saved,
    E.REGISTERED: _registered,
    E.SUBMITTED: _submitted,
    E.RETURNED: _returned,
    E.SUPPLEMENTED: _supplemented,
    E.DISCOVERY_ACCEPTED: _discovery_accepted,
    E.CORRECTED: _corrected,
    E.ACTIVATED: _activated,
    E.DECLINED: _declined,
    E.LEVEL_CHANGED: _level_changed,
    E.MEASURE_ADDED: _measure_changed,
    E.MEASURE_UPDATED: _measure_changed,
    E.ENDED: _ended,
    E.TEAM_NAMED: _team_named,
    E.AFTER_ACTION_FILED: _after_action_filed,
    E.MERGED: _merged,
}
