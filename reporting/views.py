"""The overdue board, the notification centre, and the reports panel of the incident page."""

from datetime import timedelta

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import limits, xlsx
from common.redirects import safe_next
from emergency.forms import BootstrapFormMixin
from incidents.views import _form_errors
from incidents.models import Level
from incidents.selectors import incidents_visible_to
from reporting import services
from reporting.filters import BoardFilter, PeriodForm
from reporting.models import REPORT_FACTS, Kind, Notification, Report
from reporting.texts import first_report_facts
from reporting.selectors import (accountability, obligations_visible_to, overdue_board, reports_of, undelivered_messages,
                                 unsigned_upward)
from reporting.sweep import heartbeat_is_stale
from roles.models import Contact, Unit, User
from roles.permissions import Role
from roles.selectors import is_bureau_staff, user_roles


def _board(request):
    """The board's rows and the filter values the page shows as selected (reporting.filters)."""
    filters = BoardFilter(request.GET, queryset=overdue_board(request.user))
    return filters.qs, filters.selected()


@login_required
def board(request):
    if not is_bureau_staff(request.user):
        raise PermissionDenied(_("Your account belongs to no unit of the bureau."))
    rows, filters = _board(request)
    context = {
        "rows": rows,
        "filters": filters,
        "kinds": Kind.choices,
        "levels": Level.choices,
        "units": Unit.objects.filter(obligations__isnull=False).distinct().order_by("kind", "number"),
        "stale": heartbeat_is_stale(),
        "now": timezone.now(),
        "query": request.GET.urlencode(),
        "undelivered": undelivered_messages(request.user),
        "unsigned": list(unsigned_upward(request.user)[:100]),
        "receipt_minutes": settings.RECEIPT_EXPECTED_MINUTES,
    }
    template = "reporting/board_rows.html" if request.headers.get("HX-Request") else "reporting/board.html"
    return render(request, template, context)


@login_required
def board_xlsx(request):
    from openpyxl import Workbook

    if not is_bureau_staff(request.user):
        raise PermissionDenied(_("Your account belongs to no unit of the bureau."))
    rows, _filters = _board(request)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Overdue board")[:31]
    xlsx.append(sheet, [_("Number"), _("Incident"), _("Level"), _("Report"), _("Owner unit"), _("Due at"), _("Status"),
                        _("Minutes left (negative: overdue)")])
    now = timezone.now()
    for row in rows:
        xlsx.append(sheet, [
            # A station's unsent draft: its reference and times only, never its text (docs/deadlines.md rule 2).
            row.incident.reference, "" if row.incident.status == "draft" else row.incident.title,
            row.incident.level_roman or "", row.get_kind_display(), row.owner_unit.display_name, row.due_at,
            row.get_status_display(), int((row.due_at - now).total_seconds() // 60),
        ])
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return xlsx.response(book, f"overdue-board-{stamp}.xlsx")


ACCOUNTABILITY_ROLES = {Role.OFFICE_STAFF, Role.LEADING_GROUP_MEMBER, Role.ADMINISTRATOR}


def _period(request):
    """The period of the query (this month by default). A period outside the calendar window
    (common.timebounds) or ending before it starts is refused: BadPeriod carries the bound form."""
    today = timezone.localdate()
    form = PeriodForm(request.GET if ("start" in request.GET or "end" in request.GET)
                      else {"start": today.replace(day=1), "end": today})
    if not form.is_valid():
        raise BadPeriod(form)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    as_moment = lambda day: timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))  # noqa: E731
    return form, start, end, as_moment(start), as_moment(end + timedelta(days=1))


class BadPeriod(Exception):
    def __init__(self, form):
        super().__init__("bad period")
        self.form = form


def _bad_period(request, form):
    """The record page with the form's errors next to its fields, 400, nothing counted."""
    return render(request, "reporting/accountability.html", {
        "form": form, "start": None, "end": None, "summary": [], "failures": [], "query": ""}, status=400)


def require_accountability(user):
    if not user_roles(user) & ACCOUNTABILITY_ROLES:
        raise PermissionDenied(_("The accountability record is kept by the office and read by the leading group."))


@login_required
def accountability_record(request):
    require_accountability(request.user)
    try:
        form, start, end, since, until = _period(request)
    except BadPeriod as bad:
        return _bad_period(request, bad.form)
    summary, failures = accountability(request.user, start=since, end=until)
    return render(request, "reporting/accountability.html", {
        "form": form, "start": start, "end": end, "summary": summary, "failures": failures,
        "query": request.GET.urlencode()})


