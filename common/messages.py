"""What the system writes itself, kept as a key and parameters and rendered in the reader's
language when read (issue 12 item 5).

A waiver's reason, a notification, a measure cancelled by the end, a timeline note the portal
makes: stored as text they stay in the language of whoever happened to trigger them. So each is
stored as `key` + `params` (JSON) and rendered with gettext at read time; the text column keeps
the portal's language (Chinese) for readers that take text (the API, exports of old rows, mail).
Rows from before keep their stored text: with no key, `render` gives the fallback.

Messages are defined where they are used, `define("waiver.ended", gettext_noop("…"))`, so the
translation catalog finds them. A parameter is a plain value (typed text, a number: shown as is)
or a typed value the reader's language changes, a one-key dict: {"name": ["城关…", "Chengguan …"]}
(a unit's names, roles; `Unit.message_param`), {"unit": 5} (a unit's current name, one query),
{"time": "2026-11-20T01:00:00+00:00"} (Asia/Shanghai, "2026-11-20 09:00"), {"level": 2} (Ⅱ…),
{"choice": ["reporting.Obligation", "kind", "first_report"]} (a choice's label). Apps add types
with `register_param` (the ones below the apps are here).
"""

import logging
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from common.text import label, single_line, truncate

log = logging.getLogger(__name__)

MESSAGES: dict[str, str] = {}
PARAM_TYPES: dict[str, Callable] = {}


def define(key: str, text: str) -> str:
    """Register a message (English source, marked with gettext_noop) under `key`; returns the key."""
    if MESSAGES.get(key, text) != text:
        raise ValueError(f"message key {key!r} defined twice with different texts")
    MESSAGES[key] = text
    return key


def register_param(kind: str, resolve: Callable) -> None:
    """A typed parameter {kind: value}: `resolve(value)` gives its text in the active language."""
    PARAM_TYPES[kind] = resolve


def _unit(pk):
    unit = apps.get_model("roles", "Unit").objects.filter(pk=pk).first()
    return unit.display_name if unit else "—"


def _time(value):
    moment = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _choice(value):
    model, field, stored = value
    choices = dict(apps.get_model(model)._meta.get_field(field).flatchoices)
    return str(choices.get(stored, stored))


register_param("unit", _unit)
register_param("time", _time)
register_param("choice", _choice)


def resolve(value):
    if isinstance(value, dict) and len(value) == 1:
        (kind, raw), = value.items()
        if kind in PARAM_TYPES:
            return PARAM_TYPES[kind](raw)
    return value


def render(key: str, params: dict | None = None, fallback: str = "", *, limit: int | None = None,
           shrink: str = "") -> str:
    """The message `key` in the active language with its parameters; `fallback` (the stored text)
    for a row without a key, or one whose key or parameters no longer fit (logged). With `limit`:
    a one-line label of at most `limit` characters, the parameter `shrink` (typed text) shortened
    first (common.text.label)."""
    if not key:
        return fallback
    text = MESSAGES.get(key)
    if text is None:
        log.warning("unknown message key %r", key)
        return fallback
    try:
        values = {name: resolve(value) for name, value in (params or {}).items()}
        if limit is None:
            return gettext(text) % values
        if shrink in values:
            return label(gettext(text), values, limit=limit, shrink=shrink)
        return truncate(single_line(gettext(text) % values), limit)
    except (KeyError, TypeError, ValueError):
        log.warning("message %r does not fit its parameters %r", key, params, exc_info=True)
        return fallback


def stored(key: str, params: dict | None = None, **fit) -> str:
    """The text kept beside the key: the message in the portal's language (Chinese). `fit`: as render's."""
    with translation.override(settings.LANGUAGE_CODE):
        return render(key, params, **fit)
