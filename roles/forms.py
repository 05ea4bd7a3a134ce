from django import forms
from django.utils.translation import gettext_lazy as _

from common.timebounds import validate_planned
from emergency.forms import BootstrapFormMixin
from roles.models import Contact, Unit, User
from roles.services import CONTACT_FIELDS, UNIT_CONTACT_FIELDS


class UnitContactsForm(BootstrapFormMixin, forms.ModelForm):
    robot_webhook_url = forms.URLField(
        label=_("group robot webhook"), required=False, assume_scheme="https",
        help_text=_("The WeCom or DingTalk group robot that receives this unit's deadline reminders."),
    )

    class Meta:
        model = Unit
        fields = UNIT_CONTACT_FIELDS


class ContactForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS


class DelegationForm(BootstrapFormMixin, forms.Form):
    acting = forms.ModelChoiceField(label=_("acting leader"), queryset=User.objects.none())
    starts_at = forms.DateTimeField(label=_("from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[validate_planned])
    ends_at = forms.DateTimeField(label=_("until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[validate_planned])
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, leader, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acting"].queryset = (
            User.objects.filter(memberships__unit__kind=Unit.Kind.LEADING_GROUP, is_active=True).exclude(pk=leader.pk).distinct()
        )
