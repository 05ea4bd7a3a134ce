"""Password validators (AUTH_PASSWORD_VALIDATORS) that speak Chinese.

Django 5.2 changed MinimumLengthValidator's message to a "%d" msgid that its zh_Hans catalog does
not translate yet, so a station user typing "demo1234" was told why in English. Same rule, our
own message.
"""

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        # No plural form: the portal asks for 10 or more, and Chinese has none.
        return gettext("This password is too short: it must contain at least %(min_length)d characters.") % {
            "min_length": self.min_length}
