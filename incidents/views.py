"""Incident pages. Every incident comes through incidents_visible_to (else 404); every change
through a service (which checks the role, 403, and the state, 409)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.lists import page_of
from common.pagination import KeysFirstPaginator
from incidents import forms, services
from incidents.api import IncidentFilter
from incidents.models import Incident, Level, LevelPolicy, Measure
from incidents.selectors import incident_list, incident_timeline, incidents_visible_to
from roles.models import Unit


# Panels that apps above this one add to the incident page (reporting adds reports and deadlines):
# callables (request, incident) → a context dict with a "template" key. Filled in their AppConfig.ready.
DETAIL_PANELS = []
EVENTS_PER_PAGE = 50


def _stations_for(user):
    """Stations the user may file for: their own; the office may file for any."""
    if services.is_office(user):
        return Unit.objects.filter(kind=Unit.Kind.STATION, is_active=True)
    return Unit.objects.filter(kind=Unit.Kind.STATION, is_active=True, memberships__user=user)


def _form_errors(form, exc: ValidationError):
    """Put a service's ValidationError onto the form, next to the fields it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def incident_index(request):
    filters = IncidentFilter(request.GET, queryset=incident_list(request.user))
    page = KeysFirstPaginator(filters.qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "incidents/list.html", {"filter": filters, "page": page, "query": query.urlencode()})


