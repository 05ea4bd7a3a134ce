"""The overdue board, the notification centre, and the reports panel of the incident page."""

from datetime import timedelta
from io import BytesIO

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emergency.forms import BootstrapFormMixin
from incidents.models import Level
from incidents.selectors import incidents_visible_to
from reporting import services
from reporting.models import Kind, Notification, Report
from reporting.selectors import accountability, obligations_visible_to, overdue_board, reports_of, undelivered_messages
from reporting.sweep import heartbeat_is_stale
from roles.models import Contact, Unit, User
from roles.permissions import Role
from roles.selectors import is_bureau_staff, user_roles


def _board_filters(request) -> dict:
    level = request.GET.get("level") or None
    incident = request.GET.get("incident") or None
    return {
        "unit": request.GET.get("unit") or None,
        "kind": request.GET.get("kind") if request.GET.get("kind") in Kind.values else None,
        "level": int(level) if level and level.isdigit() else None,
        "incident": int(incident) if incident and incident.isdigit() else None,
    }


@login_required
def board(request):
    if not is_bureau_staff(request.user):
        raise PermissionDenied(_("Your account belongs to no unit of the bureau."))
    filters = _board_filters(request)
    context = {
        "rows": overdue_board(request.user, **filters),
        "filters": filters,
        "kinds": Kind.choices,
        "levels": Level.choices,
        "units": Unit.objects.filter(obligations__isnull=False).distinct().order_by("kind", "number"),
        "stale": heartbeat_is_stale(),
        "now": timezone.now(),
        "query": request.GET.urlencode(),
        "undelivered": undelivered_messages(request.user),
    }
    template = "reporting/board_rows.html" if request.headers.get("HX-Request") else "reporting/board.html"
    return render(request, template, context)


@login_required
def board_xlsx(request):
    from openpyxl import Workbook

    if not is_bureau_staff(request.user):
        raise PermissionDenied(_("Your account belongs to no unit of the bureau."))
    rows = overdue_board(request.user, **_board_filters(request))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Overdue board")[:31]
    sheet.append([_("Number"), _("Incident"), _("Level"), _("Report"), _("Owner unit"), _("Due at"), _("Status"),
                  _("Minutes left (negative: overdue)")])
    now = timezone.now()
    for row in rows:
        sheet.append([
            row.incident.reference, row.incident.title, row.incident.level_roman or "", row.get_kind_display(),
            row.owner_unit.display_name, timezone.localtime(row.due_at).strftime("%Y-%m-%d %H:%M"),
            row.get_status_display(), int((row.due_at - now).total_seconds() // 60),
        ])
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="overdue-board-{stamp}.xlsx"'
    return response


ACCOUNTABILITY_ROLES = {Role.OFFICE_STAFF, Role.LEADING_GROUP_MEMBER, Role.ADMINISTRATOR}


class PeriodForm(BootstrapFormMixin, django_forms.Form):
    start = django_forms.DateField(label=_("from"), widget=django_forms.DateInput(attrs={"type": "date"}))
    end = django_forms.DateField(label=_("until (inclusive)"), widget=django_forms.DateInput(attrs={"type": "date"}))


def _period(request):
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"start": today.replace(day=1), "end": today})
    if form.is_valid() and form.cleaned_data["start"] <= form.cleaned_data["end"]:
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        start, end = today.replace(day=1), today
    as_moment = lambda day: timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))  # noqa: E731
    return form, start, end, as_moment(start), as_moment(end + timedelta(days=1))


def _require_accountability(user):
    if not user_roles(user) & ACCOUNTABILITY_ROLES:
        raise PermissionDenied(_("The accountability record is kept by the office and read by the leading group."))


@login_required
def accountability_record(request):
    _require_accountability(request.user)
    form, start, end, since, until = _period(request)
    summary, failures = accountability(request.user, start=since, end=until)
    return render(request, "reporting/accountability.html", {
        "form": form, "start": start, "end": end, "summary": summary, "failures": failures,
        "query": request.GET.urlencode()})


