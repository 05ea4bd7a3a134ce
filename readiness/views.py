"""Readiness pages (应急准备). Every object comes through readiness.selectors (else 404); every change
through a service (which checks the role, 403 with who may, and the input, shown on the form)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.lists import capped, page_of
from readiness import selectors, services
from readiness.forms import (ApproveForm, ReviewForm, AssessmentForm, AttendanceForm, CourseForm, DoneForm, DrillForm, DrillPlanForm,
                             DrillRecordForm, ImprovementForm, PlanForm, RectificationForm, VersionForm)
from readiness.models import Assessment, Drill, ImprovementAction, Plan, PlanReview, PlanVersion, RectificationItem, RevisionRequest
from reporting.models import Obligation
from reporting.selectors import office_bureau_ids
from roles.models import Unit, User

OPEN = [Obligation.Status.PENDING, Obligation.Status.OVERDUE]


def _staff(request):
    if not selectors.visible_bureau_ids(request.user):
        raise Http404
    return request.user


def _office_bureau(user) -> Unit:
    """The bureau whose office the user staffs: where what they create belongs. 403 for anyone else."""
    ids = sorted(office_bureau_ids(user))
    if not ids:
        raise PermissionDenied(_("Only the office (办公室/应急管理科) of the bureau may do this."))
    return Unit.objects.get(pk=ids[0])


def _form_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_page(request, form, *, title, back, multipart=False):
    return render(request, "readiness/form.html", {"form": form, "title": title, "back": back, "multipart": multipart})


def _attempt(form, call):
    """Run the service `call` when the form is valid; the object, or None with errors on the form."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as exc:
        _form_errors(form, exc)
        return None


# ---------------------------------------------------------------- the hub


@login_required
def hub(request):
    user = _staff(request)
    plans = (PlanVersion.objects.filter(plan__in=selectors.plans_visible_to(user), status=PlanVersion.Status.APPROVED)
             .select_related("plan").order_by("next_review_due", "pk"))
    drills = (selectors.drills_visible_to(user)
              .annotate(open_items=Count("rectifications", filter=Q(rectifications__done_at=None)))
              .filter(open_items__gt=0).order_by("date", "pk"))
    latest = selectors.assessments_visible_to(user).prefetch_related("scores").first()
    return render(request, "readiness/hub.html", {
        "plans": capped(plans), "drills": capped(drills), "latest": latest,
        "revision_tasks": capped(RevisionRequest.objects.filter(plan__in=selectors.plans_visible_to(user), answered_by=None)
                                 .select_related("plan", "incident")),
    })


# ---------------------------------------------------------------- plans


@login_required
def plan_list(request):
    page = page_of(request, selectors.plans_visible_to(_staff(request)), per_page=25)
    return render(request, "readiness/plan_list.html", {"page": page, "may_create": bool(office_bureau_ids(request.user))})


@login_required
def plan_new(request):
    bureau = _office_bureau(_staff(request))
    form = PlanForm(request.POST or None, bureau=bureau)
    plan = request.method == "POST" and _attempt(form, lambda d: services.plan_create(actor=request.user, bureau=bureau, **d))
    if plan:
        return redirect("readiness:plan", plan.pk)
    return _form_page(request, form, title=_("New plan"), back="readiness:plans")


def _plan(request, pk) -> Plan:
    return get_object_or_404(selectors.plans_visible_to(_staff(request)), pk=pk)


@login_required
def plan_detail(request, pk):
    plan = _plan(request, pk)
    versions = page_of(request, selectors.plan_versions(plan), per_page=25)
    tasks = capped(plan.revision_requests.select_related("incident", "answered_by"))
    deadlines = capped(Obligation.objects.filter(plan_version__plan=plan).select_related("plan_version", "owner_unit")
                       .order_by("-due_at", "-pk"))
    may_approve = True
    try:
        services.plans.require_leader(request.user, plan.bureau)
    except PermissionDenied:
        may_approve = False
    return render(request, "readiness/plan_detail.html", {
        "plan": plan, "page": versions, "tasks": tasks, "deadlines": deadlines,
        "may_draft": services.may_draft(request.user, plan), "may_approve": may_approve, "approve_form": ApproveForm(),
        "review_form": ReviewForm(), "reviews": capped(PlanReview.objects.filter(version__plan=plan).select_related(
            "version", "reviewed_by"), 10),
    })


