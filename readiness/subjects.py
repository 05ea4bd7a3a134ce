"""How readiness names and links the obligations whose subject is its own (reporting.subjects):
registered once in ReadinessConfig.ready()."""

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _


def plan_version_label(obligation) -> str:
    version = obligation.plan_version
    return _("Plan %(title)s, version %(number)s") % {"title": version.plan.title, "number": version.number}


def rectification_label(obligation) -> str:
    item = obligation.rectification
    return _("Drill %(drill)s: %(problem)s") % {"drill": item.drill.title, "problem": Truncator(item.problem).chars(40)}


def improvement_label(obligation) -> str:
    action = obligation.improvement_action
    return _("Self-assessment %(period)s: %(action)s") % {
        "period": action.assessment.period, "action": Truncator(action.description).chars(40)}


def register_subjects() -> None:
    from reporting.subjects import register

    register("plan_version", label=plan_version_label, related=("plan_version__plan",),
             url=lambda ob: reverse("readiness:plan", args=[ob.plan_version.plan_id]))
    register("rectification", label=rectification_label, related=("rectification__drill",),
             url=lambda ob: reverse("readiness:drill", args=[ob.rectification.drill_id]))
    register("improvement_action", label=improvement_label, related=("improvement_action__assessment",),
             url=lambda ob: reverse("readiness:assessment", args=[ob.improvement_action.assessment_id]))
