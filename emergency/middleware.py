from django.shortcuts import render

from incidents.services import InvalidTransition


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
