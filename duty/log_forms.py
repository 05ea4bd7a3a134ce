"""The duty log's browser forms. They only parse and check input; duty.log decides and changes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common import limits
from common.timebounds import validate_happened
from duty.log import LOG_FIELDS, TEXT_LIMITS
from duty.models import DutyLogEntry
from emergency.forms import BootstrapFormMixin
from incidents.forms import DATETIME_FORMAT, DateTimeInput
from incidents.models import Category, Incident, Level
from roles.models import Unit


class DutyLogForm(BootstrapFormMixin, forms.ModelForm):
    """A call or message as the person on duty types it in, on a phone as well as at the desk."""

    bureau = forms.ModelChoiceField(label=_("bureau"), queryset=Unit.objects.none(), required=False)

    class Meta:
        model = DutyLogEntry
        fields = ["bureau", *LOG_FIELDS]
        widgets = {
            "event_time": DateTimeInput(),
            "caller_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            **{name: forms.Textarea(attrs={"rows": 3 if name == "event_course" else 2}) for name in TEXT_LIMITS},
        }

    def __init__(self, *args, bureaus, **kwargs):
        super().__init__(*args, **kwargs)
        if len(bureaus) > 1:  # someone on duty for several bureaus says which one the call was for
            self.fields["bureau"].queryset = Unit.objects.filter(pk__in=[b.pk for b in bureaus])
            self.fields["bureau"].required = True
        else:
            del self.fields["bureau"]
        self.fields["event_time"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        self.fields["event_time"].validators.append(validate_happened)  # 2000 … now + 10 minutes
        for name, limit in TEXT_LIMITS.items():  # TextFields: unbounded columns, bounded here and in the API
            limits.limit_field(self.fields[name], limit)

    def log_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in LOG_FIELDS if name in self.cleaned_data}


class RegisterForm(BootstrapFormMixin, forms.Form):
    """登记为突发事件并指派监管所: the fields the log does not hold; the rest is carried over."""

    station = forms.ModelChoiceField(label=_("station"), queryset=Unit.objects.none())
    category = forms.ModelChoiceField(label=_("category"), queryset=Category.objects.all())
    title = forms.CharField(label=_("title"), max_length=Incident._meta.get_field("title").max_length)
    proposed_level = forms.TypedChoiceField(
        label=_("proposed level"), required=False, coerce=int, empty_value=None,
        choices=[("", _("not yet known (the strictest limit applies)")), *Level.choices])
    nature = forms.CharField(label=_("nature"), required=False, max_length=Incident._meta.get_field("nature").max_length,
                             help_text=_("e.g. food poisoning, price gouging"))

    def __init__(self, *args, entry: DutyLogEntry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = Unit.objects.filter(kind=Unit.Kind.STATION, is_active=True,
                                                              parent=entry.bureau).order_by("number", "code")
        self.fields["title"].initial = entry.subject


class CloseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=limits.REASON,
                             help_text=limits.limit_help(limits.REASON, _("e.g. not an incident; referred to the county health commission")))


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("all")), *DutyLogEntry.Status.choices])
