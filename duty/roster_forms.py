"""Forms of the roster pages: a shift, a handover, an Excel import. They check shapes and lengths;
the rules (who, overlap, frozen shifts) are duty.roster's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common import limits
from common.timebounds import validate_planned
from duty.models.roster import NOTE_LENGTH
from emergency.forms import BootstrapFormMixin

FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
# An .xlsx roster of a year of shifts is a few tens of KB; anything far larger is not a roster.
IMPORT_MAX_BYTES = 2 * 1024 * 1024


def _when(label):
    return forms.DateTimeField(label=label, input_formats=FORMATS, validators=[validate_planned],
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class ShiftForm(BootstrapFormMixin, forms.Form):
    starts_at = _when(_("starts at"))
    ends_at = _when(_("ends at"))
    leader = forms.ModelChoiceField(label=_("leader on duty (带班领导)"), queryset=None, required=False)
    staff = forms.ModelMultipleChoiceField(label=_("staff on duty (值班员)"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    is_holiday = forms.BooleanField(label=_("holiday duty (节假日值班)"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=NOTE_LENGTH,
                           help_text=limits.limit_help(NOTE_LENGTH))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = people
        self.fields["staff"].queryset = people
        self.fields["leader"].label_from_instance = self.fields["staff"].label_from_instance = lambda u: u.display_name


class HandoverForm(BootstrapFormMixin, forms.Form):
    open_items = forms.CharField(label=_("what is open"), max_length=limits.LONG_TEXT,
                                 widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text=limits.limit_help(limits.LONG_TEXT, _(
                                     "Calls to return, incidents being followed, reports owed, anything the next shift must know.")))


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("roster (.xlsx)"), help_text=_(
        "The columns of the export: number (empty for a new shift), start, end, leader on duty, staff on duty, holiday duty, note."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB: a roster is far smaller.") % {
                "mb": IMPORT_MAX_BYTES // (1024 * 1024)})
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."))
        return upload
