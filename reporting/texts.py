"""Report texts made from what was filed: the first report's facts and text (三(二)3), and the
after-action report from the team's analysis (五(二))."""

from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import field
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
        field(_("title"), snapshot.get("title", "")),
        field(_("occurred at"), _local(incident.occurred_at)),
        field(_("discovered at"), _local(incident.discovered_at)),
        field(_("place"), snapshot.get("location", "")),
        field(_("information source"), f"{incident.get_source_display()} {snapshot.get('source_detail', '')}".strip()),
        field(_("nature"), snapshot.get("nature", "")),
        field(_("what happened"), snapshot.get("description", "")),
        field(_("proposed level"), incident.proposed_level_roman),
        _("%(dead)s dead, %(injured)s injured, %(missing)s missing")
        % {"dead": incident.dead, "injured": incident.injured, "missing": incident.missing},
        field(_("scope of impact"), snapshot.get("scope", "")),
        field(_("trend"), snapshot.get("trend", "")),
        field(_("measures already taken"), snapshot.get("measures_taken", "")),
    ]
    return "\n".join(lines)


def after_action_content(event: IncidentEvent) -> str:
    labels = [("cause", _("cause")), ("handling", _("handling")), ("follow_up", _("follow-up")),
              ("lessons", _("lessons")), ("improvements", _("plan improvements"))]
    return "\n".join(field(label, event.data.get(key, "")) for key, label in labels)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
