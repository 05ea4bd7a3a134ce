"""The duty log on an incident's timeline: the incident registered from a log entry shows, at the
time the call was received, where it came from (incidents.timeline.TIMELINE_SOURCES)."""

from django.utils.translation import gettext as _

from duty.log_selectors import log_entry_of_incident
from incidents.timeline import TimelineEntry, local_time_text


def log_timeline(incident) -> list[TimelineEntry]:
    """[] or one entry: the duty log entry (number, channel, caller, whom they had told) the office
    registered this incident from. One query. No link: the station reads the incident, not the log."""
    entry = log_entry_of_incident(incident)
    if entry is None:
        return []
    caller = "，".join(part for part in (entry.caller_unit, entry.caller_name, entry.caller_position,
                                          entry.caller_phone) if part)
    facts = [
        (_("duty log entry"), entry.reference),
        (_("received through"), entry.get_channel_display()),
        (_("received at"), local_time_text(entry.received_at)),
    ]
    if caller:
        facts.append((_("caller"), caller))
    if entry.already_told:
        facts.append((_("already told"), entry.already_told))
    if entry.registered_at:
        facts.append((_("registered at"), local_time_text(entry.registered_at)))
    return [TimelineEntry(at=entry.received_at, title=_("Received on duty (duty log %(reference)s)")
                          % {"reference": entry.reference}, actor=entry.recorded_by, facts=facts, kind="duty_log")]
