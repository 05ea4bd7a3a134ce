"""Query parameters of the reporting pages and API, parsed by django-filter (common.filters):
a bad value is a 400 with field errors on the API and ignored on a page, never a 500."""

import re
from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.filters import IdFilter, TextFilter, parse_id
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


# "2026-00012" (Incident.reference: year of filing, id) or a bare id "12" (older bookmarks).
REFERENCE_RE = re.compile(r"^(?:(\d{4})-)?(\d{1,10})$")


class ReferenceField(forms.CharField):
    """An incident's reference as people quote it. Cleans to (year or None, id), None when empty;
    raises ValidationError ("invalid") for anything else."""

    default_error_messages = {"invalid": _("Enter an incident reference such as 2026-00012.")}

    def to_python(self, value):
        value = super().to_python(value)  # stripped text
        if value in self.empty_values:
            return None
        match = REFERENCE_RE.match(value)
        pk = parse_id(match.group(2)) if match else None
        if pk is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return (int(match.group(1)) if match.group(1) else None, pk)


class ReferenceFilter(django_filters.Filter):
    """Obligations of the incident with that reference; the year must be the incident's year of
    filing (Incident.reference: received_at, or created_at for a draft, in TIME_ZONE)."""

    field_class = ReferenceField

    def filter(self, qs, value):
        if not value:
            return qs
        year, pk = value
        qs = qs.filter(incident_id=pk)
        if year is not None:
            qs = qs.filter(Q(incident__received_at__year=year)
                           | Q(incident__received_at__isnull=True, incident__created_at__year=year))
        return qs


# The board's due windows (?due=…): each a range of due_at relative to the request's `now`
# (seconds; None: unbounded). "past" is what is already late by the server's clock, swept or not.
DUE_WINDOWS = {
    "past": (None, 0),
    "1h": (0, 3600),
    "24h": (0, 24 * 3600),
    "later": (24 * 3600, None),
}
DUE_CHOICES = [("past", _("already due")), ("1h", _("due within 1 hour")), ("24h", _("due within 24 hours")),
               ("later", _("due later than 24 hours"))]


def due_window(name: str, now) -> Q:
    """The condition on due_at of the window `name` (a key of DUE_WINDOWS) at `now` (aware datetime)."""
    after, before = DUE_WINDOWS[name]
    condition = Q()
    if after is not None:
        condition &= Q(due_at__gt=now + timedelta(seconds=after))
    if before is not None:
        condition &= Q(due_at__lte=now + timedelta(seconds=before))
    return condition


OPEN_STATUS_CHOICES = [(value, label) for value, label in Obligation.Status.choices
                       if value in (Obligation.Status.PENDING, Obligation.Status.OVERDUE)]


class BoardFilter(django_filters.FilterSet):
    """The overdue board and its export: owner unit (code), kind, incident level, status (pending,
    overdue), incident reference (2026-00012) and due window (DUE_WINDOWS, relative to `now`, an
    aware datetime given by the view so that one request uses one clock)."""

    unit = TextFilter(field_name="owner_unit__code")
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    level = django_filters.TypedChoiceFilter(field_name="incident__level", choices=Level.choices, coerce=int)
    status = django_filters.ChoiceFilter(choices=OPEN_STATUS_CHOICES)
    incident = ReferenceFilter()
    due = django_filters.ChoiceFilter(choices=DUE_CHOICES, method="filter_due")

    # What the counts at the top of the board leave out: they say how many rows each of these would show.
    COUNTED_ACROSS = ("status", "due")

    class Meta:
        model = Obligation
        fields = ["unit", "kind", "level", "status", "incident", "due"]

    def __init__(self, *args, now=None, **kwargs):
        from django.utils import timezone

        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()

    def filter_due(self, qs, name, value):
        return qs.filter(due_window(value, self.now))

    def without(self, *names) -> "BoardFilter":
        """The same filters, those named dropped (e.g. for the counts across statuses)."""
        data = self.data.copy()
        for name in names:
            data.pop(name, None)
        return type(self)(data, queryset=self.queryset, now=self.now)

    def selected(self) -> dict:
        """The valid values, by name (None where absent or refused), for the page's selects."""
        self.is_valid()
        selected = {name: self.form.cleaned_data.get(name) or None for name in self.filters}
        # What the person typed stays in the field, also when it was refused (the page says why).
        selected["incident"] = self.form.data.get("incident", "").strip() or None
        selected["incident_error"] = next(iter(self.form.errors.get("incident", [])), None)
        return selected


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
