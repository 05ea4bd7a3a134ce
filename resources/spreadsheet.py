"""Excel import and export of the inventory (issue 15). The export's columns are the import's, so
an exported file edited and imported back adds its lines (the import only adds items).

Import is all-or-nothing: every row is checked and created inside one transaction; if any row is
wrong nothing is kept, and each error names its row (as Excel numbers it) and its column."""

import datetime
import zipfile
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy
from openpyxl import load_workbook

from common import xlsx
from resources import services
from resources.forms import bureau_units
from resources.models import ReservePoint, Resource

# (column header, field), in the order of the columns.
COLUMNS = [
    (gettext_lazy("name"), "name"),
    (gettext_lazy("resource category"), "category"),
    (gettext_lazy("model or specification"), "spec"),
    (gettext_lazy("quantity"), "quantity"),
    (gettext_lazy("unit of measure"), "unit_of_measure"),
    (gettext_lazy("owner unit"), "owner_unit"),
    (gettext_lazy("reserve point"), "reserve_point"),
    (gettext_lazy("status"), "status"),
    (gettext_lazy("last checked at"), "last_checked_at"),
    (gettext_lazy("check every (days)"), "check_interval_days"),
    (gettext_lazy("note"), "note"),
]
MAX_ROWS = 5000


def export(resources):
    """An .xlsx of `resources` (an ordered queryset, owner unit and reserve point selected), one row
    each, streamed (common.xlsx)."""
    book = xlsx.streaming_workbook()
    sheet = book.create_sheet(title=str(_("Emergency resources"))[:31])
    xlsx.append(sheet, [str(label) for label, _field in COLUMNS] + [_("dispatched quantity"), _("next check due")])
    for r in resources.iterator(chunk_size=500):
        xlsx.append(sheet, [r.name, r.get_category_display(), r.spec, r.quantity, r.unit_of_measure,
                            r.owner_unit.display_name, r.reserve_point.name, r.get_status_display(), r.last_checked_at,
                            r.check_interval_days, r.note, r.dispatched_quantity, r.next_check_due])
    return xlsx.stream(book, f"resources-{timezone.localdate():%Y%m%d}.xlsx")


def _choices(choices) -> dict:
    """Each value of a TextChoices by its code, its Chinese label and its English label."""
    found = {}
    for value, label in choices:
        found[value.lower()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                found[str(label).strip().lower()] = value
    return found


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class RowError(Exception):
    def __init__(self, column, message):
        super().__init__(message)
        self.column, self.message = column, message


def _parse(row, lookups) -> dict:
    cells = dict(zip([f for _label, f in COLUMNS], list(row) + [None] * len(COLUMNS)))
    labels = {f: str(label) for label, f in COLUMNS}
    fields = {}
    for key in ("name", "spec", "unit_of_measure", "note"):
        fields[key] = _text(cells[key])
    for key in ("name", "unit_of_measure"):
        if not fields[key]:
            raise RowError(labels[key], _("This field is required."))
    for key, table in (("category", "categories"), ("status", "statuses")):
        text = _text(cells[key]).lower()
        if not text and key == "status":
            fields[key] = Resource.Status.READY
            continue
        if text not in lookups[table]:
            raise RowError(labels[key], _("“%(value)s” is not one of the choices.") % {"value": _text(cells[key])})
        fields[key] = lookups[table][text]
    try:
        fields["quantity"] = Decimal(_text(cells["quantity"]))
    except InvalidOperation:
        raise RowError(labels["quantity"], _("Enter a number greater than 0.")) from None
    if not fields["quantity"].is_finite() or fields["quantity"] <= 0:
        raise RowError(labels["quantity"], _("Enter a number greater than 0."))
    for key, table in (("owner_unit", "units"), ("reserve_point", "points")):
        text = _text(cells[key])
        if text not in lookups[table]:
            raise RowError(labels[key], _("“%(value)s” is not found in this bureau.") % {"value": text})
        fields[key] = lookups[table][text]
    checked = cells["last_checked_at"]
    if checked in (None, ""):
        fields["last_checked_at"] = None
    elif isinstance(checked, datetime.datetime):
        fields["last_checked_at"] = timezone.make_aware(checked) if timezone.is_naive(checked) else checked
    elif isinstance(checked, datetime.date):
        fields["last_checked_at"] = timezone.make_aware(datetime.datetime.combine(checked, datetime.time(9)))
    else:
        try:
            day = datetime.date.fromisoformat(_text(checked)[:10])
        except ValueError:
            raise RowError(labels["last_checked_at"], _("Enter a date such as 2026-11-30.")) from None
        fields["last_checked_at"] = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    interval = _text(cells["check_interval_days"])
    if interval:
        if not interval.removesuffix(".0").isdigit() or not 1 <= int(interval.removesuffix(".0")) <= 3650:
            raise RowError(labels["check_interval_days"], _("Enter a whole number of days from 1 to 3650."))
        fields["check_interval_days"] = int(interval.removesuffix(".0"))
    return fields


def import_resources(*, actor, bureau, file) -> tuple[int, list[str]]:
    """Add the items of an .xlsx (first sheet; first row the header; columns as COLUMNS) to `bureau`'s
    inventory, each through services.resource_create. Returns (items added, errors): with any
    error, nothing is added, and each error reads "第3行 数量：…" in the reader's language.
    PermissionDenied unless the actor keeps the bureau's inventory."""
    services.check_manage(actor, bureau)
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return 0, [_("The file is not an Excel workbook (.xlsx) that can be read.")]
    sheet = book.worksheets[0]
    lookups = {
        "categories": _choices(Resource.Category.choices),
        "statuses": _choices([(s.value, s.label) for s in (Resource.Status.READY, Resource.Status.MAINTENANCE)]),
        "units": {name: u for u in bureau_units(bureau) for name in (u.code, u.name, u.name_en) if name},
        "points": {p.name: p for p in ReservePoint.objects.filter(bureau=bureau, is_active=True)},
    }
    errors, added = [], 0
    with transaction.atomic():
        for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            if all(_text(cell) == "" for cell in row):
                continue
            if number > MAX_ROWS + 1:
                errors.append(_("At most %(count)s rows are imported at once.") % {"count": MAX_ROWS})
                break
            try:
                services.resource_create(actor=actor, bureau=bureau, **_parse(row, lookups))
                added += 1
            except RowError as exc:
                errors.append(_("Row %(row)s, %(column)s: %(error)s") % {"row": number, "column": exc.column, "error": exc.message})
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    column = next((str(label) for label, f in COLUMNS if f == field), field)
                    errors.append(_("Row %(row)s, %(column)s: %(error)s") % {"row": number, "column": column,
                                                                             "error": " ".join(messages)})
        if errors:
            transaction.set_rollback(True)
            return 0, errors
    if added == 0:
        return 0, [_("The file has no rows to import.")]
    return added, []