@login_required
def accountability_xlsx(request):
    from openpyxl import Workbook

    require_accountability(request.user)
    try:
        _form, start, end, since, until = _period(request)
    except BadPeriod as bad:
        return _bad_period(request, bad.form)
    summary, failures = accountability(request.user, start=since, end=until)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    xlsx.append(sheet, [_("Period"), start, end])
    xlsx.append(sheet, [_("Unit"), _("Due in the period"), _("On time"), _("Late"), _("Missed"),
                        _("of which waived after the deadline"), _("Waived before the deadline (not counted)"),
                        _("Not yet due")])
    for row in summary:
        xlsx.append(sheet, [row["owner_unit__name"], row["total"], row["on_time"], row["late"], row["missed"],
                            row["missed_then_waived"], row["waived"], row["pending"]])
    details = book.create_sheet(_("Late and missed")[:31])
    xlsx.append(details, [_("Unit"), _("Number"), _("Incident"), _("Report"), _("Due at"), _("Status"),
                          _("Late by (minutes)"), _("Late from discovery (minutes)"),
                          _("discovery accepted as the start by the office"), _("Waived by"), _("Waived at"),
                          _("reason for waiving")])
    now = timezone.now()
    for ob in failures:
        late = ob.late_by_seconds if ob.late_by_seconds is not None else int((now - ob.due_at).total_seconds())
        from_discovery = ob.late_from_discovery_seconds // 60 if ob.late_from_discovery_seconds is not None else None
        xlsx.append(details, [
            ob.owner_unit.name, ob.incident.reference, "" if ob.incident.status == "draft" else ob.incident.title,
            ob.get_kind_display(), ob.due_at, ob.get_status_display(), late // 60, from_discovery,
            ob.discovery_accepted_reason, ob.waived_by.display_name if ob.waived_by else "", ob.waived_at,
            ob.waived_reason])
    return xlsx.response(book, f"accountability-{start}-{end}.xlsx")


@login_required
def accountability_document(request):
    from reporting.documents import accountability_pdf

    require_accountability(request.user)
    try:
        _form, start, end, since, until = _period(request)
    except BadPeriod as bad:
        return _bad_period(request, bad.form)
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
    return redirect(safe_next(request, "reporting:notifications"))


@login_required
@require_POST
def notifications_read_all(request):
    Notification.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
    return redirect("reporting:notifications")


def _fact_field(key, label) -> django_forms.CharField:
    rows = 1 if key in ("time", "place", "source", "nature") else 2
    return django_forms.CharField(label=label, required=False, max_length=limits.LONG_TEXT,
                                  help_text=limits.limit_help(limits.LONG_TEXT),
                                  widget=django_forms.Textarea(attrs={"rows": rows}))


# The facts a report states (plan 三(二)3), as optional form fields: the service says which are required.
FactsFields = type("FactsFields", (django_forms.Form,), {key: _fact_field(key, label) for key, label in REPORT_FACTS})


class ReportForm(BootstrapFormMixin, FactsFields):
    kind = django_forms.ChoiceField(label=_("kind"), choices=[(k, label) for k, label in Kind.choices
                                                             if k not in (Kind.FIRST_REPORT, Kind.MEASURE, Kind.WRITTEN_REPORT)])
    content = django_forms.CharField(label=_("content"), widget=django_forms.Textarea(attrs={"rows": 6}),
                                     max_length=limits.REPORT_BODY, help_text=limits.limit_help(
                                         limits.REPORT_BODY,
                                         _("Time, place, source, nature, scope, trend and measures taken (plan 三(二)3).")))
    recipients = django_forms.ModelMultipleChoiceField(
        label=_("recipients"), required=False, queryset=Contact.objects.filter(is_active=True),
        widget=django_forms.CheckboxSelectMultiple,
        help_text=_("The portal sends it to each recipient in this system or by email; to the others, phone or fax it and record that below. An upward report fulfils its deadline when it has left to both the county government and the city bureau."))
    signed_off_by = django_forms.ModelChoiceField(
        label=_("signed off by (签发人)"), required=False,
        queryset=User.objects.filter(memberships__unit__kind=Unit.Kind.LEADING_GROUP, is_active=True).distinct(),
        help_text=_("The bureau leader who approved sending it."))
    field_order = ["kind", "recipients", "signed_off_by", "content"]


