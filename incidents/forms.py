"""Browser forms. They only parse and check input; the services decide and change."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common import limits
from common.filters import parse_id
from common.timebounds import validate_happened, validate_planned
from emergency.forms import BootstrapFormMixin
from incidents.attachments import ACCEPT, check_upload
from incidents.models import Category, Incident, Level, LevelPolicy, Measure
from incidents.services import INTAKE_FIELDS, REQUIRED_TO_SUBMIT
from roles.models import Unit, User

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
INTAKE_TEXT_FIELDS = ["description", "scope", "trend", "measures_taken"]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several photos or documents at once, each checked on the server (size and real type)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        for upload in files:
            check_upload(upload)
        return list(files)


def level_choices_with_criteria():
    """Each level with the plan's criteria (三(一)) beside it, from the level policy."""
    criteria = dict(LevelPolicy.objects.values_list("level", "criteria"))
    return [(value, label, criteria.get(value, "")) for value, label in Level.choices]


class IncidentForm(BootstrapFormMixin, forms.ModelForm):
    station = forms.ModelChoiceField(label=_("station"), queryset=Unit.objects.none(), required=False)
    files = FilesField(label=_("photos and documents"))

    class Meta:
        model = Incident
        fields = ["station", *INTAKE_FIELDS]
        widgets = {
            "occurred_at": DateTimeInput(),
            "discovered_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "scope": forms.Textarea(attrs={"rows": 2}),
            "trend": forms.Textarea(attrs={"rows": 2}),
            "measures_taken": forms.Textarea(attrs={"rows": 3}),
            "proposed_level": forms.RadioSelect(),
            "reporter_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        }
        help_texts = {
            "occurred_at": _("The first report is due within 1 hour of the incident (plan 三(二))."),
            "proposed_level": _("Your proposal; the leading group decides the level."),
            "location": _("Address, as precise as you can."),
        }

    def __init__(self, *args, user, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.select_related("section")
        self.fields["proposed_level"].choices = [(v, label) for v, label in Level.choices]
        self.fields["station"].queryset = stations
        if stations.count() == 1:
            self.fields["station"].initial = stations.first()
        if self.instance.pk:
            del self.fields["station"]  # a filed incident stays with its station
        for name in ("occurred_at", "discovered_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
            self.fields[name].validators.append(validate_happened)  # 2000 … now + 10 minutes
        self.level_criteria = level_choices_with_criteria()
        for name in INTAKE_TEXT_FIELDS:  # TextFields: unbounded columns, bounded here and in the API
            limits.limit_field(self.fields[name], limits.LONG_TEXT)
        # Needed for the first report but not for a draft: the label carries the required mark
        # (incidents/partials/field.html), the field no `required` attribute (a draft saves half-filled).
        for name in REQUIRED_TO_SUBMIT:
            self.fields[name].needed_to_submit = True
        # The setting can change per deployment: the limit is read when the form is drawn.
        self.fields["files"].help_text = gettext("Photos, PDF or office documents; each at most %(limit)s MB.") % {
            "limit": settings.ATTACHMENT_MAX_MB}
        if not self.instance.pk:  # a new incident: the one filing it usually reports it
            self.fields["reporter_name"].initial = user.display_name
            self.fields["reporter_position"].initial = user.position
            self.fields["reporter_phone"].initial = user.phone

    def clean_station(self):
        station = self.cleaned_data.get("station")
        stations = self.fields["station"].queryset
        if station is None and stations.count() == 1:
            return stations.first()  # a station's own staff need not choose
        return station

    def intake_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in INTAKE_FIELDS if name in self.cleaned_data}


class MessageForm(BootstrapFormMixin, forms.Form):
    message = forms.CharField(label=_("message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.LONG_TEXT,
                              help_text=limits.limit_help(limits.LONG_TEXT))


class SupplementForm(MessageForm):
    files = FilesField(label=_("photos and documents"))


class SummaryForm(BootstrapFormMixin, forms.Form):
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 4}), max_length=limits.LONG_TEXT,
                              help_text=limits.limit_help(limits.LONG_TEXT))


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=limits.REASON,
                             help_text=limits.limit_help(limits.REASON))