@login_required
def incident_new(request):
    stations = _stations_for(request.user)
    if not stations.exists():
        raise PermissionDenied(_("Incidents are filed by supervision stations, or by the office for a station."))
    form = forms.IncidentForm(request.POST or None, request.FILES or None, user=request.user, stations=stations)
    if request.method == "POST" and form.is_valid():
        draft = request.POST.get("intent") == "draft"
        try:
            with transaction.atomic():  # the incident and its files, or nothing
                incident = services.incident_file(
                    actor=request.user, station=form.cleaned_data["station"], draft=draft, **form.intake_data()
                )
                if form.cleaned_data["files"]:
                    services.attachment_add(actor=request.user, incident=incident, files=form.cleaned_data["files"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Draft saved.") if draft else _("First report submitted. The office has it now."))
            return redirect("incidents:detail", pk=incident.pk)
    # For the office, a "draft" registers the incident and assigns it to the station (it owes the first report).
    registers = services.is_office(request.user) and not stations.filter(memberships__user=request.user).exists()
    return render(request, "incidents/form.html", {"form": form, "incident": None, "registers": registers})


@login_required
def incident_edit(request, pk):
    incident = get_object_or_404(incidents_visible_to(request.user).select_related("station"), pk=pk)
    if incident.status not in (Incident.Status.DRAFT, Incident.Status.AWAITING_REPORT):
        raise services.InvalidTransition(_("Only a draft can be edited; the first report is fixed once submitted."))
    services.check_update_draft(request.user, incident)
    form = forms.IncidentForm(request.POST or None, request.FILES or None, instance=incident,
                              user=request.user, stations=_stations_for(request.user))
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("intent") == "submit"
        try:
            with transaction.atomic():
                services.incident_update_draft(actor=request.user, incident=incident, **form.intake_data())
                if form.cleaned_data["files"]:
                    services.attachment_add(actor=request.user, incident=incident, files=form.cleaned_data["files"])
                if submit:
                    services.incident_submit(actor=request.user, incident=incident)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("First report submitted. The office has it now.") if submit else _("Draft saved."))
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/form.html", {"form": form, "incident": incident})


def _detail_queryset(user):
    return incidents_visible_to(user).select_related(
        "category__section", "station", "created_by", "merged_into", "hq__commander", "hq__lead_section",
        "investigation__leader",
    ).prefetch_related(
        "hq__member_sections", "hq__stations", "investigation__members",
        Prefetch("measures", queryset=Measure.objects.select_related("owner_unit", "completed_by").prefetch_related("attachments")),
        "attachments",
    )


def _action_forms(request, incident, allowed, bound=None):
    """An unbound form for each action the user may take now (or the bound one that failed)."""
    made = {}
    for name, (form_class, _call) in ACTIONS.items():
        if name not in allowed:
            continue
        if form_class is None:  # a button, no fields
            made[name] = None
            continue
        if bound and bound[0] == name:
            made[name] = bound[1]
            continue
        made[name] = _new_form(name, form_class, request, incident)
    return made


def _new_form(name, form_class, request, incident, data=None, files=None):
    kwargs = {}
    if name == "merge":
        kwargs["candidates"] = incidents_visible_to(request.user).filter(
            status__in=[Incident.Status.SUBMITTED, Incident.Status.RETURNED, Incident.Status.VERIFIED, Incident.Status.ACTIVE]
        ).exclude(pk=incident.pk)
    initial = {}
    if name == "hq" and hasattr(incident, "hq"):
        hq = incident.hq
        initial = {"commander": hq.commander, "lead_section": hq.lead_section,
                   "member_sections": hq.member_sections.all(), "stations": hq.stations.all()}
    if name in ("activate",) and incident.proposed_level:
        initial = {"level": incident.proposed_level}
    return form_class(data, files, initial=initial, prefix=name, **kwargs)


@login_required
def incident_detail(request, pk, bound=None, status=200):
    incident = get_object_or_404(_detail_queryset(request.user), pk=pk)
    # Every check of the page (the actions, the reports panel) reads the user's units and the
    # leading group's delegation once: the query count does not grow with the size of the HQ.
    with services.checks_remembered(request.user):
        return _incident_page(request, incident, bound, status)


def _incident_page(request, incident, bound, status):
    allowed = services.allowed_actions(request.user, incident)
    measures = list(incident.measures.all())
    may_command = "add_measure" in allowed
    own_units = set(request.user.memberships.values_list("unit_id", flat=True))
    for measure in measures:
        measure.may_update = incident.status in (Incident.Status.ACTIVE, Incident.Status.ENDED) and measure.status == Measure.Status.OPEN and (
            may_command or measure.owner_unit_id in own_units)
        measure.form = forms.MeasureUpdateForm(initial={"measure": measure.pk}, prefix=f"measure-{measure.pk}")
        if bound and bound[0] == f"measure-{measure.pk}":
            measure.form = bound[1]
    context = {
        "incident": incident,
        "allowed": allowed,
        "forms": _action_forms(request, incident, allowed, bound),
        "measures": measures,
        # The newest events first shown (the last page), EVENTS_PER_PAGE at a time: an incident of a long
        # response has hundreds of them.
        "timeline": page_of(request, incident_timeline(incident), param="events", per_page=EVENTS_PER_PAGE,
                            last_by_default=True),
        "policy": LevelPolicy.objects.filter(level=incident.level).first() if incident.level else None,
        "proposed_policy": LevelPolicy.objects.filter(level=incident.proposed_level).first() if incident.proposed_level else None,
        "levels": Level,
        "panels": [panel(request, incident) for panel in DETAIL_PANELS],
    }
    return render(request, "incidents/detail.html", context, status=status)


# action name → (form class, how the cleaned form calls the service)
ACTIONS = {
    "submit": (None, lambda u, i, d: services.incident_submit(actor=u, incident=i)),
    "verify": (forms.VerifyForm, lambda u, i, d: services.incident_verify(
        actor=u, incident=i, summary=d["summary"], accept_discovery_reason=d["accept_discovery_reason"])),
    "return": (forms.MessageForm, lambda u, i, d: services.incident_return(actor=u, incident=i, message=d["message"])),
    "supplement": (forms.SupplementForm, lambda u, i, d: services.incident_supplement(
        actor=u, incident=i, message=d["message"], files=d["files"])),
    "correct": (forms.CorrectForm, lambda u, i, d: services.incident_correct(
        actor=u, incident=i, reason=d["reason"], category=d["category"], proposed_level=d["proposed_level"])),
    "merge": (forms.MergeForm, lambda u, i, d: services.incident_merge(actor=u, incident=i, into=d["into"], reason=d["reason"])),
    "comment": (forms.MessageForm, lambda u, i, d: services.incident_comment(actor=u, incident=i, message=d["message"])),
    "activate": (forms.ActivateForm, lambda u, i, d: services.incident_activate(
        actor=u, incident=i, level=d["level"], reason=d["reason"], form_hq=d["form_hq"])),
    "decline": (forms.ReasonForm, lambda u, i, d: services.incident_decline(actor=u, incident=i, reason=d["reason"])),
    "change_level": (forms.LevelForm, lambda u, i, d: services.incident_change_level(
        actor=u, incident=i, level=d["level"], reason=d["reason"])),
    "hq": (forms.HQForm, lambda u, i, d: services.incident_hq_update(actor=u, incident=i, **d)),
    "add_measure": (forms.MeasureAddForm, lambda u, i, d: services.measure_add(actor=u, incident=i, **d)),
    "summary": (forms.SummaryForm, lambda u, i, d: services.incident_summary_submit(actor=u, incident=i, summary=d["summary"])),
    "approve_end": (forms.ApproveEndForm, lambda u, i, d: services.incident_approve_end(actor=u, incident=i, reason=d["reason"])),
    "end": (forms.EndForm, lambda u, i, d: services.incident_end(actor=u, incident=i, summary=d["summary"], announce=d["announce"])),
    "team": (forms.TeamForm, lambda u, i, d: services.incident_team_name(
        actor=u, incident=i, leader=d["leader"], members=list(d["members"]), experts=d["experts"])),
    "after_action": (forms.AfterActionForm, lambda u, i, d: services.incident_after_action_file(actor=u, incident=i, **d)),
    "attach": (forms.AttachForm, lambda u, i, d: services.attachment_add(actor=u, incident=i, files=d["files"])),
}

DONE_MESSAGES = {
    "submit": gettext_lazy("First report submitted. The office has it now."),
    "activate": gettext_lazy("Response activated."),
    "end": gettext_lazy("The emergency is declared ended."),
    "approve_end": gettext_lazy("The end is approved: the commander may now declare it."),
}


@login_required
@require_POST
def incident_action(request, pk, action):
    incident = get_object_or_404(incidents_visible_to(request.user), pk=pk)
    if action not in ACTIONS:
        raise Http404
    form_class, call = ACTIONS[action]
    form = _new_form(action, form_class, request, incident, request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        return incident_detail(request, pk, bound=(action, form), status=400)
    try:
        call(request.user, incident, form.cleaned_data if form else {})
    except ValidationError as exc:
        if form is None:  # e.g. submitting an incomplete draft: back to the draft form with the fields named
            messages.error(request, " ".join(f"{m}" for m in exc.messages))
            return redirect("incidents:edit", pk=pk)
        _form_errors(form, exc)
        return incident_detail(request, pk, bound=(action, form), status=400)
    messages.success(request, DONE_MESSAGES.get(action) or _("Saved."))
    return redirect("incidents:detail", pk=pk)


@login_required
@require_POST
def measure_update(request, pk, measure_pk):
    incident = get_object_or_404(incidents_visible_to(request.user), pk=pk)
    measure = get_object_or_404(incident.measures, pk=measure_pk)
    prefix = f"measure-{measure.pk}"
    form = forms.MeasureUpdateForm(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            services.measure_update(actor=request.user, measure=measure, status=form.cleaned_data["status"],
                                    completion_note=form.cleaned_data["completion_note"], files=form.cleaned_data["files"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("incidents:detail", pk=pk)
    return incident_detail(request, pk, bound=(prefix, form), status=400)


@login_required
def attachment_download(request, pk, attachment_pk):
    """Files are served only to those who may see the incident (never from the web root)."""
    incident = get_object_or_404(incidents_visible_to(request.user), pk=pk)
    attachment = get_object_or_404(incident.attachments, pk=attachment_pk)
    inline = attachment.content_type.startswith("image/") or attachment.content_type == "application/pdf"
    response = FileResponse(attachment.file.open("rb"), as_attachment=not inline, filename=attachment.name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