class ProgressForm(BootstrapFormMixin, django_forms.Form):
    """The station's progress report: words only; it goes up to the bureau in this system, and the
    office reports on to the government (plan 三(二): 逐级向上汇报)."""

    content = django_forms.CharField(label=_("content"), widget=django_forms.Textarea(attrs={"rows": 5}),
                                     max_length=limits.REPORT_BODY, help_text=limits.limit_help(
                                         limits.REPORT_BODY,
                                         _("Time, place, source, nature, scope, trend and measures taken (plan 三(二)3).")))


class SkipLevelForm(BootstrapFormMixin, FactsFields):
    """越级上报 (三(二)2-1): in special cases the station reports straight to the county government or the
    city bureau, stating why; the office and the town government are told at the same moment."""

    skip_level_reason = django_forms.CharField(label=_("why the station reports past the bureau"), max_length=limits.REASON,
                                               help_text=limits.limit_help(limits.REASON),
                                               widget=django_forms.Textarea(attrs={"rows": 2}))
    recipients = django_forms.ModelMultipleChoiceField(
        label=_("recipients"), queryset=Contact.objects.filter(is_active=True, kind=Contact.Kind.UPWARD),
        widget=django_forms.CheckboxSelectMultiple)
    content = django_forms.CharField(label=_("content"), widget=django_forms.Textarea(attrs={"rows": 5}),
                                     max_length=limits.REPORT_BODY, help_text=limits.limit_help(limits.REPORT_BODY))
    field_order = ["skip_level_reason", "recipients", "content"]


def _report_form(user, incident, data=None, which: str = ""):
    """The office's full form, the station's skip-level form, or its progress form (the service decides who may send what)."""
    facts = first_report_facts(incident)
    if services.is_office(user):
        upward = Contact.objects.filter(kind=Contact.Kind.UPWARD)
        return ReportForm(data, prefix="report", initial={"recipients": upward, **facts})
    if which == "skip_level":
        return SkipLevelForm(data, prefix="skip", initial=facts)
    return ProgressForm(data, prefix="progress")


def incident_panel(request, incident) -> dict:
    """The reports and deadlines of one incident, for its page (registered in reporting.apps)."""
    office = services.is_office(request.user)
    bound = getattr(request, "report_form", None)
    form = skip_form = None
    if office or services.may_report(request.user, incident, Kind.PROGRESS_REPORT):
        form = bound if bound is not None and not isinstance(bound, SkipLevelForm) else _report_form(request.user, incident)
    if not office and services.may_report(request.user, incident, Kind.UPWARD_REPORT, skip_level=True):
        skip_form = bound if isinstance(bound, SkipLevelForm) else _report_form(request.user, incident, which="skip_level")
    try:
        services.leading_group_decider(request.user)
        may_waive = True
    except PermissionDenied:
        may_waive = False
    return {
        "may_waive": may_waive,
        "reason_limit": limits.REASON,
        "template": "reporting/incident_panel.html",
        "reports": _with_deliveries(request.user, reports_of(request.user, incident)),
        "obligations": obligations_visible_to(request.user).filter(incident=incident).select_related(
            "waived_by", "measure").order_by("due_at", "pk"),
        "report_form": form if office else None,
        "progress_form": form if not office else None,
        "skip_level_form": skip_form,
        "now": timezone.now(),
    }


def _with_deliveries(user, reports) -> list[Report]:
    """Each report with `sending`: its deliveries and the office's forms (reporting.delivery_views)."""
    from reporting.delivery_views import deliveries_panel

    reports = list(reports.prefetch_related("deliveries__recipient", "deliveries__recorded_by", "deliveries__signed_by", "deliveries__follow_up"))
    for report in reports:
        report.sending = deliveries_panel(user, report)
    return reports


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
    form = _report_form(request.user, incident, request.POST, which=request.POST.get("form", ""))
    if form.is_valid():
        data = form.cleaned_data
        kind = data.get("kind") or (Kind.UPWARD_REPORT if isinstance(form, SkipLevelForm) else Kind.PROGRESS_REPORT)
        try:
            services.report_submit(actor=request.user, incident=incident, kind=kind,
                                   content=data["content"], recipients=list(data.get("recipients", [])),
                                   signed_off_by=data.get("signed_off_by"),
                                   facts={key: data.get(key, "") for key, _label in REPORT_FACTS},
                                   skip_level_reason=data.get("skip_level_reason", ""))
        except ValidationError as exc:
            _form_errors(form, exc)
            messages.error(request, _("The report was not submitted: see the fields marked below."))
        else:
            messages.success(request, _("Report submitted."))
            return redirect("incidents:detail", pk=pk)
    else:
        messages.error(request, " ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
                                         for f, e in form.errors.items()))
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