class VerifyForm(SummaryForm):
    accept_discovery_reason = forms.CharField(
        label=_("accept the discovery time as the start of the first-report clock, because"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only where the station learned of it later than it occurred. Leave empty to count from occurrence, as the plan does."))


class ApproveEndForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectForm(ReasonForm):
    category = forms.ModelChoiceField(label=_("category"), queryset=Category.objects.all(), required=False)
    proposed_level = forms.TypedChoiceField(label=_("proposed level"), choices=[("", "—"), *Level.choices],
                                            coerce=int, empty_value=None, required=False)


# "2026-00012" (Incident.reference: year of filing, id) or a bare id "12".
REFERENCE_RE = re.compile(r"^(?:(\d{4})-)?(\d{1,10})$")


class IncidentReferenceField(forms.ModelChoiceField):
    """An incident typed by its reference (2026-00012) or id, among the field's queryset: a text box,
    not a list of every candidate (a province has thousands). Anything else, or an incident outside
    the queryset or of another year, is refused with the usual "select a valid choice" message."""

    widget = forms.TextInput(attrs={"placeholder": "2026-00012", "inputmode": "numeric"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        match = REFERENCE_RE.match(str(value).strip())
        pk = parse_id(match.group(2)) if match else None
        incident = self.queryset.filter(pk=pk).first() if pk is not None else None
        if incident is None or (match.group(1) and incident.reference.split("-")[0] != match.group(1)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return incident

    def prepare_value(self, value):
        return value.reference if isinstance(value, Incident) else value


class MergeForm(ReasonForm):
    into = IncidentReferenceField(label=_("merge into"), queryset=Incident.objects.none(),
                                  help_text=_("The reference of the incident to keep, e.g. 2026-00012."))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = candidates


class LevelForm(ReasonForm):
    level = forms.TypedChoiceField(label=_("level"), choices=Level.choices, coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False  # the service asks for it where the plan needs one
        self.level_criteria = level_choices_with_criteria()


class ActivateForm(LevelForm):
    form_hq = forms.BooleanField(label=_("form a command HQ (optional at level Ⅳ)"), required=False)


# Notes that apps above this one put next to a person offered in a form when the HQ drafts its staff
# (readiness: what the person was trained for): callables (users queryset) → {user id: note}. Filled
# in their AppConfig.ready; read once per field, only when its choices are drawn.
PERSON_NOTES = []


def note_people(field) -> None:
    """Label each person of a ModelChoiceField with the PERSON_NOTES, e.g. "张三 · 食品安全事故处置"."""
    notes: dict = {}
    loaded = []

    def label(user):
        if not loaded:
            loaded.append(True)
            for source in PERSON_NOTES:
                for user_id, note in source(field.queryset).items():
                    notes[user_id] = f"{notes[user_id]}; {note}" if user_id in notes else note
        note = notes.get(user.pk)
        return f"{user} · {note}" if note else str(user)

    field.label_from_instance = label


class HQForm(BootstrapFormMixin, forms.Form):
    commander = forms.ModelChoiceField(label=_("commander"), queryset=User.objects.none())
    lead_section = forms.ModelChoiceField(label=_("lead section (hosts the emergency office)"),
                                          queryset=Unit.objects.filter(kind=Unit.Kind.SECTION, is_active=True))
    member_sections = forms.ModelMultipleChoiceField(label=_("member sections"), required=False,
                                                     queryset=Unit.objects.filter(kind=Unit.Kind.SECTION, is_active=True),
                                                     widget=forms.CheckboxSelectMultiple)
    stations = forms.ModelMultipleChoiceField(label=_("stations involved"), required=False,
                                              queryset=Unit.objects.filter(kind=Unit.Kind.STATION, is_active=True),
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commander"].queryset = User.objects.filter(
            memberships__unit__kind=Unit.Kind.LEADING_GROUP, is_active=True
        ).distinct()
        note_people(self.fields["commander"])


class MeasureAddForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("task"), max_length=200)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  max_length=limits.LONG_TEXT, help_text=limits.limit_help(limits.LONG_TEXT))
    owner_unit = forms.ModelChoiceField(label=_("owner unit"), queryset=Unit.objects.filter(
        kind__in=[Unit.Kind.SECTION, Unit.Kind.STATION], is_active=True))
    due_at = forms.DateTimeField(label=_("due at"), required=False, widget=DateTimeInput(),
                                 input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"], validators=[validate_planned])


class MeasureUpdateForm(BootstrapFormMixin, forms.Form):
    measure = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("result"), choices=[(Measure.Status.DONE, _("done")),
                                                           (Measure.Status.CANCELLED, _("cancelled"))])
    completion_note = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 2}),
                                      max_length=limits.LONG_TEXT, help_text=limits.limit_help(limits.LONG_TEXT))
    files = FilesField(label=_("photos and documents"))


class EndForm(SummaryForm):
    announce = forms.BooleanField(label=_("announce the end to the public (levels Ⅰ and Ⅱ)"), required=False)


class TeamForm(BootstrapFormMixin, forms.Form):
    leader = forms.ModelChoiceField(label=_("team leader"), queryset=User.objects.filter(is_active=True, memberships__isnull=False).distinct())
    members = forms.ModelMultipleChoiceField(label=_("members"), required=False,
                                             queryset=User.objects.filter(is_active=True, memberships__isnull=False).distinct())
    experts = forms.CharField(label=_("outside experts"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=limits.LONG_TEXT, help_text=limits.limit_help(limits.LONG_TEXT))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note_people(self.fields["leader"])
        note_people(self.fields["members"])


class AfterActionForm(BootstrapFormMixin, forms.Form):
    cause = forms.CharField(label=_("cause"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.LONG_TEXT,
                          help_text=limits.limit_help(limits.LONG_TEXT))
    handling = forms.CharField(label=_("handling"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.LONG_TEXT,
                          help_text=limits.limit_help(limits.LONG_TEXT))
    follow_up = forms.CharField(label=_("follow-up"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.LONG_TEXT,
                          help_text=limits.limit_help(limits.LONG_TEXT))
    lessons = forms.CharField(label=_("lessons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.LONG_TEXT,
                          help_text=limits.limit_help(limits.LONG_TEXT))
    improvements = forms.CharField(label=_("plan improvements"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.LONG_TEXT,
                          help_text=limits.limit_help(limits.LONG_TEXT))


class AttachForm(BootstrapFormMixin, forms.Form):
    files = FilesField(label=_("photos and documents"), required=True)

