"""Where to go after a POST: the `next` a page asked for, only if it stays on this site."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str, *, field: str = "next") -> str:
    """The URL in POST (else GET) `field` when it points into this site, else `fallback`
    (a URL name, path or model, as for redirect()). Refused: other hosts (https://evil.example/,
    //evil.example, /\\evil.example), other schemes (javascript:, data:), http from an https page.
    Returns a URL string; raises NoReverseMatch only for a bad `fallback`."""
    wanted = request.POST.get(field) or request.GET.get(field) or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return resolve_url(fallback)
