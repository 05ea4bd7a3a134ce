"""Build the bureau of the plan (二、组织体系) from roles/plan_data.py. Idempotent: units are
found by code and their plan texts refreshed; contact details the office filled in are kept.

One deployment may hold a city bureau and several county bureaus under it (issue 11): each county
has its own leading group, office, sections, stations and contacts. The plan's own county keeps the
plan's codes (`bureau`, `office`, `chengguan` …), so a deployment of one bureau is unchanged; another
county's units take its code as a prefix (`xinzheng_office`), and its names say its own place.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from roles import plan_data
from roles.models import Contact, Membership, Unit
from roles.services import role_groups_ensure, unit_group_ensure, user_sync_groups

PLAN_PLACE = "中牟县"
BUREAU_SUFFIX = "市场监督管理局"


def _unit(code: str, kind: str, parent: Unit | None, **fields) -> Unit:
    unit, _created = Unit.objects.update_or_create(code=code, defaults={"kind": kind, "parent": parent, **fields})
    unit.full_clean()
    unit_group_ensure(unit)
    return unit


@transaction.atomic
def bureau_setup_from_plan(*, name: str = "", code: str = "", parent: Unit | None = None, name_en: str = "") -> Unit:
    """Create or refresh a county bureau with the plan's organization; returns the bureau unit.

    Without arguments: the plan's own county (中牟县市场监督管理局, code `bureau`). `name`: another
    county bureau's full name (…市场监督管理局); `code`: its slug (required with a name), prefixing
    its units' and contacts' codes. `parent`: the city bureau above it (a Unit of kind bureau): the
    county's upward contact for the city bureau is then that unit (portal_unit), so its reports
    arrive in the city's inbox. ValidationError for a name without a code or a parent that is not
    a bureau."""
    plan_county = not code or code == plan_data.BUREAU["code"]
    if name and plan_county and name != plan_data.BUREAU["name"]:
        raise ValidationError({"code": "Give another county bureau its own code (e.g. xinzheng)."})
    if parent is not None and parent.kind != Unit.Kind.BUREAU:
        raise ValidationError({"parent": "The parent of a county bureau is a (city) bureau."})
    prefix = "" if plan_county else f"{code}_"
    name = name or plan_data.BUREAU["name"]
    place = name.removesuffix(BUREAU_SUFFIX) or name  # 新郑市市场监督管理局 → 新郑市

    def local(text: str) -> str:
        return text.replace(PLAN_PLACE, place)

    role_groups_ensure()
    existing = Unit.objects.filter(code=code or plan_data.BUREAU["code"]).first()
    bureau = _unit(
        code if not plan_county else plan_data.BUREAU["code"], Unit.Kind.BUREAU, parent,
        name=name, name_en=name_en or (plan_data.BUREAU["name_en"] if plan_county else ""),
        # 发文机关代字: the plan county's as given; kept once the office has set one.
        document_prefix=(existing.document_prefix if existing and existing.document_prefix
                         else plan_data.BUREAU["document_prefix"] if plan_county else ""),
    )
    leading_group = _unit(
        prefix + plan_data.LEADING_GROUP["code"], Unit.Kind.LEADING_GROUP, bureau,
        name=local(plan_data.LEADING_GROUP["name"]), name_en=plan_data.LEADING_GROUP["name_en"],
        duties=plan_data.LEADING_GROUP["duties"],
    )
    sections = {}
    for entry in plan_data.SECTIONS:
        sections[entry["code"]] = _unit(
            prefix + entry["code"], Unit.Kind.SECTION, bureau,
            name=entry["name"], name_en=entry["name_en"], number=entry["number"],
            responsibility=entry["responsibility"], duties=entry["duties"],
        )
    office = plan_data.LEADING_GROUP_OFFICE
    _unit(
        prefix + office["code"], Unit.Kind.LEADING_GROUP_OFFICE, leading_group,
        name=office["name"], name_en=office["name_en"], duties=office["duties"],
        housed_in=sections[office["housed_in"]],
    )
    for number, entry in enumerate(plan_data.STATIONS, start=1):
        _unit(
            prefix + entry["code"], Unit.Kind.STATION, bureau,
            name=entry["name"], name_en=entry["name_en"], town=entry["town"], number=number,
        )
    for entry in plan_data.CONTACTS:
        fields = {"kind": entry["kind"], "name": local(entry["name"]), "name_en": entry["name_en"] if plan_county else "",
                  "bureau": bureau}
        if entry["code"] == "city_bureau" and parent is not None:
            # The city bureau uses this portal: reports to it arrive in its inbox.
            fields.update(name=parent.name, name_en=parent.name_en, portal_unit=parent)
        contact_code = prefix + entry["code"] if not entry["code"].startswith("gov_") else f"gov_{prefix}{entry['code'][4:]}"
        contact, _created = Contact.objects.update_or_create(code=contact_code, defaults=fields)
        contact.full_clean()
    if parent is not None:
        _resync_members(parent)  # the parent is a city bureau now: its people are city staff
    return bureau


@transaction.atomic
def city_bureau_setup(*, name: str, code: str, name_en: str = "") -> Unit:
    """A city bureau above county bureaus: the bureau, its leading group and its office (办公室, which
    houses the leading group office and signs for the counties' reports). Its people are city staff
    (roles.services.roles_from_memberships) once a county sits under it."""
    role_groups_ensure()
    city = _unit(code, Unit.Kind.BUREAU, None, name=name, name_en=name_en)
    place = name.removesuffix(BUREAU_SUFFIX) or name
    leading_group = _unit(f"{code}_leading_group", Unit.Kind.LEADING_GROUP, city,
                          name=f"{place}市场监管突发事件应急工作领导小组", name_en="Emergency Leading Group")
    office = _unit(f"{code}_office", Unit.Kind.SECTION, city, name="办公室(应急管理科)", name_en="Office", number=1)
    _unit(f"{code}_leading_group_office", Unit.Kind.LEADING_GROUP_OFFICE, leading_group,
          name="应急工作领导小组办公室", name_en="Leading Group Office", housed_in=office)
    return city


def _resync_members(bureau: Unit) -> None:
    people = {m.user for m in Membership.objects.filter(unit__in=_units_of(bureau)).select_related("user")}
    for person in people:
        user_sync_groups(person)


def _units_of(bureau: Unit) -> list[Unit]:
    units = [bureau, *Unit.objects.filter(parent=bureau).exclude(kind=Unit.Kind.BUREAU)]
    units += list(Unit.objects.filter(parent__in=units, kind=Unit.Kind.LEADING_GROUP_OFFICE))
    return units