@login_required
def version_new(request, pk):
    plan = _plan(request, pk)
    if not services.may_draft(request.user, plan):
        raise PermissionDenied(_("Only the office or %(unit)s, which owns this plan, may draft its versions.")
                               % {"unit": plan.owner_section.display_name})
    task = None
    if request.GET.get("task", "").isdigit():
        task = plan.revision_requests.filter(pk=request.GET["task"], answered_by=None).first()
    form = VersionForm(request.POST or None, request.FILES or None)
    version = request.method == "POST" and _attempt(form, lambda d: services.plan_version_draft(
        actor=request.user, plan=plan, upload=d["file"], changes=d["changes"], reason=d["reason"], revision_request=task))
    if version:
        messages.success(request, _("Version %(number)s drafted: the leading group approves it.") % {"number": version.number})
        return redirect("readiness:plan", plan.pk)
    title = _("New version of %(plan)s") % {"plan": plan.title}
    if task is not None:
        title = _("%(title)s, answering the after-action report of incident %(ref)s") % {"title": title, "ref": task.incident.reference}
    return _form_page(request, form, title=title, back="readiness:plans", multipart=True)


@login_required
@require_POST
def version_approve(request, pk):
    version = get_object_or_404(PlanVersion.objects.filter(plan__in=selectors.plans_visible_to(_staff(request))), pk=pk)
    form = ApproveForm(request.POST)
    if _attempt(form, lambda d: services.plan_version_approve(actor=request.user, version=version, **d)):
        messages.success(request, _("Version %(number)s approved and in force.") % {"number": version.number})
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("readiness:plan", version.plan_id)


@login_required
@require_POST
def version_review(request, pk):
    version = get_object_or_404(PlanVersion.objects.filter(plan__in=selectors.plans_visible_to(_staff(request))), pk=pk)
    form = ReviewForm(request.POST)
    if _attempt(form, lambda d: services.plan_review_record(actor=request.user, version=version, **d)):
        messages.success(request, _("Review recorded: the next review is on the record."))
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("readiness:plan", version.plan_id)


