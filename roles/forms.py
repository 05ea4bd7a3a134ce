from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from common import limits
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

    def __init__(self, *args, can_set_webhook: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_set_webhook:  # a station's own staff: the office sets where the worker posts
            del self.fields["robot_webhook_url"]


class ContactForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits.limit_field(self.fields["notes"], limits.LONG_TEXT)  # a TextField: bounded here


class DelegationForm(BootstrapFormMixin, forms.Form):
    acting = forms.ModelChoiceField(label=_("acting leader"), queryset=User.objects.none())
    starts_at = forms.DateTimeField(label=_("from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[validate_planned])
    ends_at = forms.DateTimeField(label=_("until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[validate_planned])
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=limits.REASON,
                             help_text=limits.limit_help(limits.REASON))

    def __init__(self, *args, leader, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acting"].queryset = (
            User.objects.filter(memberships__unit__kind=Unit.Kind.LEADING_GROUP, is_active=True).exclude(pk=leader.pk).distinct()
        )


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    """Django's own form (old password, new password twice, AUTH_PASSWORD_VALIDATORS) in the portal's look."""
