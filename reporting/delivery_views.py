"""Pages of reports that leave and arrive (issue 11): the office records a report phoned or faxed and
a phone confirmation (on the incident page); the receiving bureau's office signs for reports in its
inbox; an email recipient signs through the link in the email. The services are reporting.sending."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.timebounds import validate_happened
from emergency.forms import BootstrapFormMixin
from incidents.forms import DateTimeInput
from incidents.selectors import incidents_visible_to
from incidents.services import InvalidTransition
from reporting import sending
from reporting import bounces
from reporting.models import Report, ReportDelivery
from reporting.selectors import deliveries_visible_to, inbox_of, office_bureau_ids

D = ReportDelivery


class RecordForm(BootstrapFormMixin, forms.Form):
    """A report phoned or faxed, as the office records it (sending.delivery_record checks it all)."""

    recipient = forms.ModelChoiceField(label=gettext_lazy("recipient"), queryset=None)
    channel = forms.ChoiceField(label=gettext_lazy("channel"), choices=[(D.Channel.PHONE, D.Channel.PHONE.label),
                                                                       (D.Channel.FAX, D.Channel.FAX.label)])
    number = forms.CharField(label=gettext_lazy("number dialled or faxed"), max_length=sending.ADDRESS_LENGTH)
    at = forms.DateTimeField(label=gettext_lazy("when"), widget=DateTimeInput(), validators=[validate_happened])
    confirmed_name = forms.CharField(label=gettext_lazy("who took the call or confirmed it (电话确认)"), required=False,
                                     max_length=sending.NAME_LENGTH)
    confirmed_at = forms.DateTimeField(label=gettext_lazy("confirmed at"), required=False, widget=DateTimeInput(),
                                       validators=[validate_happened], help_text=gettext_lazy("Empty: at the time of the call."))

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = report.recipients.order_by("pk")


class ConfirmForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("who confirmed it (电话确认)"), max_length=sending.NAME_LENGTH)
    at = forms.DateTimeField(label=gettext_lazy("confirmed at"), required=False, widget=DateTimeInput(),
                             validators=[validate_happened], help_text=gettext_lazy("Empty: now."))


class ResendForm(BootstrapFormMixin, forms.Form):
    """A bounced report email sent again (reporting.bounces.delivery_resend checks it all)."""

    address = forms.EmailField(label=gettext_lazy("email address"), max_length=sending.ADDRESS_LENGTH, required=False,
                               help_text=gettext_lazy("Empty: the same address. Correct the contact's address in the "
                                                      "administration for later reports."))


class SignForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("your name"), max_length=sending.NAME_LENGTH)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_POST
def delivery_record(request, pk):
    """POST from the incident page: the office records a report phoned or faxed to one recipient."""
    report = get_object_or_404(Report.objects.filter(incident__in=incidents_visible_to(request.user)), pk=pk)
    sending.check_record(request.user)  # 403 before reading the form
    form = RecordForm(request.POST, report=report, prefix=f"record-{report.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
                                         for f, e in form.errors.items()))
        return redirect("incidents:detail", pk=report.incident_id)
    data = form.cleaned_data
    try:
        sending.delivery_record(actor=request.user, report=report, recipient=data["recipient"], channel=data["channel"],
                                number=data["number"], at=data["at"], confirmed_name=data["confirmed_name"],
                                confirmed_at=data["confirmed_at"])
    except (ValidationError, InvalidTransition) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("Recorded."))
    return redirect("incidents:detail", pk=report.incident_id)


@login_required
@require_POST
def delivery_confirm(request, pk):
    """POST from the incident page: the office records a phone confirmation of a report that left."""
    sent = get_object_or_404(deliveries_visible_to(request.user), pk=pk)
    sending.check_record(request.user)
    form = ConfirmForm(request.POST, prefix=f"confirm-{sent.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    else:
        try:
            sending.delivery_confirm(actor=request.user, sent=sent, name=form.cleaned_data["name"],
                                     at=form.cleaned_data["at"])
        except (ValidationError, InvalidTransition) as exc:
            messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Phone confirmation recorded."))
    return redirect("incidents:detail", pk=sent.report.incident_id)


@login_required
@require_POST
def delivery_resend(request, pk):
    """POST from the incident page: the office sends a bounced report email (退信) again."""
    sent = get_object_or_404(deliveries_visible_to(request.user), pk=pk)
    bounces.check_resend(request.user)  # 403 before reading the form
    form = ResendForm(request.POST, prefix=f"resend-{sent.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    else:
        try:
            bounces.delivery_resend(actor=request.user, sent=sent, address=form.cleaned_data["address"])
        except (ValidationError, InvalidTransition) as exc:
            messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Queued to be sent again."))
    return redirect("incidents:detail", pk=sent.report.incident_id)


@login_required
def inbox(request):
    """Reports delivered in the portal to the user's bureau, to sign for (签收). Only for a bureau's office."""
    if not office_bureau_ids(request.user):
        raise PermissionDenied(_("The inbox of reports received is kept by the office of a bureau that receives reports in this portal."))
    return render(request, "reporting/inbox.html", {"deliveries": inbox_of(request.user)[:200]})


@login_required
@require_POST
def delivery_sign(request, pk):
    """签收, one click in the inbox."""
    sent = get_object_or_404(deliveries_visible_to(request.user), pk=pk)
    try:
        sending.delivery_sign(actor=request.user, sent=sent)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Signed for."))
    return redirect("reporting:inbox")


@login_required
def delivery_document(request, pk):
    """The report as the official document, for whoever sees the delivery (the receiving office too)."""
    from reporting.documents import report_pdf
    from reporting.views import _pdf_response

    sent = get_object_or_404(deliveries_visible_to(request.user), pk=pk)
    report = sent.report
    return _pdf_response(report_pdf(report), f"{report.incident.reference}-{report.kind}-{report.sequence}.pdf")


def receipt(request, token):
    """签收 through the link in the report's email: no account; the link expires
    (RECEIPT_LINK_MAX_AGE_HOURS). A bad or expired link: 400 with the reason, nothing changed."""
    try:
        sent = sending.delivery_from_token(token)
    except ValidationError as exc:
        return render(request, "reporting/receipt.html", {"error": _errors(exc)}, status=400)
    form = SignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = sending.delivery_sign_by_link(token=token, name=form.cleaned_data["name"])
            except ValidationError as exc:
                form.add_error("name", _errors(exc))
                status = 400
        else:
            status = 400
    return render(request, "reporting/receipt.html", {"sent": sent, "form": form, "now": timezone.now()}, status=status)


def deliveries_panel(user, report) -> dict:
    """For the incident page: the report's deliveries, who it has not yet left to, and the office's forms."""
    rows = list(report.deliveries.all())
    left = {d.recipient_id for d in rows if d.has_left}
    office = sending.is_office(user)
    for d in rows:
        d.confirm_form = ConfirmForm(prefix=f"confirm-{d.pk}") if office and d.state == D.State.SENT else None
        d.resend_form = (ResendForm(prefix=f"resend-{d.pk}", initial={"address": d.address})
                         if office and d.state == D.State.FAILED and d.bounced_at else None)
    return {
        "rows": rows,
        "not_left": [c for c in report.recipients.all() if c.pk not in left],
        "record_form": RecordForm(report=report, prefix=f"record-{report.pk}") if office and report.recipients.all() else None,
    }
