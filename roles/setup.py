"""Build the bureau of the plan (二、组织体系) from roles/plan_data.py. Idempotent: units are
found by code and their plan texts refreshed; contact details the office filled in are kept."""

from django.db import transaction

from roles import plan_data
from roles.models import Contact, Unit
from roles.services import role_groups_ensure, unit_group_ensure


def _unit(code: str, kind: str, parent: Unit | None, **fields) -> Unit:
    unit, _created = Unit.objects.update_or_create(code=code, defaults={"kind": kind, "parent": parent, **fields})
    unit.full_clean()
    unit_group_ensure(unit)
    return unit


@transaction.atomic
def bureau_setup_from_plan() -> Unit:
    role_groups_ensure()
    bureau = _unit(
        plan_data.BUREAU["code"], Unit.Kind.BUREAU, None,
        name=plan_data.BUREAU["name"], name_en=plan_data.BUREAU["name_en"],
    )
    leading_group = _unit(
        plan_data.LEADING_GROUP["code"], Unit.Kind.LEADING_GROUP, bureau,
        name=plan_data.LEADING_GROUP["name"], name_en=plan_data.LEADING_GROUP["name_en"],
        duties=plan_data.LEADING_GROUP["duties"],
    )
    sections = {}
    for entry in plan_data.SECTIONS:
        sections[entry["code"]] = _unit(
            entry["code"], Unit.Kind.SECTION, bureau,
            name=entry["name"], name_en=entry["name_en"], number=entry["number"],
            responsibility=entry["responsibility"], duties=entry["duties"],
        )
    office = plan_data.LEADING_GROUP_OFFICE
    _unit(
        office["code"], Unit.Kind.LEADING_GROUP_OFFICE, leading_group,
        name=office["name"], name_en=office["name_en"], duties=office["duties"],
        housed_in=sections[office["housed_in"]],
    )
    for number, entry in enumerate(plan_data.STATIONS, start=1):
        _unit(
            entry["code"], Unit.Kind.STATION, bureau,
            name=entry["name"], name_en=entry["name_en"], town=entry["town"], number=number,
        )
    for entry in plan_data.CONTACTS:
        contact, _created = Contact.objects.update_or_create(
            code=entry["code"], defaults={"kind": entry["kind"], "name": entry["name"], "name_en": entry["name_en"]}
        )
        contact.full_clean()
    return bureau
