"""Pages of alerts: deployments and their tasks, the office's templates and major events, releases
with their approval, and the public page. Objects come through the visibility selectors (else 404);
every change through a service (403 with who may, 409 for the state, errors onto the form)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alerts import forms, services
from alerts.models import DeploymentTask, MajorEvent, Release, ReleaseVersion, TaskTemplate
from alerts.selectors import deployments_visible_to, published_releases, releases_visible_to
from alerts.services.releases import DRAFTING_SECTION_NUMBERS
from common.lists import page_of
from incidents.selectors import incidents_visible_to
from reporting.selectors import office_bureau_ids
from roles.models import Membership, Unit

PER_PAGE = 25


def _form_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _render(request, template, context, status=200):
    """render() with what every alerts page's tabs need: whether the user staffs an office."""
    context.setdefault("is_office", bool(office_bureau_ids(request.user)))
    return render(request, template, context, status=status)


def _office_bureau(user) -> Unit:
    """The bureau whose office the user staffs (403 for anyone else)."""
    ids = sorted(office_bureau_ids(user))
    if not ids:
        raise PermissionDenied(_("Only the office (办公室/应急管理科) may do this."))
    return Unit.objects.get(pk=ids[0])


# ---------------------------------------------------------------- deployments


@login_required
def deployment_list(request):
    rows = deployments_visible_to(request.user).select_related("bureau").order_by("-first_day", "-pk")
    return _render(request, "alerts/deployments.html", {"page": page_of(request, rows, per_page=PER_PAGE)})


@login_required
def deployment_detail(request, pk, bound=None):
    deployment = get_object_or_404(deployments_visible_to(request.user).select_related("bureau", "major_event"), pk=pk)
    tasks = list(deployment.tasks.select_related("owner_unit", "done_by").order_by("number"))
    mine = set(Membership.objects.filter(user=request.user).values_list("unit_id", flat=True))
    for task in tasks:
        task.may_complete = task.done_at is None and task.owner_unit_id in mine
        task.form = bound[1] if bound and bound[0] == task.pk else forms.TaskDoneForm(prefix=f"task{task.pk}")
    releases = releases_visible_to(request.user).filter(deployment=deployment).order_by("-created_at")[:50]
    return _render(request, "alerts/deployment_detail.html", {
        "deployment": deployment, "tasks": tasks, "releases": releases, "now": timezone.now()}, status=400 if bound else 200)


