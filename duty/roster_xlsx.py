"""The roster as a spreadsheet (offices plan duty in Excel): roster_export writes a bureau's shifts
of a period; roster_import reads such a sheet back, all or nothing.

Columns, in this order (the first row is the heading and is skipped):
  number | start | end | leader on duty | staff on duty | holiday duty | note
- number: the shift's number in the portal (from an export); empty for a new shift. A numbered row
  changes that shift when anything differs, and leaves it alone otherwise (so a past shift, which is
  frozen, may stay in the sheet unchanged).
- start, end: Excel date-times or text "2026-12-01 08:00", in Asia/Shanghai.
- people: a person's name as the portal shows it (李静), their user name (office), or both, 李静(office),
  which the export writes when two people of the bureau share a name; staff separated by 、 , ， ; or spaces.
- holiday duty: 是/否 (yes/no, 1/0, or empty for no).
"""

import datetime
import io
import re
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from common import xlsx
from duty import roster
from duty.models import Shift
from duty.roster_selectors import bureau_people, may_plan, shifts_between
from roles.models import Unit, User

COLUMNS = [gettext_lazy("Number"), gettext_lazy("Start"), gettext_lazy("End"), gettext_lazy("Leader on duty"),
           gettext_lazy("Staff on duty"), gettext_lazy("Holiday duty"), gettext_lazy("Note")]
MAX_ROWS = 1000  # a year of three shifts a day; more is not a roster
SEPARATORS = re.compile(r"[、,，;；\s]+")
TRUE = {"是", "yes", "y", "true", "1", "√", "✓", "x"}
FALSE = {"", "否", "no", "n", "false", "0"}
WITH_USERNAME = re.compile(r"^(?P<name>.*?)[(（](?P<username>[^()（）]+)[)）]$")


def _names(people) -> dict[int, str]:
    """How the export names each person: the display name, with the user name when it is shared."""
    people = list(people)
    counts: dict[str, int] = {}
    for user in people:
        counts[user.display_name] = counts.get(user.display_name, 0) + 1
    return {u.pk: u.display_name if counts[u.display_name] == 1 else f"{u.display_name}({u.username})" for u in people}


def roster_export(*, bureau: Unit, start: datetime.datetime, end: datetime.datetime) -> "xlsx.Workbook":
    """The shifts of `bureau` overlapping [start, end) (aware) as a workbook of one sheet in the columns
    above. The caller has checked that the user reads this bureau's roster."""
    names = _names(bureau_people(bureau))
    book = xlsx.streaming_workbook()
    sheet = book.create_sheet(_("Duty roster")[:31])
    xlsx.append(sheet, COLUMNS)
    for shift in shifts_between(bureau, start, end):
        staff = sorted(shift.staff.all(), key=lambda u: (u.last_name, u.first_name, u.username))
        xlsx.append(sheet, [
            shift.pk, shift.starts_at, shift.ends_at,
            names.get(shift.leader_id, shift.leader.display_name) if shift.leader else "",
            "、".join(names.get(u.pk, u.display_name) for u in staff),
            _("yes") if shift.is_holiday else _("no"), shift.note,
        ])
    return book


class People:
    """Resolves the people named in a sheet among the bureau's people."""

    def __init__(self, bureau: Unit):
        self.people = list(bureau_people(bureau))
        self.by_username = {u.username.lower(): u for u in self.people}
        self.by_name: dict[str, list[User]] = {}
        for user in self.people:
            self.by_name.setdefault(user.display_name, []).append(user)

    def one(self, token: str) -> User:
        token = token.strip()
        match = WITH_USERNAME.match(token)
        if match and match["username"].strip().lower() in self.by_username:
            return self.by_username[match["username"].strip().lower()]
        named = self.by_name.get(token, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise ValidationError(_("“%(name)s” names several people of the bureau: write 姓名(用户名).") % {"name": token})
        if token.lower() in self.by_username:
            return self.by_username[token.lower()]
        raise ValidationError(_("“%(name)s” is not a person of this bureau.") % {"name": token})


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    # The apostrophe the export puts before text that would read as a formula (common.xlsx) is not part of it.
    if text.startswith("'") and text[1:].startswith(xlsx.FORMULA_PREFIXES):
        text = text[1:]
    return text


def _moment(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time())
    else:
        text = _text(value)
        moment = None
        for form in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M"):
            try:
                moment = datetime.datetime.strptime(text, form)
                break
            except ValueError:
                continue
        if moment is None:
            raise ValidationError(_("“%(value)s” is not a date and time such as 2026-12-01 08:00.") % {"value": text[:40]})
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment.replace(second=0, microsecond=0), timezone.get_default_timezone())


