"""API tokens that expire (API_TOKEN_HOURS) and die at logout; see roles.signin for the why.

Kept apart from roles.signin (views) because DRF imports the authentication classes while its
own views module is still loading.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token):
    return token.created + timedelta(hours=settings.API_TOKEN_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token, refused (and deleted) once older than API_TOKEN_HOURS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token) <= timezone.now():
            token.delete()
            raise exceptions.AuthenticationFailed(_("The token has expired; request a new one at /api/token/."))
        return user, token


@receiver(user_logged_out, dispatch_uid="roles.signin.token_dies_at_logout")
def _token_dies_at_logout(sender, request, user, **kwargs):
    """Logging out of the pages logs the person's API client out too: one token per user in DRF."""
    if user is not None:
        Token.objects.filter(user=user).delete()
