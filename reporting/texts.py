"""Report texts made from what was filed: the first report's facts and text (三(二)3), and the
after-action report from the team's analysis (五(二))."""

from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Incident, IncidentEvent


def first_report_facts(incident: Incident) -> dict:
    """What the first report states (三(二)3), keyed as reporting.models.REPORT_FACTS."""
    return {
        "time": _local(incident.occurred_at), "place": incident.location,
        "source": f"{incident.get_source_display()} {incident.source_detail}".strip(), "nature": incident.nature,
        "scope": incident.scope, "trend": incident.trend, "measures": incident.measures_taken,
    }


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


def after_action_content(event: IncidentEvent) -> str:
    labels = [("cause", _("cause")), ("handling", _("handling")), ("follow_up", _("follow-up")),
              ("lessons", _("lessons")), ("improvements", _("plan improvements"))]
    return "\n".join(f"{label}: {event.data.get(key, '')}" for key, label in labels)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
