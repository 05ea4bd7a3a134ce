"""How much text a person may type into each kind of field, stated in the form and enforced by
the form and the API alike (the columns are TextFields, unbounded in PostgreSQL).

Why these figures: an official report page (GB/T 9704, 22 lines of 28 characters) holds about
600 Chinese characters.
- REPORT_BODY, 20,000 characters (about 33 pages): the body of a 续报, 终报 or after-action report.
  The longest real report the plan asks for (the written final report, 三(四)) runs to a few
  pages; 20,000 leaves room for tables pasted as text and still renders as a PDF in well under a
  worker's time limit (bench/pdf.py, docs/benchmarks.md).
- LONG_TEXT, 5,000 characters (about 8 pages): one part of a record: what happened, scope, trend,
  measures taken, a summary, a measure's note, each section of the after-action assessment. The
  first report is built from four of these and short fields (about 20,600 at most).
- REASON, 1,000 characters: why something was done (a correction, a merge, a level change, a
  waived deadline, a delegation), shown in the timeline as one entry.
"""

from django.core.validators import MaxLengthValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

REPORT_BODY = 20_000
LONG_TEXT = 5_000
REASON = 1_000


def limit_help(limit: int, help_text="") -> str:
    """The field's help text followed by "At most N characters." (lazy: translated when shown)."""
    at_most = format_lazy(_("At most {limit} characters."), limit=limit)
    return format_lazy("{} {}", help_text, at_most) if help_text else at_most


def limit_field(field, limit: int):
    """Bound a Django form CharField (also one a ModelForm made from a TextField) to `limit`
    characters: the server's check (MaxLengthValidator, with Django's own translated message),
    the browser's maxlength, and the help text. Returns the field."""
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)
    field.help_text = limit_help(limit, field.help_text)
    return field
