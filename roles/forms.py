from django import forms

from emergency.forms import BootstrapFormMixin
from roles.models import Contact, Unit
from roles.services import CONTACT_FIELDS, UNIT_CONTACT_FIELDS


class UnitContactsForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = UNIT_CONTACT_FIELDS


class ContactForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
