"""Filter fields shared by the FilterSets of pages and API (django-filter): every query parameter
is parsed by one of these, so a bad value is a form error — a 400 with field errors on the API,
ignored on a page — and never reaches int(), the database or a date computation.

- IdFilter: a database id, ASCII or Unicode decimal digits, 1 … 2**31-1 (PostgreSQL integer);
- BoundedDateTimeFilter: an ISO 8601 time inside the calendar window of common.timebounds;
- TextFilter: a CharFilter with a length limit (forms.CharField already refuses NUL characters).
"""

import django_filters
from django import forms

from common.timebounds import validate_day

PG_INT_MAX = 2**31 - 1
TEXT_FILTER_MAX = 200


class IdField(forms.IntegerField):
    """An integer id. forms.IntegerField catches what int() refuses (e.g. '²', which passes
    str.isdigit()); the bounds keep the value inside a PostgreSQL integer column."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", PG_INT_MAX)
        super().__init__(**kwargs)


class IdFilter(django_filters.Filter):
    field_class = IdField


class BoundedDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time from 2000 until a year ahead (common.timebounds.validate_day)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_day])
        super().__init__(*args, **kwargs)


class TextFilter(django_filters.CharFilter):
    """Free text or a code, at most TEXT_FILTER_MAX characters, no NUL."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", TEXT_FILTER_MAX)
        super().__init__(*args, **kwargs)


def parse_id(text: str) -> int | None:
    """The id in `text` when it is a plain number of ASCII digits within PostgreSQL's integer
    range, else None (never raises)."""
    # isascii: '²' passes isdigit() but not int(); the length keeps int() off huge strings.
    if text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) <= PG_INT_MAX:
        return int(text)
    return None