@login_required
def version_file(request, pk):
    version = get_object_or_404(PlanVersion.objects.filter(plan__in=selectors.plans_visible_to(_staff(request))), pk=pk)
    response = FileResponse(version.file.open("rb"), as_attachment=True, filename=version.file_name,
                            content_type=version.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- drills


@login_required
def drill_list(request):
    user = _staff(request)
    drills = selectors.drills_visible_to(user).annotate(
        open_items=Count("rectifications", filter=Q(rectifications__done_at=None))).order_by("-date", "-pk")
    return render(request, "readiness/drill_list.html", {
        "page": page_of(request, drills, per_page=25), "plans": capped(selectors.drill_plans_visible_to(user), 10),
        "may_create": bool(office_bureau_ids(user))})


@login_required
def drill_plan_new(request):
    bureau = _office_bureau(_staff(request))
    form = DrillPlanForm(request.POST or None)
    if request.method == "POST" and _attempt(form, lambda d: services.drill_plan_create(actor=request.user, bureau=bureau, **d)):
        return redirect("readiness:drills")
    return _form_page(request, form, title=_("New annual drill plan"), back="readiness:drills")


@login_required
def drill_new(request):
    user = _staff(request)
    bureau = _office_bureau(user)
    year = request.GET.get("year", "")
    drill_plan = selectors.drill_plans_visible_to(user).filter(bureau=bureau).filter(
        **({"year": year} if year.isdigit() else {})).first()
    if drill_plan is None:
        messages.error(request, _("Make the year's drill plan first."))
        return redirect("readiness:drill_plan_new")
    form = DrillForm(request.POST or None, bureau=bureau)
    drill = request.method == "POST" and _attempt(form, lambda d: services.drill_create(actor=user, drill_plan=drill_plan, **d))
    if drill:
        return redirect("readiness:drill", drill.pk)
    return _form_page(request, form, title=_("New drill in the plan of %(year)s") % {"year": drill_plan.year},
                      back="readiness:drills")


def _drill(request, pk) -> Drill:
    return get_object_or_404(selectors.drills_visible_to(_staff(request)).select_related("drill_plan__bureau"), pk=pk)


@login_required
def drill_detail(request, pk):
    drill = _drill(request, pk)
    items = capped(drill.rectifications.select_related("owner_unit", "done_by"), 50)
    my_units = set(request.user.memberships.values_list("unit_id", flat=True))
    return render(request, "readiness/drill_detail.html", {
        "drill": drill, "items": items, "units": drill.units.all()[:50], "participants": drill.participants.all()[:100],
        "is_office": services.is_office_of(request.user, drill.drill_plan.bureau), "my_units": my_units,
        "done_form": DoneForm(),
    })


@login_required
def drill_record(request, pk):
    drill = _drill(request, pk)
    bureau = drill.drill_plan.bureau
    services.base.require_office(request.user, bureau)
    form = DrillRecordForm(request.POST or None, bureau=bureau, initial={"participants": drill.participants.all()})
    if request.method == "POST" and _attempt(form, lambda d: services.drill_record(actor=request.user, drill=drill, **d)):
        return redirect("readiness:drill", drill.pk)
    return _form_page(request, form, title=_("Record the drill: %(title)s") % {"title": drill.title}, back="readiness:drills")


@login_required
def rectification_new(request, pk):
    drill = _drill(request, pk)
    bureau = drill.drill_plan.bureau
    services.base.require_office(request.user, bureau)
    form = RectificationForm(request.POST or None, bureau=bureau)
    if request.method == "POST" and _attempt(form, lambda d: services.rectification_add(actor=request.user, drill=drill, **d)):
        return redirect("readiness:drill", drill.pk)
    return _form_page(request, form, title=_("Problem and rectification: %(title)s") % {"title": drill.title},
                      back="readiness:drills")


@login_required
@require_POST
def rectification_done(request, pk):
    item = get_object_or_404(RectificationItem.objects.filter(drill__in=selectors.drills_visible_to(_staff(request))), pk=pk)
    form = DoneForm(request.POST)
    if _attempt(form, lambda d: services.rectification_complete(actor=request.user, item=item, note=d["note"])):
        messages.success(request, _("Rectification reported done."))
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("readiness:drill", item.drill_id)


# ---------------------------------------------------------------- assessments


@login_required
def assessment_list(request):
    user = _staff(request)
    assessments = selectors.assessments_visible_to(user)
    return render(request, "readiness/assessment_list.html", {
        "page": page_of(request, assessments, per_page=25), "trend": selectors.trend(assessments),
        "may_create": bool(office_bureau_ids(user))})


@login_required
def assessment_new(request):
    bureau = _office_bureau(_staff(request))
    form = AssessmentForm(request.POST or None)
    assessment = request.method == "POST" and _attempt(form, lambda d: services.assessment_create(
        actor=request.user, bureau=bureau, period=d["period"], assessed_on=d["assessed_on"], summary=d["summary"],
        scores=form.scores()))
    if assessment:
        return redirect("readiness:assessment", assessment.pk)
    return _form_page(request, form, title=_("New capability self-assessment"), back="readiness:assessments")


def _assessment(request, pk) -> Assessment:
    return get_object_or_404(selectors.assessments_visible_to(_staff(request)).select_related("bureau"), pk=pk)


@login_required
def assessment_detail(request, pk):
    assessment = _assessment(request, pk)
    return render(request, "readiness/assessment_detail.html", {
        "assessment": assessment, "scores": assessment.scores.all(),
        "actions": capped(assessment.actions.select_related("owner_unit"), 50),
        "is_office": services.is_office_of(request.user, assessment.bureau),
        "my_units": set(request.user.memberships.values_list("unit_id", flat=True)), "done_form": DoneForm(),
    })


@login_required
@require_POST
def assessment_finalize(request, pk):
    assessment = _assessment(request, pk)
    services.assessment_finalize(actor=request.user, assessment=assessment)
    return redirect("readiness:assessment", assessment.pk)


@login_required
def improvement_new(request, pk):
    assessment = _assessment(request, pk)
    services.base.require_office(request.user, assessment.bureau)
    form = ImprovementForm(request.POST or None, bureau=assessment.bureau)
    if request.method == "POST" and _attempt(form, lambda d: services.improvement_action_add(
            actor=request.user, assessment=assessment, **d)):
        return redirect("readiness:assessment", assessment.pk)
    return _form_page(request, form, title=_("New improvement action"), back="readiness:assessments")


@login_required
@require_POST
def improvement_done(request, pk):
    action = get_object_or_404(ImprovementAction.objects.filter(
        assessment__in=selectors.assessments_visible_to(_staff(request))), pk=pk)
    form = DoneForm(request.POST)
    if _attempt(form, lambda d: services.improvement_action_complete(actor=request.user, action=action, note=d["note"])):
        messages.success(request, _("Improvement action reported done."))
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("readiness:assessment", action.assessment_id)


# ---------------------------------------------------------------- training


@login_required
def course_list(request):
    user = _staff(request)
    courses = selectors.courses_visible_to(user).annotate(attendees=Count("attendances")).order_by("-date", "-pk")
    return render(request, "readiness/course_list.html", {"page": page_of(request, courses, per_page=25),
                                                          "may_create": bool(office_bureau_ids(user))})


@login_required
def course_new(request):
    bureau = _office_bureau(_staff(request))
    form = CourseForm(request.POST or None)
    course = request.method == "POST" and _attempt(form, lambda d: services.course_create(actor=request.user, bureau=bureau, **d))
    if course:
        return redirect("readiness:course", course.pk)
    return _form_page(request, form, title=_("New training course"), back="readiness:courses")


@login_required
def course_detail(request, pk):
    course = get_object_or_404(selectors.courses_visible_to(_staff(request)).select_related("bureau"), pk=pk)
    is_office = services.is_office_of(request.user, course.bureau)
    form = AttendanceForm(request.POST or None, bureau=course.bureau)
    if request.method == "POST":
        services.base.require_office(request.user, course.bureau)
        if _attempt(form, lambda d: services.attendance_record(actor=request.user, course=course, **d)):
            return redirect("readiness:course", course.pk)
    return render(request, "readiness/course_detail.html", {
        "course": course, "page": page_of(request, course.attendances.select_related("user"), per_page=50),
        "form": form, "is_office": is_office})


@login_required
def person_training(request, pk):
    user = _staff(request)
    person = get_object_or_404(User.objects.filter(memberships__unit__in=_bureau_units(user)).distinct(), pk=pk)
    return render(request, "readiness/person_training.html", {
        "person": person, "page": page_of(request, selectors.training_record(person, user), per_page=50),
        "drills": capped(person.drills.filter(drill_plan__bureau_id__in=selectors.visible_bureau_ids(user))
                         .select_related("drill_plan"), 20)})


def _bureau_units(user):
    ids = selectors.visible_bureau_ids(user)
    return Unit.objects.filter(Q(parent_id__in=ids) | Q(parent__parent_id__in=ids) | Q(pk__in=ids))
