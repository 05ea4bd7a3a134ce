"""Query parameters of the reporting pages and API, parsed by django-filter (common.filters):
a bad value is a 400 with field errors on the API and ignored on a page, never a 500."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from common.filters import IdFilter, TextFilter
from common.timebounds import validate_day
from emergency.forms import BootstrapFormMixin
from incidents.models import Level
from reporting.models import Kind, Obligation


class ObligationFilter(django_filters.FilterSet):
    """GET /api/obligations/: the filter names of api.md (incident, status, kind, unit)."""

    incident = IdFilter(field_name="incident_id")
    status = django_filters.MultipleChoiceFilter(choices=Obligation.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    unit = TextFilter(field_name="owner_unit__code")

    class Meta:
        model = Obligation
        fields = ["incident", "status", "kind", "unit"]


class BoardFilter(django_filters.FilterSet):
    """The overdue board and its export: owner unit (code), kind, incident level, incident id."""

    unit = TextFilter(field_name="owner_unit__code")
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    level = django_filters.TypedChoiceFilter(field_name="incident__level", choices=Level.choices, coerce=int)
    incident = IdFilter(field_name="incident_id")

    class Meta:
        model = Obligation
        fields = ["unit", "kind", "level", "incident"]

    def selected(self) -> dict:
        """The valid values, by name (None where absent or refused), for the page's selects."""
        self.is_valid()
        return {name: self.form.cleaned_data.get(name) or None for name in self.filters}


class PeriodForm(BootstrapFormMixin, forms.Form):
    """The accountability period: two days inside the calendar window (common.timebounds), the
    start not after the end."""

    start = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_day])
    end = forms.DateField(label=_("until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}),
                          validators=[validate_day])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The period must end on or after its first day."))
        return data
