"""The duty log's pages: the list, the form for a call, and an entry's page with its two ways out
(登记为突发事件并指派监管所, 关闭). Entries come through log_entries_visible_to (else 404); every
change through duty.log (403 saying who may, 409 when the entry was already handled)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from common.lists import page_of
from duty import log
from duty.log_forms import CloseForm, DutyLogForm, RegisterForm, StatusFilterForm
from duty.log_selectors import log_entries_visible_to, log_list, may_read_log

PER_PAGE = 25
NOT_A_READER = gettext_noop("The duty log is kept by the office; the leading group reads it.")


def _form_errors(form, exc: ValidationError):
    """Put a service's ValidationError onto the form, next to the fields it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def log_index(request):
    if not may_read_log(request.user):
        raise PermissionDenied(_(NOT_A_READER))
    filters = StatusFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = page_of(request, log_list(request.user, status=status), per_page=PER_PAGE)
    return render(request, "duty/log_list.html", {
        "filters": filters, "status": status, "page": page,
        "may_record": bool(log.recording_bureaus(request.user)),
    })


@login_required
def log_new(request):
    bureaus = log.recording_bureaus(request.user)
    if not bureaus:
        log.check_record(request.user, None)  # raises PermissionDenied with who may
    form = DutyLogForm(request.POST or None, bureaus=bureaus)
    if request.method == "POST" and form.is_valid():
        try:
            entry = log.duty_log_record(actor=request.user, bureau=form.cleaned_data.get("bureau"), **form.log_data())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Recorded in the duty log as %(reference)s.") % {"reference": entry.reference})
            return redirect("duty:log_detail", pk=entry.pk)
    return render(request, "duty/log_form.html", {"form": form}, status=400 if form.is_bound else 200)


def _entry(request, pk):
    return get_object_or_404(log_entries_visible_to(request.user).select_related(
        "bureau", "recorded_by", "registered_by", "closed_by", "incident"), pk=pk)


@login_required
def log_detail(request, pk, register_form=None, close_form=None, status=200):
    entry = _entry(request, pk)
    may_handle = log.may_handle(request.user, entry)
    context = {"entry": entry, "may_handle": may_handle}
    if may_handle:
        context["register_form"] = register_form or RegisterForm(entry=entry)
        context["close_form"] = close_form or CloseForm()
    return render(request, "duty/log_detail.html", context, status=status)


@login_required
@require_POST
def log_register(request, pk):
    entry = _entry(request, pk)
    log.check_handle(request.user, entry)  # 403 / 409 before reading the form
    form = RegisterForm(request.POST, entry=entry)
    if form.is_valid():
        try:
            incident = log.duty_log_register_incident(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Registered as incident %(reference)s and assigned to %(station)s: its "
                                        "first-report clock is running.") % {
                "reference": incident.reference, "station": incident.station.display_name})
            return redirect("duty:log_detail", pk=entry.pk)
    return log_detail(request, pk, register_form=form, status=400)


@login_required
@require_POST
def log_close(request, pk):
    entry = _entry(request, pk)
    log.check_handle(request.user, entry)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            log.duty_log_close(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The entry is closed."))
            return redirect("duty:log_detail", pk=entry.pk)
    return log_detail(request, pk, close_form=form, status=400)
