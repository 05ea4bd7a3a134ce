"""Browser forms of alerts. They only parse and check input; the services decide and change."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import MajorEvent, Release, TaskTemplate
from common import limits
from common.timebounds import validate_day, validate_planned
from emergency.forms import BootstrapFormMixin
from incidents.forms import DateTimeInput
from incidents.models import Level


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MajorEventForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = MajorEvent
        fields = ["name", "starts_on", "ends_on", "places"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_on", "ends_on"):
            self.fields[name].validators.append(validate_day)


class TaskTemplateForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = TaskTemplate
        fields = ["title", "owner_number", "days_before", "active", "done_on_approval"]

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The owner is chosen among the bureau's sections, kept by their number in the plan.
        self.fields["owner_number"] = forms.TypedChoiceField(
            label=_("owner section"), coerce=int, choices=[(s.number, f"{s.number}. {s.display_name}") for s in sections])
        self.fields["owner_number"].widget.attrs["class"] = "form-select"


class TaskDoneForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_field(self.fields["note"], limits.LONG_TEXT)


class ReleaseForm(BootstrapFormMixin, forms.Form):
    """The text of a release (new or changed). A warning also has a level, a validity period and
    what it concerns; the service checks those by kind."""

    kind = forms.ChoiceField(label=_("kind"), choices=Release.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 8}))
    level = forms.TypedChoiceField(label=_("warning level"), coerce=int, required=False, empty_value=None,
                                   choices=[("", "—")] + [(v, f"{Release.COLOURS[v][1]} · {label}") for v, label in Level.choices])
    valid_from = forms.DateTimeField(label=_("valid from"), required=False, widget=DateTimeInput(),
                                     input_formats=["%Y-%m-%dT%H:%M"], validators=[validate_planned])
    valid_until = forms.DateTimeField(label=_("valid until"), required=False, widget=DateTimeInput(),
                                      input_formats=["%Y-%m-%dT%H:%M"], validators=[validate_planned])
    affected = forms.CharField(label=_("affected goods or markets"), max_length=500, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_field(self.fields["body"], limits.REPORT_BODY)
        if editing:  # the kind is chosen once, when drafting
            del self.fields["kind"]


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_field(self.fields["reason"], limits.REASON)
