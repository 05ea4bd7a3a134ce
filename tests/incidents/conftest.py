"""Incident fixtures: the plan's categories, and factories that file an incident and drive it
through the lifecycle with the services, each step taken by the cast member the plan names."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Category, Incident, IncidentEvent
from roles.models import Unit

# The cast, in the order of the columns of every table (as in tests/roles/test_permission_matrix.py).
PEOPLE = ["director", "deputy", "office", "food", "station1", "station2", "admin", "outsider"]

# The lifecycle, one step after the other; to_state(incident, name) stops after the step named.
LIFECYCLE = ["submitted", "verified", "active", "ended", "team_named", "closed"]


def intake(**overrides) -> dict:
    """A complete first report (the fields REQUIRED_TO_SUBMIT and a few more)."""
    fields = {
        "title": "城关镇某学校食堂疑似食物中毒",
        "occurred_at": timezone.now() - timedelta(hours=2),
        "location": "城关镇建设路1号",
        "description": "午餐后十余名学生出现呕吐、腹泻症状,已送医。",
        "proposed_level": 2,
        "nature": "食物中毒",
        "injured": 12,
        "scope": "该校学生及教职工约800人",
        "trend": "新增病例减少,事态趋于稳定",
        "measures_taken": "封存留样食品,停止食堂供餐",
    }
    fields.update(overrides)
    return fields


# What an upward report states (plan 三(二)3), keyed as reporting.models.REPORT_FACTS.
FACTS = {
    "time": "11月20日12时许", "place": "城关镇建设路1号", "source": "城关市场监督管理所报告", "nature": "疑似食物中毒",
    "scope": "学生12人送医", "trend": "趋于稳定", "measures": "封存留样食品,停止供餐",
}


@pytest.fixture
def categories(cast):
    from incidents.setup import categories_setup_from_plan

    categories_setup_from_plan()
    return {c.code: c for c in Category.objects.select_related("section")}


@pytest.fixture
def file_incident(cast, categories):
    """file_incident(station_user="station1", category="food_safety", proposed_level=2, **overrides):
    an incident filed (and submitted, unless draft=True) through services.incident_file."""

    def _file(station_user="station1", category="food_safety", proposed_level=2, *, station=None, draft=False,
              **overrides):
        actor = cast[station_user]
        if station is None:
            station = Unit.objects.get(kind=Unit.Kind.STATION, memberships__user=actor)
        elif isinstance(station, str):
            station = Unit.objects.get(code=station)
        fields = intake(proposed_level=proposed_level, **overrides)
        if category is not None:
            fields["category"] = categories[category]
        return services.incident_file(actor=actor, station=station, draft=draft, **fields)

    return _file


@pytest.fixture
def to_state(cast):
    """to_state(incident, "submitted" | "verified" | "active" | "ended" | "team_named" | "closed"):
    drive an incident on through the services, each step as the cast member the plan names: the
    station submits, the office verifies, the director activates, the director (Ⅰ, Ⅱ) or the
    deputy (Ⅲ, Ⅳ) ends it, the deputy names the team, whose leader files the analysis.
    `level`: the level of activation (default: the proposed one); `form_hq`: an HQ at level Ⅳ;
    `team_leader`: a cast member who sees the incident (default: office)."""

    def _to(incident, target, *, level=None, form_hq=False, team_leader="office"):
        assert target in LIFECYCLE, target
        incident = Incident.objects.get(pk=incident.pk)
        for step in LIFECYCLE[LIFECYCLE.index(incident.status) + 1 if incident.status in LIFECYCLE else 0:]:
            incident = Incident.objects.get(pk=incident.pk)
            if step == "submitted":
                services.incident_submit(actor=_station_user(cast, incident), incident=incident)
            elif step == "verified":
                services.incident_verify(actor=cast["office"], incident=incident, summary="情况属实,提请领导小组决定。")
            elif step == "active":
                chosen = level or incident.proposed_level
                services.incident_activate(
                    actor=cast["director"], incident=incident, level=chosen, form_hq=form_hq,
                    reason="" if chosen == incident.proposed_level else "研判后调整级别",
                )
            elif step == "ended":
                # 五(一): the summary, the leading group's approval (Ⅲ, Ⅳ), then the end.
                services.incident_summary_submit(actor=cast["deputy"], incident=incident, summary="处置工作总结。")
                if incident.level in (3, 4):
                    services.incident_approve_end(actor=cast["director"], incident=incident)
                ender = cast["director"] if incident.level in (1, 2) else cast["deputy"]
                services.incident_end(actor=ender, incident=incident, summary="事态得到控制,应急处置结束。")
            elif step == "team_named":
                services.incident_team_name(actor=cast["deputy"], incident=incident, leader=cast[team_leader])
            elif step == "closed":
                # The incident closes once the analysis is filed and the final report is sent (五(二)).
                from reporting.services import report_submit

                report_submit(actor=cast["office"], incident=incident, kind="final_report", content="书面报告。")
                services.incident_after_action_file(actor=cast[team_leader], incident=incident, **AFTER_ACTION)
            if step == target:
                break
        return Incident.objects.get(pk=incident.pk)

    return _to


def _station_user(cast, incident):
    for name in ("station1", "station2"):
        if incident.station.memberships.filter(user=cast[name]).exists():
            return cast[name]
    return cast["office"]


AFTER_ACTION = {
    "cause": "食堂留样不规范,原料储存温度超标。",
    "handling": "责令停业整改,立案调查。",
    "follow_up": "一个月后复查。",
    "lessons": "加强学校食堂日常检查。",
    "improvements": "预案增加学校食堂专项检查内容。",
}


def kinds(incident) -> list[str]:
    return list(IncidentEvent.objects.filter(incident=incident).order_by("at", "pk").values_list("kind", flat=True))
