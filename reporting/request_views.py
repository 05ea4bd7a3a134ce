"""催报 on the incident page: the city bureau's form and its POST (reporting.requests does the work)."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import limits
from emergency.forms import BootstrapFormMixin
from incidents.forms import DATETIME_FORMAT, DateTimeInput
from incidents.selectors import incidents_visible_to
from reporting import requests


class RequestForm(BootstrapFormMixin, django_forms.Form):
    """催报: the city bureau asks the county for a report by a deadline (reporting.requests)."""

    message = django_forms.CharField(label=_("what the county should report"), max_length=limits.REASON,
                                     help_text=limits.limit_help(limits.REASON),
                                     widget=django_forms.Textarea(attrs={"rows": 2}))
    due_at = django_forms.DateTimeField(label=_("report by"), required=False, widget=DateTimeInput(),
                                        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
                                        help_text=_("Empty: within the limit of the reporting rules (60 minutes unless an administrator changed it)."))


@login_required
@require_POST
def report_request(request, pk):
    """The city bureau's 催报 on a county's incident; 403 with who may for anyone else who sees it."""
    from incidents.services import InvalidTransition

    incident = get_object_or_404(incidents_visible_to(request.user), pk=pk)
    form = RequestForm(request.POST, prefix="request")
    if form.is_valid():
        try:
            requests.report_request(actor=request.user, incident=incident, message=form.cleaned_data["message"],
                                    due_at=form.cleaned_data["due_at"])
        except (ValidationError, InvalidTransition) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("The county has been asked for a report."))
            return redirect("incidents:detail", pk=pk)
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return redirect("incidents:detail", pk=pk)


def request_form(user, incident) -> "RequestForm | None":
    """The empty form for the incident panel, for whoever may ask now (the city bureau)."""
    return RequestForm(prefix="request") if requests.may_request(user, incident) else None
