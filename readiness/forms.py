"""Forms of the readiness pages. They only parse and bound input; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common import limits
from common.limits import limit_field
from emergency.forms import BootstrapFormMixin
from incidents.attachments import ACCEPT
from readiness.models import Attendance, Dimension, Drill, Plan
from roles.models import Unit, User

DATE = forms.DateInput(attrs={"type": "date"})
TITLE = 200


def _text(label, limit=limits.LONG_TEXT, required=True, rows=3, help_text=""):
    return limit_field(forms.CharField(label=label, required=required, help_text=help_text,
                                       widget=forms.Textarea(attrs={"rows": rows})), limit)


def _line(label, limit=TITLE, required=True, help_text=""):
    return limit_field(forms.CharField(label=label, required=required, help_text=help_text), limit)


class BureauForm(BootstrapFormMixin, forms.Form):
    """A form whose unit and people choices are those of one bureau (`bureau=`)."""

    def __init__(self, *args, bureau: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.bureau = bureau
        units = Unit.objects.filter(parent=bureau, is_active=True).exclude(kind=Unit.Kind.BUREAU)
        people = User.objects.filter(is_active=True, memberships__unit__parent=bureau).distinct().order_by("username")
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = people if field.queryset.model is User else units


class PlanForm(BureauForm):
    title = _line(_("title"))
    kind = forms.ChoiceField(label=_("kind"), choices=Plan.Kind.choices)
    owner_section = forms.ModelChoiceField(label=_("owner section"), queryset=Unit.objects.none())
    review_interval_years = forms.IntegerField(label=_("review interval (years)"), required=False, min_value=1, max_value=10,
                                               help_text=_("Empty: the portal's default interval."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_section"].queryset = self.fields["owner_section"].queryset.filter(kind=Unit.Kind.SECTION)


class VersionForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("document"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    changes = _text(_("what changed"))
    reason = _text(_("why"))


class ApproveForm(BootstrapFormMixin, forms.Form):
    approved_on = forms.DateField(label=_("approved on"), widget=DATE)
    next_review_due = forms.DateField(label=_("next review due"), required=False, widget=DATE,
                                      help_text=_("Empty: the approval date plus the plan's review interval."))


class ReviewForm(BootstrapFormMixin, forms.Form):
    reviewed_on = forms.DateField(label=_("reviewed on"), widget=DATE)
    finding = _text(_("finding"), limit=limits.REASON, help_text=_("Why the plan stands as it is."))
    next_review_due = forms.DateField(label=_("next review due"), required=False, widget=DATE,
                                      help_text=_("Empty: the review date plus the plan's review interval."))


class DrillPlanForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    notes = _text(_("notes"), required=False)


class DrillForm(BureauForm):
    title = _line(_("title"))
    scenario = _text(_("scenario"))
    type = forms.ChoiceField(label=_("type"), choices=Drill.Type.choices)
    date = forms.DateField(label=_("date"), widget=DATE)
    units = forms.ModelMultipleChoiceField(label=_("units taking part"), queryset=Unit.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    participants = forms.ModelMultipleChoiceField(label=_("people taking part"), queryset=User.objects.none(),
                                                  required=False, widget=forms.CheckboxSelectMultiple)


class DrillRecordForm(BureauForm):
    evaluation = _text(_("evaluation"), rows=5)
    participants = forms.ModelMultipleChoiceField(label=_("people taking part"), queryset=User.objects.none(),
                                                  required=False, widget=forms.CheckboxSelectMultiple)


class RectificationForm(BureauForm):
    problem = _text(_("problem found"))
    action = _text(_("rectification"))
    owner_unit = forms.ModelChoiceField(label=_("owner unit"), queryset=Unit.objects.none())
    deadline = forms.DateField(label=_("deadline"), widget=DATE, help_text=_("Due by 24:00 of this day."))


class DoneForm(BootstrapFormMixin, forms.Form):
    note = _text(_("what was done"), limit=limits.REASON)


class AssessmentForm(BootstrapFormMixin, forms.Form):
    period = _line(_("period"), limit=50, help_text=_("e.g. 2026 or 2026 first half"))
    assessed_on = forms.DateField(label=_("assessed on"), widget=DATE)
    summary = _text(_("summary"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for dimension in Dimension:
            self.fields[f"score_{dimension.value}"] = forms.IntegerField(
                label=format_label(dimension.label, _("score (0–100)")), min_value=0, max_value=100)
            self.fields[f"score_{dimension.value}"].widget.attrs["class"] = "form-control"
            self.fields[f"evidence_{dimension.value}"] = limit_field(forms.CharField(
                label=format_label(dimension.label, _("evidence")), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})),
                limits.LONG_TEXT)

    def scores(self) -> dict:
        return {d.value: (self.cleaned_data[f"score_{d.value}"], self.cleaned_data[f"evidence_{d.value}"]) for d in Dimension}


def format_label(dimension, part):
    from django.utils.text import format_lazy

    return format_lazy("{} · {}", dimension, part)


class ImprovementForm(BureauForm):
    dimension = forms.ChoiceField(label=_("dimension"), choices=Dimension.choices)
    description = _text(_("improvement action"))
    owner_unit = forms.ModelChoiceField(label=_("owner unit"), queryset=Unit.objects.none())
    deadline = forms.DateField(label=_("deadline"), widget=DATE, help_text=_("Due by 24:00 of this day."))


class CourseForm(BootstrapFormMixin, forms.Form):
    title = _line(_("title"))
    topic = _line(_("topic"), limit=100, help_text=_("What it trains for, e.g. 食品安全事故处置"))
    date = forms.DateField(label=_("date"), widget=DATE)
    hours = forms.DecimalField(label=_("hours"), min_value=0.5, max_value=200, max_digits=4, decimal_places=1)


class AttendanceForm(BureauForm):
    user = forms.ModelChoiceField(label=_("person"), queryset=User.objects.none())
    result = forms.ChoiceField(label=_("result"), choices=Attendance.Result.choices)
    score = forms.IntegerField(label=_("score"), required=False, min_value=0, max_value=100)