@login_required
@require_POST
def task_complete(request, pk, number):
    deployment = get_object_or_404(deployments_visible_to(request.user), pk=pk)
    task = get_object_or_404(DeploymentTask, deployment=deployment, number=number)
    form = forms.TaskDoneForm(request.POST, prefix=f"task{task.pk}")
    if form.is_valid():
        try:
            services.deployment_task_complete(actor=request.user, task=task, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Task reported done."))
            return redirect("alerts:deployment_detail", pk=deployment.pk)
    return deployment_detail(request, deployment.pk, bound=(task.pk, form))


# ---------------------------------------------------------------- the office's data


@login_required
def template_list(request):
    bureau = _office_bureau(request.user)
    return _render(request, "alerts/templates.html", {"bureau": bureau, "rows": services.task_templates_for(bureau)})


@login_required
def template_edit(request, pk=None):
    bureau = _office_bureau(request.user)
    template = get_object_or_404(TaskTemplate, pk=pk, bureau=bureau) if pk else None
    sections = Unit.objects.filter(parent=bureau, kind=Unit.Kind.SECTION, is_active=True).exclude(number=None).order_by("number")
    form = forms.TaskTemplateForm(request.POST or None, instance=template, sections=sections,
                                  initial=None if template else {"days_before": 3, "active": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.task_template_save(actor=request.user, bureau=bureau, template=template, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Task template saved."))
            return redirect("alerts:templates")
    return _render(request, "alerts/form.html", {"form": form, "title": _("Deployment task"), "back": "alerts:templates"},
                  status=400 if form.errors else 200)


@login_required
def event_list(request):
    bureau = _office_bureau(request.user)
    rows = MajorEvent.objects.filter(bureau=bureau).order_by("-starts_on", "-pk")
    return _render(request, "alerts/events.html", {"page": page_of(request, rows, per_page=PER_PAGE)})


@login_required
def event_edit(request, pk=None):
    bureau = _office_bureau(request.user)
    event = get_object_or_404(MajorEvent, pk=pk, bureau=bureau) if pk else None
    form = forms.MajorEventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.major_event_save(actor=request.user, bureau=bureau, event=event, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Major event saved."))
            return redirect("alerts:events")
    return _render(request, "alerts/form.html", {"form": form, "title": _("Major event"), "back": "alerts:events",
                                                "event": event}, status=400 if form.errors else 200)


@login_required
@require_POST
def event_delete(request, pk):
    bureau = _office_bureau(request.user)
    event = get_object_or_404(MajorEvent, pk=pk, bureau=bureau)
    services.major_event_delete(actor=request.user, event=event)
    messages.success(request, _("Major event removed."))
    return redirect("alerts:events")


# ---------------------------------------------------------------- releases


@login_required
def release_list(request):
    rows = releases_visible_to(request.user).select_related("unit", "incident").order_by("-created_at", "-pk")
    may_draft = Membership.objects.filter(user=request.user, unit__kind=Unit.Kind.SECTION,
                                          unit__number__in=DRAFTING_SECTION_NUMBERS).exists()
    return _render(request, "alerts/releases.html", {"page": page_of(request, rows, per_page=PER_PAGE), "may_draft": may_draft})


def _linked(request):
    """The incident or deployment named in the query (?incident=, ?deployment=), visible to the user."""
    incident = deployment = None
    if request.GET.get("incident", "").isdigit():
        incident = get_object_or_404(incidents_visible_to(request.user).select_related("station__parent", "hq"),
                                     pk=int(request.GET["incident"]))
    elif request.GET.get("deployment", "").isdigit():
        deployment = get_object_or_404(deployments_visible_to(request.user), pk=int(request.GET["deployment"]))
    return incident, deployment


@login_required
def release_new(request):
    incident, deployment = _linked(request)
    form = forms.ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            release = services.release_draft(actor=request.user, incident=incident, deployment=deployment, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("alerts:release_detail", pk=release.pk)
    return _render(request, "alerts/release_form.html", {"form": form, "incident": incident, "deployment": deployment},
                  status=400 if form.errors else 200)


def _release(user, pk) -> Release:
    return get_object_or_404(releases_visible_to(user).select_related("bureau", "unit", "incident", "deployment",
                                                                       "approved_by", "published_version"), pk=pk)


@login_required
def release_edit(request, pk):
    release = _release(request.user, pk)
    services.check_edit(request.user, release)
    initial = {name: getattr(release, name) for name in ("title", "body", "level", "valid_from", "valid_until", "affected")}
    form = forms.ReleaseForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_update(actor=request.user, release=release, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("alerts:release_detail", pk=release.pk)
    return _render(request, "alerts/release_form.html", {"form": form, "release": release}, status=400 if form.errors else 200)


def _allowed(user, release) -> set:
    """The actions the user may take on the release now (the services check again)."""
    allowed = set()
    checks = {"edit": services.check_edit, "approve": services.check_approve, "publish": services.check_publish}
    for name, check in checks.items():
        try:
            check(user, release)
        except PermissionDenied:
            continue
        allowed.add(name)
    S = Release.Status
    actions = set()
    if "edit" in allowed and release.status in Release.EDITABLE:
        actions |= {"edit", "submit"}
    if "approve" in allowed and release.status == S.SUBMITTED:
        actions |= {"approve", "return"}
    if "publish" in allowed and release.status == S.APPROVED:
        actions.add("publish")
    return actions


@login_required
def release_detail(request, pk, bound=None):
    release = _release(request.user, pk)
    versions = ReleaseVersion.objects.filter(release=release).select_related("saved_by").order_by("-number")[:50]
    steps = release.events.select_related("actor", "delegation__acting").order_by("at", "pk")[:100]
    return _render(request, "alerts/release_detail.html", {
        "release": release, "versions": versions, "steps": steps, "actions": _allowed(request.user, release),
        "reason_form": bound or forms.ReasonForm()}, status=400 if bound else 200)


RELEASE_ACTIONS = {
    "submit": lambda user, release, data: services.release_submit(actor=user, release=release),
    "approve": lambda user, release, data: services.release_approve(actor=user, release=release, note=data.get("reason", "")),
    "return": lambda user, release, data: services.release_return(actor=user, release=release, reason=data.get("reason", "")),
    "publish": lambda user, release, data: services.release_publish(actor=user, release=release),
}


@login_required
@require_POST
def release_action(request, pk, action):
    release = _release(request.user, pk)
    if action not in RELEASE_ACTIONS:
        raise Http404(_("No such action."))
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        return release_detail(request, pk, bound=form)
    try:
        RELEASE_ACTIONS[action](request.user, release, form.cleaned_data)
    except ValidationError as exc:
        _form_errors(form, exc)
        return release_detail(request, pk, bound=form)
    messages.success(request, _("Done."))
    return redirect("alerts:release_detail", pk=release.pk)


# ---------------------------------------------------------------- public


def public(request):
    """No login: published warnings and releases only, newest first, paginated. ?current=1 leaves
    out expired warnings; others are shown marked as expired."""
    current = request.GET.get("current") == "1"
    page = page_of(request, published_releases(current_only=current), per_page=20)
    now = timezone.now()
    for release in page:
        valid_until = release.published_version.valid_until
        release.expired = valid_until is not None and valid_until <= now
    return render(request, "alerts/public.html", {"page": page, "current": current})


def incident_panel(request, incident) -> dict:
    """The releases about one incident on its page (registered in alerts.apps), newest first, at most
    20 (the rest on the releases list), and a link to draft one for who may (publicity, 12315, the
    incident's lead section). Two queries."""
    from alerts.services import drafting_units

    rows = list(releases_visible_to(request.user).filter(incident=incident).order_by("-created_at", "-pk")[:20])
    may_draft = bool(drafting_units(request.user, incident.station.parent, incident))
    return {"template": "alerts/incident_panel.html", "releases": rows, "may_draft": may_draft}
