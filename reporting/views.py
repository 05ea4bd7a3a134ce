"""The overdue board, the notification centre, and the reports panel of the incident page."""

from datetime import timedelta

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
# Form classes are built at import: their labels must be translated when shown, not then.
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from common import limits, xlsx
from common.lists import page_of
from common.redirects import safe_next
from emergency.forms import BootstrapFormMixin
from incidents.views import _form_errors
from incidents.selectors import incidents_visible_to
from reporting import services
from reporting.board import _subject_cells, board, board_xlsx  # noqa: F401  (the board's pages, routed from here)
from reporting.filters import PeriodForm
from reporting.request_views import request_form
from reporting.models import REPORT_FACTS, Kind, Notification, Report
from reporting.texts import first_report_facts
from reporting.numbering import number_obligations
from reporting.selectors import accountability, obligations_visible_to, reports_of
from roles.models import Contact, Unit, User
from roles.permissions import Role
from roles.selectors import bureau_contacts, leading_groups, user_bureau_ids, user_roles


# Rows per page of the lists that grow with the data (the record's failures, the notifications).
LIST_PAGE_SIZE = 50
# Reports, and deadlines, of one incident shown on its page at a time.
PANEL_PAGE_SIZE = 20


def _numbered(page):
    """A page of deadlines with their 续报 numbers (reporting.numbering) set on its rows."""
    number_obligations(page.object_list)
    return page