def _flag(value) -> bool:
    text = _text(value).lower()
    if isinstance(value, bool):
        return value
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValidationError(_("Holiday duty is 是 or 否, not “%(value)s”.") % {"value": text[:20]})


def _rows(upload):
    try:
        book = load_workbook(io.BytesIO(upload.read()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError(_("This file is not an Excel workbook (.xlsx) that can be read.")) from exc
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        raise ValidationError(_("The workbook has no sheet."))
    rows = []
    for number, row in enumerate(sheet.iter_rows(min_row=2, max_col=len(COLUMNS), values_only=True), start=2):
        cells = list(row) + [None] * (len(COLUMNS) - len(row))
        if all(_text(cell) == "" for cell in cells):
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise ValidationError(_("More than %(count)d shifts in one file: import a few months at a time.") % {"count": MAX_ROWS})
    return rows


@transaction.atomic
def roster_import(*, actor: User, bureau: Unit, upload, now=None) -> dict:
    """Read a roster sheet (the columns above) into `bureau`'s roster, all or nothing: every row is
    checked as its service would (duty.roster.shift_create / shift_update), and one bad row changes
    nothing. The bureau's office only (PermissionDenied). Returns {"created": n, "updated": n,
    "unchanged": n}. Raises ValidationError with one message per bad row, "第 3 行：…" (the row's number
    in the sheet)."""
    now = now or timezone.now()
    if not may_plan(actor, bureau):
        raise PermissionDenied(_("Only the office (办公室) of the bureau plans the duty roster."))
    rows = _rows(upload)
    if not rows:
        raise ValidationError(_("The sheet has no shifts under its heading."))
    people = People(bureau)
    errors, counts = [], {"created": 0, "updated": 0, "unchanged": 0}
    for number, cells in rows:
        try:
            with transaction.atomic():  # a failed row leaves nothing behind, and the others are still checked
                counts[_import_row(actor, bureau, people, cells, now)] += 1
        except ValidationError as exc:
            errors.append(_("Row %(row)d: %(errors)s") % {"row": number, "errors": " ".join(_messages(exc))})
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors)
    return counts


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        labels = dict(zip(["number", "starts_at", "ends_at", "leader", "staff", "is_holiday", "note"], COLUMNS))
        return [f"{labels.get(field, field)}: {message}" for field, messages in exc.message_dict.items()
                for message in messages]
    return exc.messages


def _import_row(actor, bureau, people, cells, now) -> str:
    number, start, end, leader, staff, holiday, note = cells[:7]
    errors: dict[str, list] = {}
    values = {}
    for name, cell in (("starts_at", start), ("ends_at", end)):
        try:
            values[name] = _moment(cell)
        except ValidationError as exc:
            errors[name] = exc.messages
    try:
        values["leader"] = people.one(_text(leader)) if _text(leader) else None
    except ValidationError as exc:
        errors["leader"] = exc.messages
    staff_list, staff_errors = [], []
    for token in SEPARATORS.split(_text(staff)):
        if not token:
            continue
        try:
            staff_list.append(people.one(token))
        except ValidationError as exc:
            staff_errors += exc.messages
    if staff_errors:
        errors["staff"] = staff_errors
    values["staff"] = staff_list
    try:
        values["is_holiday"] = _flag(holiday)
    except ValidationError as exc:
        errors["is_holiday"] = exc.messages
    values["note"] = _text(note)
    if errors:
        raise ValidationError(errors)
    if _text(number):
        shift = Shift.objects.planned().filter(bureau=bureau, pk=_number(number)).first()
        if shift is None:
            raise ValidationError({"number": [_("No shift %(number)s in this bureau's roster: leave the number empty for a new shift.") % {"number": _text(number)[:20]}]})
        if _same(shift, values):
            return "unchanged"
        roster.shift_update(actor=actor, shift=shift, now=now, **values)
        return "updated"
    roster.shift_create(actor=actor, bureau=bureau, now=now, **values)
    return "created"


def _number(value) -> int:
    try:
        number = int(float(_text(value)))
    except (ValueError, OverflowError):
        return -1
    return number if 0 < number < 2**31 else -1  # beyond the column's range: no such shift


def _same(shift: Shift, values: dict) -> bool:
    return (shift.starts_at == values["starts_at"] and shift.ends_at == values["ends_at"]
            and shift.leader_id == (values["leader"].pk if values["leader"] else None)
            and {u.pk for u in shift.staff.all()} == {u.pk for u in values["staff"]}
            and shift.is_holiday == values["is_holiday"] and shift.note == values["note"])
