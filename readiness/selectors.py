"""Who sees what of readiness: the staff of a bureau see its plans, drills, assessments and courses;
anyone else sees nothing (404). The one place that answers it for pages and the API."""

from django.db.models import Prefetch, QuerySet

from readiness.models import Assessment, Attendance, Course, Drill, DrillPlan, Plan, PlanVersion
from roles.selectors import is_bureau_staff, user_bureau_ids


def visible_bureau_ids(user) -> list[int]:
    """The bureaus whose readiness records `user` reads: those they work in; none for an outsider."""
    return user_bureau_ids(user) if is_bureau_staff(user) else []


def plans_visible_to(user) -> QuerySet[Plan]:
    in_force = PlanVersion.objects.filter(status=PlanVersion.Status.APPROVED)
    return (Plan.objects.filter(bureau_id__in=visible_bureau_ids(user)).select_related("owner_section", "bureau")
            .prefetch_related(Prefetch("versions", queryset=in_force, to_attr="in_force")))


def plan_versions(plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.select_related("approved_by", "drafted_by", "incident").order_by("-number")


def drill_plans_visible_to(user) -> QuerySet[DrillPlan]:
    return DrillPlan.objects.filter(bureau_id__in=visible_bureau_ids(user))


def drills_visible_to(user) -> QuerySet[Drill]:
    return Drill.objects.filter(drill_plan__bureau_id__in=visible_bureau_ids(user)).select_related("drill_plan")


def assessments_visible_to(user) -> QuerySet[Assessment]:
    return Assessment.objects.filter(bureau_id__in=visible_bureau_ids(user))


def courses_visible_to(user) -> QuerySet[Course]:
    return Course.objects.filter(bureau_id__in=visible_bureau_ids(user))


def training_record(person, viewer) -> QuerySet[Attendance]:
    """The courses `person` attended, as `viewer` may see them (courses of the viewer's bureaus), newest first."""
    return (Attendance.objects.filter(user=person, course__bureau_id__in=visible_bureau_ids(viewer))
            .select_related("course").order_by("-course__date", "-pk"))


def trend(assessments) -> dict:
    """The final assessments of one bureau, oldest first, as a chart's data:
    {"labels": [period…], "datasets": [{"key", "label", "data": [score or None…]}…]} (scores 0–100)."""
    from readiness.models import Dimension

    rows = list(assessments.filter(status=Assessment.Status.FINAL).order_by("assessed_on", "pk")
                .prefetch_related("scores")[:50])
    labels = [a.period for a in rows]
    datasets = []
    for dimension in Dimension:
        by_assessment = [{s.dimension: s.score for s in a.scores.all()}.get(dimension.value) for a in rows]
        datasets.append({"key": dimension.value, "label": str(dimension.label), "data": by_assessment})
    return {"labels": labels, "datasets": datasets}
