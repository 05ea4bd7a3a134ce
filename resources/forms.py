"""Forms of the inventory pages. They check the shape of the input; the services check the rest
(who may, same bureau) and their errors are put back on the fields."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common import limits
from emergency.forms import BootstrapFormMixin
from resources.models import ReservePoint, Resource, ResourceCheck, SupplyAgreement
from roles.models import Unit

def bureau_units(bureau: Unit):
    """The active units of a bureau that may own resources: its sections and stations, its leading
    group and that group's office (one level further down)."""
    return Unit.objects.filter(Q(parent=bureau) | Q(parent__parent=bureau), is_active=True).order_by("kind", "number", "pk")


MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # an inventory of a few thousand lines is far smaller


class ResourceForm(BootstrapFormMixin, forms.ModelForm):
    status = forms.ChoiceField(label=_("status"), choices=[(s.value, s.label) for s in
                                                           (Resource.Status.READY, Resource.Status.MAINTENANCE)])
    check_interval_days = forms.IntegerField(label=_("check every (days)"), min_value=1, max_value=3650, required=False,
                                             help_text=_("Empty: the category's usual interval."))

    class Meta:
        model = Resource
        fields = ["category", "name", "spec", "quantity", "unit_of_measure", "owner_unit", "reserve_point", "status",
                  "last_checked_at", "check_interval_days", "note"]
        widgets = {"last_checked_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, bureau: Unit, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = bureau_units(bureau)
        self.fields["reserve_point"].queryset = ReservePoint.objects.filter(bureau=bureau, is_active=True)
        self.fields["quantity"].min_value = Decimal("0.01")
        limits.limit_field(self.fields["note"], limits.LONG_TEXT)
        if editing:  # the last check is recorded by a check, not typed over
            del self.fields["last_checked_at"]


class CheckForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ResourceCheck
        fields = ["result", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_field(self.fields["note"], limits.LONG_TEXT)
        self.fields["note"].widget.attrs["rows"] = 2


class ReservePointForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ReservePoint
        fields = ["name", "address", "latitude", "longitude", "keeper", "phone", "is_active"]


class AgreementForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SupplyAgreement
        fields = ["company", "contact", "phone", "goods", "quantity", "valid_from", "valid_until", "note"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_field(self.fields["note"], limits.LONG_TEXT)

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", _("The end of validity comes before its start."))
        return data


class DispatchForm(BootstrapFormMixin, forms.Form):
    incident = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(label=_("quantity"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an .xlsx file (Excel 2007 or later)."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class ResourceFilterForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("resource category"), required=False, choices=[("", _("all"))] + Resource.Category.choices)
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("all"))] + Resource.Status.choices)
    point = forms.ModelChoiceField(label=_("reserve point"), required=False, queryset=ReservePoint.objects.none())
    owner = forms.ModelChoiceField(label=_("owner unit"), required=False, queryset=Unit.objects.none())

    def __init__(self, *args, points, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points
        self.fields["owner"].queryset = owners

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data, found = self.cleaned_data, {}
        if data.get("category"):
            found["category"] = data["category"]
        if data.get("status"):
            found["status"] = data["status"]
        if data.get("point"):
            found["reserve_point"] = data["point"]
        if data.get("owner"):
            found["owner_unit"] = data["owner"]
        return found
