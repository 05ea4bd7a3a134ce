from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext as _

from incidents.services import InvalidTransition


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, with its BREACH mitigation (random padding; CSRF tokens are masked
    per response anyway), for what a browser loads: pages, CSS, JavaScript, SVG. Photos, PDFs, fonts
    and spreadsheets are compressed already (compressing them again costs CPU and drops
    Content-Length); the API's JSON is left as it was for its programs, which may not decode gzip."""

    TEXT_TYPES = ("text/", "application/javascript", "image/svg+xml")

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(self.TEXT_TYPES):
            return response
        return super().process_response(request, response)


class InvalidTransitionMiddleware:
    """A browser action the incident's state does not allow (someone else acted first, an old
    tab) gets a 409 page that says why, instead of a server error. The API answers its own 409."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, InvalidTransition):
            return render(request, "409.html", {"message": str(exception)}, status=409)
        return None


class ChineseFirstMiddleware:
    """Chinese unless the user chose English with the language switch (a cookie).

    Browsers' Accept-Language is ignored on purpose: the bureau works in Chinese, and a
    borrowed or English-configured machine must not turn the portal English on its own.
    Sits before django.middleware.locale.LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DraftSentMiddleware:
    """Tells static/js/drafts.js that the server accepted a form, so the draft kept on the device
    can go. Every view answers an accepted form with a redirect (post/redirect/get) and a refused
    one with the form again; so a browser form POST answered with a redirect, other than to the
    login page (an expired session: nothing was saved), sets a short-lived cookie naming the user
    and the path posted to. The script reads it on the next page, deletes that draft and the cookie."""

    COOKIE = "draft_sent"
    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.method == "POST" and response.status_code in (301, 302, 303)
                and request.content_type in self.FORM_TYPES and request.user.is_authenticated
                and urlsplit(response.get("Location", "")).path != resolve_url(settings.LOGIN_URL)):
            response.set_cookie(self.COOKIE, quote(f"{request.user.pk}:{request.path}", safe=""), max_age=300,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE, httponly=False)
        return response


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is too large before anything reads it: 413, as JSON
    ``{"detail": …}`` under /api/ (api.md) and as a page elsewhere.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE guards form bodies only when they are parsed, and DRF reads
    JSON straight from the stream without it; so the rule is applied here, once, to every door:
    a multipart body (files) may hold REQUEST_MAX_MB MiB, any other body DATA_UPLOAD_MAX_MEMORY_SIZE
    bytes. The proxy in front enforces the larger limit too (docker-compose.yml). A body with no
    Content-Length is not read by Django at all (WSGI), so it needs no rule here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.REQUEST_MAX_MB * 1024 * 1024 if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            message = _("The request is too large: at most %(limit)s MB may be sent at once.") % {
                "limit": round(limit / 1024 / 1024, 1)}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return render(request, "413.html", {"message": message}, status=413)
        return self.get_response(request)
