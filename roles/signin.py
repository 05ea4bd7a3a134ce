"""Signing in (issue 10, kind 7): lockout after repeated failures, API tokens that expire and die
at logout, and a throttle on the token endpoint.

- Lockout: django-axes (settings AXES_*, from LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES) counts
  failures per user name and address on the login page and on ``POST /api/token/``; both doors
  answer 429 with the same message (``lockout_response`` for pages, ``TokenView`` for the API,
  which axes' middleware cannot see: DRF wraps the request).
- Tokens: DRF's own token table (``Authorization: Token …``, api.md) with an age limit,
  API_TOKEN_HOURS. A token older than that is refused and deleted; ``POST /api/token/`` then
  issues a new one. Chosen over django-rest-knox because it keeps the contract and the table as
  they are and needs no second login view; knox's extras (several hashed tokens per user) are
  not needed by the scripts and clients that use the API.
- Logging out (the page, or ``DELETE /api/token/``) deletes the user's token.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from roles.authentication import token_expires_at


def lockout_message() -> str:
    """The sentence both doors show when axes has locked a user name at an address."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-ins for this user name from this address. Try again in %(minutes)s minutes, "
        "or ask an administrator to unlock the account."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a 429 page in the portal's layout (JSON under /api/)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(request, "registration/locked_out.html", {"message": lockout_message()}, status=429)


class TokenThrottle(SimpleRateThrottle):
    """Requests to /api/token/ per client address (API_TOKEN_THROTTLE_RATE, e.g. "20/minute"),
    on top of axes' per-user-name lockout: it slows guessing across many user names."""

    scope = "token"

    def get_rate(self):
        return settings.API_TOKEN_THROTTLE_RATE  # read per request, so tests and deployments can change it

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def token_issue(user) -> Token:
    """The user's token, a new one when the stored one has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expires_at(token) <= timezone.now():
        token.delete()
        token = Token.objects.create(user=user)
    return token


class TokenView(ObtainAuthToken):
    """``POST`` with ``username`` and ``password`` → ``{"token": "…", "expires_at": "…"}``;
    ``DELETE`` with the token → 204 and the token is gone (logging out of the API)."""

    throttle_classes = [TokenThrottle]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    def get_throttles(self):
        return [TokenThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(),
                                                   "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField(),
                                                            "expires_at": serializers.DateTimeField()})},
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # axes flags the request it was given: DRF's wrapper, which its middleware never sees.
            if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
                return Response({"detail": lockout_message()}, status=429)
            raise exceptions.ValidationError(serializer.errors)
        token = token_issue(serializer.validated_data["user"])
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
