"""The pages of 应急资源: the inventory, an item with its checks and moves, reserve points,
supply agreements, Excel import/export, and the readiness view the command opens on activation
(三(三)1.6). Views only translate HTTP: objects come through resources.selectors (else 404), every
change through resources.services (403 / 409 / field errors)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.lists import page_of
from incidents.models import Incident
from incidents.selectors import incidents_visible_to
from resources import services, spreadsheet
from resources.forms import (AgreementForm, CheckForm, DispatchForm, ImportForm, ReservePointForm, ResourceFilterForm,
                             ResourceForm, bureau_units)
from resources.models import Resource
from resources.rules import agreement_warning_days
from resources.selectors import (agreements_visible_to, incident_dispatches, ready_resources, reserve_points_visible_to,
                                 resource_list, resources_visible_to, user_bureau)


def _bureau(user):
    """The user's bureau, or a 404 for an account outside every bureau (outsiders see nothing here)."""
    bureau = user_bureau(user)
    if bureau is None:
        raise Http404
    return bureau


def _may(check, *args) -> bool:
    try:
        check(*args)
    except (PermissionDenied, services.InvalidTransition):
        return False
    return True


def _errors_to_form(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def inventory(request):
    bureau = _bureau(request.user)
    form = ResourceFilterForm(request.GET or None, points=reserve_points_visible_to(request.user),
                              owners=bureau_units(bureau))
    page = page_of(request, resource_list(request.user, filters=form.filters()), per_page=50)
    return render(request, "resources/inventory.html", {
        "page": page, "form": form, "may_manage": _may(services.check_manage, request.user, bureau)})


@login_required
def export(request):
    bureau = _bureau(request.user)
    form = ResourceFilterForm(request.GET or None, points=reserve_points_visible_to(request.user),
                              owners=bureau_units(bureau))
    return spreadsheet.export(resource_list(request.user, filters=form.filters()))


@login_required
def import_view(request):
    bureau = _bureau(request.user)
    services.check_manage(request.user, bureau)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        added, errors = spreadsheet.import_resources(actor=request.user, bureau=bureau, file=form.cleaned_data["file"])
        if not errors:
            messages.success(request, _("%(count)s items added to the inventory.") % {"count": added})
            return redirect("resources:inventory")
    return render(request, "resources/import.html", {"form": form, "errors": errors, "columns": spreadsheet.COLUMNS},
                  status=400 if errors else 200)


@login_required
def resource_new(request):
    bureau = _bureau(request.user)
    services.check_manage(request.user, bureau)
    form = ResourceForm(request.POST or None, bureau=bureau)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(actor=request.user, bureau=bureau, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Item added; its first check is on the deadlines."))
            return redirect("resources:detail", pk=resource.pk)
    return render(request, "resources/form.html", {"form": form, "title": _("New item")})


@login_required
def resource_edit(request, pk):
    resource = get_object_or_404(resources_visible_to(request.user), pk=pk)
    services.check_manage(request.user, resource.bureau)
    form = ResourceForm(request.POST or None, instance=Resource.objects.get(pk=pk), bureau=resource.bureau, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(actor=request.user, resource=resource, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Item saved."))
            return redirect("resources:detail", pk=resource.pk)
    return render(request, "resources/form.html", {"form": form, "title": _("Edit item"), "resource": resource})


@login_required
def resource_detail(request, pk, check_form=None):
    resource = get_object_or_404(resources_visible_to(request.user).select_related("owner_unit", "reserve_point"), pk=pk)
    dispatches = resource.dispatches.select_related("incident", "dispatched_by", "returned_by").order_by("-dispatched_at")[:50]
    return render(request, "resources/detail.html", {
        "resource": resource,
        "checks": resource.checks.select_related("checked_by")[:20],
        "dispatches": dispatches,
        "check_form": check_form or CheckForm(),
        "may_check": _may(services.check_record, request.user, resource),
        "may_manage": resource.status != Resource.Status.RETIRED and _may(services.check_manage, request.user, resource.bureau),
    }, status=400 if check_form is not None else 200)


@login_required
@require_POST
def resource_check(request, pk):
    resource = get_object_or_404(resources_visible_to(request.user), pk=pk)
    services.check_record(request.user, resource)
    form = CheckForm(request.POST)
    if form.is_valid():
        services.resource_check_record(actor=request.user, resource=resource, **form.cleaned_data)
        messages.success(request, _("Check recorded; the next one is on the deadlines."))
        return redirect("resources:detail", pk=pk)
    return resource_detail(request, pk, check_form=form)


@login_required
@require_POST
def resource_retire(request, pk):
    resource = get_object_or_404(resources_visible_to(request.user), pk=pk)
    services.resource_retire(actor=request.user, resource=resource)
    messages.success(request, _("Item retired."))
    return redirect("resources:detail", pk=pk)


# ---------------------------------------------------------------- readiness and dispatch


def _incident(request, value):
    """The incident named by `value` (an id), if the user sees it; else a 404."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(incidents_visible_to(request.user).select_related("hq", "station"), pk=pk)


@login_required
def readiness(request):
    """What is ready, where, who keeps it (三(三)1.6); with ?incident=<id>, a dispatch button per item
    for those who may dispatch to it, and what the incident already has."""
    _bureau(request.user)
    incident = _incident(request, request.GET["incident"]) if request.GET.get("incident") else None
    may_dispatch = incident is not None and _may(services.check_dispatch, request.user, incident)
    category = request.GET.get("category", "")
    category = category if category in Resource.Category.values else ""
    groups, more = ready_resources(request.user, category=category)
    return render(request, "resources/readiness.html", {
        "groups": groups, "more": more, "category": category, "categories": Resource.Category.choices,
        "incident": incident,
        "may_dispatch": may_dispatch,
        "dispatches": incident_dispatches(incident) if incident is not None else [],
        "may_return": may_dispatch,
    })


@login_required
@require_POST
def dispatch(request, pk):
    resource = get_object_or_404(resources_visible_to(request.user), pk=pk)
    form = DispatchForm(request.POST)
    if not form.is_valid():
        if "incident" in form.errors:
            raise Http404
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(reverse("resources:readiness") + f"?incident={form.data.get('incident')}")
    incident = _incident(request, form.cleaned_data["incident"])
    try:
        services.resource_dispatch(actor=request.user, resource=resource, incident=incident,
                                   quantity=form.cleaned_data["quantity"], note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, _("%(item)s dispatched to incident %(ref)s.") % {"item": resource.name, "ref": incident.reference})
    return redirect(reverse("resources:readiness") + f"?incident={incident.pk}")


@login_required
@require_POST
def dispatch_return(request, pk):
    from resources.models import Dispatch

    found = get_object_or_404(Dispatch.objects.filter(resource__in=resources_visible_to(request.user),
                                                      incident__in=incidents_visible_to(request.user)), pk=pk)
    services.resource_return(actor=request.user, dispatch=found)
    messages.success(request, _("Return recorded."))
    return redirect(reverse("resources:readiness") + f"?incident={found.incident_id}")


# ---------------------------------------------------------------- reserve points and agreements


@login_required
def points(request):
    bureau = _bureau(request.user)
    page = page_of(request, reserve_points_visible_to(request.user).order_by("name", "pk"), per_page=50)
    return render(request, "resources/points.html", {"page": page, "may_manage": _may(services.check_manage, request.user, bureau)})


@login_required
def point_edit(request, pk=None):
    bureau = _bureau(request.user)
    point = get_object_or_404(reserve_points_visible_to(request.user), pk=pk) if pk else None
    services.check_manage(request.user, point.bureau if point else bureau)
    form = ReservePointForm(request.POST or None, instance=point)
    if request.method == "POST" and form.is_valid():
        try:
            if point is None:
                services.reserve_point_create(actor=request.user, bureau=bureau, **form.cleaned_data)
            else:
                services.reserve_point_update(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Reserve point saved."))
            return redirect("resources:points")
    return render(request, "resources/form.html", {"form": form, "title": _("Reserve point"), "back": reverse("resources:points")})


@login_required
def agreements(request):
    bureau = _bureau(request.user)
    page = page_of(request, agreements_visible_to(request.user).order_by("valid_until", "pk"), per_page=50)
    days = agreement_warning_days()
    for agreement in page:
        agreement.expiring = agreement.expires_within(days)
        agreement.expired = agreement.is_expired()
    return render(request, "resources/agreements.html", {
        "page": page, "days": days, "may_manage": _may(services.check_manage, request.user, bureau)})


@login_required
def agreement_edit(request, pk=None):
    bureau = _bureau(request.user)
    agreement = get_object_or_404(agreements_visible_to(request.user), pk=pk) if pk else None
    services.check_manage(request.user, agreement.bureau if agreement else bureau)
    form = AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            if agreement is None:
                services.agreement_create(actor=request.user, bureau=bureau, **form.cleaned_data)
            else:
                services.agreement_update(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Supply agreement saved."))
            return redirect("resources:agreements")
    return render(request, "resources/form.html", {"form": form, "title": _("Supply agreement (协议储备)"),
                                                   "back": reverse("resources:agreements")})