def _without_page(request) -> str:
    """The request's query string without its page number, for the page links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


ACCOUNTABILITY_ROLES = {Role.OFFICE_STAFF, Role.LEADING_GROUP_MEMBER, Role.CITY_STAFF, Role.ADMINISTRATOR}


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
    page = Paginator(failures, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reporting/accountability.html", {
        "form": form, "start": start, "end": end, "summary": summary, "failures": page, "page": page,
        "query": _without_page(request)})


@login_required
def accountability_xlsx(request):
    require_accountability(request.user)
    try:
        _form, start, end, since, until = _period(request)
    except BadPeriod as bad:
        return _bad_period(request, bad.form)
    summary, failures = accountability(request.user, start=since, end=until)
    book = xlsx.streaming_workbook()
    sheet = book.create_sheet(_("Summary")[:31])
    xlsx.append(sheet, [_("Period"), start, end])
    xlsx.append(sheet, [_("Unit"), _("Due in the period"), _("On time"), _("Late"), _("Missed"),
                        _("of which waived after the deadline"), _("Waived before the deadline (not counted)"),
                        _("Not yet due")])
    for row in summary:
        xlsx.append(sheet, [Unit.name_in_language(row["owner_unit__name"], row["owner_unit__name_en"]), row["total"], row["on_time"], row["late"], row["missed"],
                            row["missed_then_waived"], row["waived"], row["pending"]])
    details = book.create_sheet(_("Late and missed")[:31])
    xlsx.append(details, [_("Unit"), _("Number"), _("Incident"), _("Report"), _("Due at"), _("Status"),
                          _("Late by (minutes)"), _("Late from discovery (minutes)"),
                          _("discovery accepted as the start by the office"), _("Waived by"), _("Waived at"),
                          _("reason for waiving")])
    now = timezone.now()
    for ob in failures.iterator(chunk_size=2000):
        late = ob.late_by_seconds if ob.late_by_seconds is not None else int((now - ob.due_at).total_seconds())
        from_discovery = ob.late_from_discovery_seconds // 60 if ob.late_from_discovery_seconds is not None else None
        xlsx.append(details, [
            ob.owner_unit.display_name, *_subject_cells(ob)[:2],
            ob.get_kind_display(), ob.due_at, ob.get_status_display(), late // 60, from_discovery,
            ob.discovery_accepted_reason, ob.waived_by.display_name if ob.waived_by else "", ob.waived_at,
            ob.waived_reason_text])
    return xlsx.stream(book, f"accountability-{start}-{end}.xlsx")


@login_required
def accountability_document(request):
    from reporting.documents import accountability_pdf

    require_accountability(request.user)
    try:
        _form, start, end, since, until = _period(request)
    except BadPeriod as bad:
        return _bad_period(request, bad.form)
    summary, failures = accountability(request.user, start=since, end=until)
    own = user_bureau_ids(request.user)
    pdf = accountability_pdf(summary=summary, failures=failures, start=start, end=end,
                             issuer=Unit.objects.filter(pk__in=own).order_by("pk").first() if own else None)
    return _pdf_response(pdf, f"accountability-{start}-{end}.pdf")


@login_required
def report_document(request, pk):
    """A report as the official document, for whoever may see its incident."""
    from reporting.documents import report_filename, report_pdf

    report = get_object_or_404(Report.objects.filter(incident__in=incidents_visible_to(request.user))
                               .select_related("incident", "unit", "author", "corrects", "document_issuer"), pk=pk)
    return _pdf_response(report_pdf(report), report_filename(report))


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    # A Chinese name goes as filename* (RFC 6266/5987), as attachments' names do.
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def notifications(request):
    """The user's notifications, newest first, LIST_PAGE_SIZE to a page."""
    notes = Notification.objects.filter(user=request.user).select_related("incident").order_by("-created_at", "-pk")
    page = Paginator(notes, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reporting/notifications.html", {"notes": page, "page": page, "query": _without_page(request)})


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
    kind = django_forms.ChoiceField(label=_lazy("kind"), choices=[(k, label) for k, label in Kind.choices
                                                             if k not in (Kind.FIRST_REPORT, Kind.MEASURE, Kind.WRITTEN_REPORT)])
    content = django_forms.CharField(label=_lazy("content"), widget=django_forms.Textarea(attrs={"rows": 6}),
                                     max_length=limits.REPORT_BODY, help_text=limits.limit_help(
                                         limits.REPORT_BODY,
                                         _lazy("Time, place, source, nature, scope, trend and measures taken (plan 三(二)3).")))
    recipients = django_forms.ModelMultipleChoiceField(
        label=_lazy("recipients"), required=False, queryset=Contact.objects.filter(is_active=True),
        widget=django_forms.CheckboxSelectMultiple,
        help_text=_lazy("The portal sends it to each recipient in this system or by email; to the others, phone or fax it and record that below. An upward report fulfils its deadline when it has left to both the county government and the city bureau."))
    signed_off_by = django_forms.ModelChoiceField(
        label=_lazy("signed off by (签发人)"), required=False,
        queryset=User.objects.filter(memberships__unit__kind=Unit.Kind.LEADING_GROUP, is_active=True).distinct(),
        help_text=_lazy("The bureau leader who approved sending it."))
    field_order = ["kind", "recipients", "signed_off_by", "content"]


class ProgressForm(BootstrapFormMixin, django_forms.Form):
    """The station's progress report: words only; it goes up to the bureau in this system, and the
    office reports on to the government (plan 三(二): 逐级向上汇报)."""

    content = django_forms.CharField(label=_lazy("content"), widget=django_forms.Textarea(attrs={"rows": 5}),
                                     max_length=limits.REPORT_BODY, help_text=limits.limit_help(
                                         limits.REPORT_BODY,
                                         _lazy("Time, place, source, nature, scope, trend and measures taken (plan 三(二)3).")))


class SkipLevelForm(BootstrapFormMixin, FactsFields):
    """越级上报 (三(二)2-1): in special cases the station reports straight to the county government or the
    city bureau, stating why; the office and the town government are told at the same moment."""

    skip_level_reason = django_forms.CharField(label=_lazy("why the station reports past the bureau"), max_length=limits.REASON,
                                               help_text=limits.limit_help(limits.REASON),
                                               widget=django_forms.Textarea(attrs={"rows": 2}))
    recipients = django_forms.ModelMultipleChoiceField(
        label=_lazy("recipients"), queryset=Contact.objects.filter(is_active=True, kind=Contact.Kind.UPWARD),
        widget=django_forms.CheckboxSelectMultiple)
    content = django_forms.CharField(label=_lazy("content"), widget=django_forms.Textarea(attrs={"rows": 5}),
                                     max_length=limits.REPORT_BODY, help_text=limits.limit_help(limits.REPORT_BODY))
    field_order = ["skip_level_reason", "recipients", "content"]


def _report_form(user, incident, data=None, which: str = ""):
    """The office's full form, the station's skip-level form, or its progress form (the service decides who may send what)."""
    facts = first_report_facts(incident)
    bureau = incident.station.bureau()  # the incident's own county: its recipients, its leaders
    if services.is_office(user):
        form = ReportForm(data, prefix="report", initial={
            "recipients": bureau_contacts(bureau).filter(kind=Contact.Kind.UPWARD), **facts})
        form.fields["recipients"].queryset = bureau_contacts(bureau)
        form.fields["signed_off_by"].queryset = User.objects.filter(
            memberships__unit__in=leading_groups(bureau), is_active=True).distinct()
        return form
    if which == "skip_level":
        form = SkipLevelForm(data, prefix="skip", initial=facts)
        form.fields["recipients"].queryset = bureau_contacts(bureau).filter(kind=Contact.Kind.UPWARD)
        return form
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
        # The latest reports and deadlines (the last page) first: a long response has hundreds of each.
        "reports": _with_deliveries(request.user, page_of(
            request, reports_of(request.user, incident).prefetch_related(
                "deliveries__recipient", "deliveries__recorded_by", "deliveries__signed_by", "deliveries__follow_up"),
            param="reports", per_page=PANEL_PAGE_SIZE, last_by_default=True)),
        "obligations": _numbered(page_of(
            request, obligations_visible_to(request.user).filter(incident=incident).select_related(
                "waived_by", "measure").order_by("due_at", "pk"), param="deadlines", per_page=PANEL_PAGE_SIZE,
            last_by_default=True)),
        "report_form": form if office else None,
        "progress_form": form if not office else None,
        "skip_level_form": skip_form,
        "request_form": request_form(request.user, incident),
        "now": timezone.now(),
    }


def _with_deliveries(user, page):
    """A page of reports (deliveries prefetched), each with `sending`: its deliveries and the office's
    forms (reporting.delivery_views)."""
    from reporting.delivery_views import deliveries_panel

    for report in page.object_list:
        report.sending = deliveries_panel(user, report)
    return page


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
    return redirect(obligation.subject_url)


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
