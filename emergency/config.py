"""Strict reading of settings from the environment.

django-environ parses URLs well but forgives bad values (``DEBUG=ture`` is quietly False).
A misread setting in a government system is worse than a refusal to start, so every value
goes through these helpers: a bad value stops the process with the variable's name and
what was expected. ``NAME_FILE`` (a Docker/Kubernetes secret) is read in place of ``NAME``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
UNSET = object()
SUPPORTED_DATABASES = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}


class Config:
    def __init__(self, environ_: Mapping[str, str]):
        self.environ = environ_

    def raw(self, name: str) -> str | None:
        file_name = self.environ.get(f"{name}_FILE")
        if file_name:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
        return self.environ.get(name)

    def str(self, name: str, default: str | object = UNSET) -> str:
        value = self.raw(name)
        if value is None or value == "":
            if default is UNSET:
                raise ImproperlyConfigured(f"{name} must be set.")
            return default  # type: ignore[return-value]
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None or value == "":
            return default
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a yes/no value; use one of "
            f"{', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}."
        )

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
        return number

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.str(name, default=default)
        if value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
        return value

    def list(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self.raw(name)
        if value is None or value.strip() == "":
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def database(self, name: str, default: dict) -> dict:
        value = self.raw(name)
        if not value:
            return default
        try:
            parsed = environ.Env.db_url_config(value)
        except Exception as exc:  # django-environ raises several kinds on garbage
            raise ImproperlyConfigured(f"{name} is not a database URL: {exc}") from exc
        if parsed.get("ENGINE") not in SUPPORTED_DATABASES:
            raise ImproperlyConfigured(f"{name} must be a postgres:// or sqlite:// URL.")
        return parsed

    def email(self, name: str, default: str) -> dict:
        value = self.raw(name) or default
        try:
            return environ.Env.email_url_config(value)
        except Exception as exc:
            raise ImproperlyConfigured(f"{name} is not an email URL: {exc}") from exc

    def url(self, name: str, schemes: tuple[str, ...]) -> str | None:
        value = self.raw(name)
        if not value:
            return None
        if not value.startswith(tuple(f"{s}://" for s in schemes)):
            raise ImproperlyConfigured(f"{name}={value!r} must start with one of {', '.join(schemes)}://.")
        return value
