"""Text derived from what people typed, built to fit where it is stored or sent.

A notification title is a label: it is stored in a 200-character column and becomes an email
subject, which must be one line (Django raises BadHeaderError on CR or LF). The parts that
people typed (an incident's title, a unit's name) can be as long as their own columns allow, so
the label is built around them: the typed part is shortened with an ellipsis, the fixed words
and the due time stay. Content (a report, a notification's body) is not a label and is kept as
typed, in TextFields.
"""

import unicodedata

ELLIPSIS = "…"

# Unicode's line and paragraph separators and the C0/C1 controls (LF, CR, vertical tab, form
# feed, NEL …): each starts a new line for some mail client, spreadsheet or header parser.
_BREAKING_CATEGORIES = {"Cc", "Zl", "Zp"}


def single_line(text) -> str:
    """`text` (any value; None is "") as one line: every control character and line or paragraph
    separator becomes a space, runs of whitespace shrink to one space, ends are stripped."""
    if text is None:
        return ""
    cleaned = "".join(" " if unicodedata.category(ch) in _BREAKING_CATEGORIES else ch for ch in str(text))
    return " ".join(cleaned.split())


def field(name: str, value) -> str:
    """One "name: value" line of a generated text: in Chinese with the full-width colon and no space
    (标题：…, GB/T 15834 and official documents), in English "name: value". By the active language."""
    from django.utils.translation import get_language

    return f"{name}：{value}" if (get_language() or "").startswith("zh") else f"{name}: {value}"


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when it was cut. limit ≥ 1."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def label(template: str, values: dict, *, limit: int, shrink: str) -> str:
    """A one-line label of at most `limit` characters: `template % values`, every value made
    single-line, and when too long the value named `shrink` (the typed part, e.g. the incident)
    shortened with an ellipsis so that the template's own words stay whole. If the rest alone is
    still too long, the whole is cut at the end.

    label("%(unit)s filed a report on %(incident)s", {"unit": u, "incident": t}, limit=200,
          shrink="incident") → str, len ≤ 200, no CR/LF. Raises KeyError if `shrink` is not in values."""
    values = {key: single_line(value) for key, value in values.items()}
    text = single_line(template % values)
    excess = len(text) - limit
    if excess > 0:
        typed = values[shrink]
        room = len(typed) - excess
        values[shrink] = truncate(typed, room) if room >= 1 else ELLIPSIS
        text = single_line(template % values)
    return truncate(text, limit)
