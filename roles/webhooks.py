"""Which group-robot webhook addresses the worker may post to (issue 10, kind 5: SSRF).

A unit's ``robot_webhook_url`` is typed by a person and later fetched by the worker, from inside
the bureau's network. So the address must be https, its host must be in ``ROBOT_WEBHOOK_HOSTS``
(by default the WeCom and DingTalk robot hosts), and every address the host resolves to must be
a public one: loopback, private, link-local (169.254.169.254, the cloud metadata service), shared,
multicast and reserved ranges are refused. The same check runs when the address is saved
(model field validator: admin, forms and services alike) and again right before each post
(reporting.outbound), because what a name resolves to can change after it was saved.

Name resolution goes through ``socket.getaddrinfo`` looked up at call time, so tests replace it
with monkeypatch and never ask the Internet.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every IP address ``host`` resolves to (socket.gaierror when it does not resolve)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # ::ffff:127.0.0.1 is loopback in disguise: judge the IPv4 address it carries.
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_loopback
                                      or address.is_link_local or address.is_private)


def allowed_hosts() -> set[str]:
    return {host.strip().lower().rstrip(".") for host in settings.ROBOT_WEBHOOK_HOSTS if host.strip()}


def check_webhook_url(url: str) -> None:
    """Refuse a group-robot webhook address the worker must not post to.

    ``url``: the address as typed or stored; an empty string (no robot) passes.
    Raises django.core.exceptions.ValidationError with a message in the active language when the
    scheme is not https, the address carries a user name or password, the host is not in
    settings.ROBOT_WEBHOOK_HOSTS, the host does not resolve, or any address it resolves to is
    not public (loopback, private, link-local, shared, multicast or reserved). Returns None.
    """
    if not url:
        return
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        raise ValidationError(_("This is not a valid web address."), code="invalid") from None
    if parts.scheme.lower() != "https":
        raise ValidationError(_("Only https:// addresses are accepted for group robots."), code="scheme")
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.username is not None or parts.password is not None or not host:
        raise ValidationError(_("This is not a valid web address."), code="invalid")
    if host not in allowed_hosts():
        raise ValidationError(
            _("Group robots may only be at %(hosts)s (setting ROBOT_WEBHOOK_HOSTS).")
            % {"hosts": ", ".join(sorted(allowed_hosts())) or "—"},
            code="host",
        )
    try:
        addresses = _addresses(host, port)
    except (OSError, UnicodeError, ValueError):
        raise ValidationError(_("%(host)s cannot be resolved now; try again later.") % {"host": host},
                              code="resolve") from None
    if not addresses or not all(_is_public(address) for address in addresses):
        raise ValidationError(
            _("%(host)s points to an internal network address; group robots must be on the Internet.")
            % {"host": host},
            code="internal",
        )


def webhook_target_allowed(url: str) -> bool:
    """True when the worker may post to ``url`` now (check_webhook_url passes); never raises."""
    try:
        check_webhook_url(url)
    except ValidationError:
        return False
    return bool(url)