@login_required
def accountability_xlsx(request):
    from openpyxl import Workbook

    _require_accountability(request.user)
    _form, start, end, since, until = _period(request)
    summary, failures = accountability(request.user, start=since, end=until)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    sheet.append([_("Period"), f"{start} – {end}"])
    sheet.append([_("Unit"), _("Due in the period"), _("On time"), _("Late"), _("Missed"), _("Waived"), _("Not yet due")])
    for row in summary:
        sheet.append([row["owner_unit__name"], row["total"], row["on_time"], row["late"], row["missed"], row["waived"],
                      row["pending"]])
    details = book.create_sheet(_("Late and missed")[:31])
    details.append([_("Unit"), _("Number"), _("Incident"), _("Report"), _("Due at"), _("Status"), _("Late by (minutes)")])
    now = timezone.now()
    for ob in failures:
        late = ob.late_by_seconds if ob.late_by_seconds is not None else int((now - ob.due_at).total_seconds())
        details.append([ob.owner_unit.name, ob.incident.reference, ob.incident.title, ob.get_kind_display(),
                        timezone.localtime(ob.due_at).strftime("%Y-%m-%d %H:%M"), ob.get_status_display(), late // 60])
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="accountability-{start}-{end}.xlsx"'
    return response


@login_required
def accountability_document(request):
    from reporting.documents import accountability_pdf

    _require_accountability(request.user)
    _form, start, end, since, until = _period(request)
    summary, failures = accountability(request.user, start=since, end=until)
    pdf = accountability_pdf(summary=summary, failures=failures, start=start, end=end)
    return _pdf_response(pdf, f"accountability-{start}-{end}.pdf")


@login_required
def report_document(request, pk):
    """A report as the official document, for whoever may see its incident."""
    from reporting.documents import report_pdf

    report = get_object_or_404(Report.objects.filter(incident__in=incidents_visible_to(request.user))
                               .select_related("incident", "unit", "author", "corrects"), pk=pk)
    return _pdf_response(report_pdf(report), f"{report.incident.reference}-{report.kind}-{report.sequence}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def notifications(request):
    notes = Notification.objects.filter(user=request.user).select_related("incident")[:200]
    return render(request, "reporting/notifications.html", {"notes": notes})


@login_required
@require_POST
def notification_read(request, pk):
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(request.POST.get("next") or "reporting:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    Notification.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
    return redirect("reporting:notifications")


class ReportForm(BootstrapFormMixin, django_forms.Form):
    kind = django_forms.ChoiceField(label=_("kind"), choices=[(k, label) for k, label in Kind.choices if k != Kind.FIRST_REPORT])
    content = django_forms.CharField(label=_("content"), widget=django_forms.Textarea(attrs={"rows": 6}),
                                     help_text=_("Time, place, source, nature, scope, trend and measures taken (plan 三(二)3)."))
    recipients = django_forms.ModelMultipleChoiceField(label=_("recipients"), required=False,
                                                       queryset=Contact.objects.filter(is_active=True),
                                                       widget=django_forms.CheckboxSelectMultiple)
    channel = django_forms.ChoiceField(label=_("channel"), choices=Report.Channel.choices)
    signed_off_by = django_forms.ModelChoiceField(
        label=_("signed off by (签发人)"), required=False,
        queryset=User.objects.filter(memberships__unit__kind=Unit.Kind.LEADING_GROUP, is_active=True).distinct(),
        help_text=_("The bureau leader who approved sending it."))


class ProgressForm(BootstrapFormMixin, django_forms.Form):
    """The station's progress report: words only; it goes up to the bureau in this system, and the
    office reports on to the government (plan 三(二): 逐级向上汇报)."""

    content = django_forms.CharField(label=_("content"), widget=django_forms.Textarea(attrs={"rows": 5}),
                                     help_text=_("Time, place, source, nature, scope, trend and measures taken (plan 三(二)3)."))


def _report_form(user, data=None):
    """The office's full form, or the station's progress form (the service decides who may send what)."""
    if services.is_office(user):
        upward = Contact.objects.filter(kind=Contact.Kind.UPWARD)
        return ReportForm(data, prefix="report", initial={"recipients": upward})
    return ProgressForm(data, prefix="progress")


def incident_panel(request, incident) -> dict:
    """The reports and deadlines of one incident, for its page (registered in reporting.apps)."""
    office = services.is_office(request.user)
    form = None
    if office or services.may_report(request.user, incident, Kind.PROGRESS_REPORT):
        form = getattr(request, "report_form", None) or _report_form(request.user)
    try:
        services.leading_group_decider(request.user)
        may_waive = True
    except PermissionDenied:
        may_waive = False
    return {
        "may_waive": may_waive,
        "template": "reporting/incident_panel.html",
        "reports": reports_of(request.user, incident),
        "obligations": obligations_visible_to(request.user).filter(incident=incident).order_by("due_at", "pk"),
        "report_form": form if office else None,
        "progress_form": form if not office else None,
        "now": timezone.now(),
    }


@login_required
@require_POST
def obligation_waive(request, pk):
    obligation = get_object_or_404(obligations_visible_to(request.user), pk=pk)
    try:
        services.obligation_waive(actor=request.user, obligation=obligation, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Deadline waived."))
    return redirect("incidents:detail", pk=obligation.incident_id)


@login_required
@require_POST
def report_create(request, pk):
    incident = get_object_or_404(incidents_visible_to(request.user), pk=pk)
    form = _report_form(request.user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_submit(actor=request.user, incident=incident, kind=data.get("kind", Kind.PROGRESS_REPORT),
                                   content=data["content"], recipients=list(data.get("recipients", [])),
                                   channel=data.get("channel", Report.Channel.SYSTEM),
                                   signed_off_by=data.get("signed_off_by"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Report submitted."))
            return redirect("incidents:detail", pk=pk)
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()))
    # Keep what was typed: show the incident page again with the bound form.
    from incidents.views import incident_detail

    request.report_form = form
    return incident_detail(request, pk, status=400)


@login_required
@require_POST
def outbox_resend(request, pk):
    """The office's "send again" on the home page and the board; back to where it was pressed."""
    from django.utils.http import url_has_allowed_host_and_scheme

    from incidents.services import InvalidTransition
    from reporting.models import Outbox

    outbox = get_object_or_404(Outbox, pk=pk)
    try:
        services.outbox_resend(actor=request.user, outbox=outbox)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The message is queued to be sent again."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "reporting:board"
    return redirect(target)
