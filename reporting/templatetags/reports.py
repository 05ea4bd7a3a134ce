"""Names of reports and deadlines as people say them (reporting.numbering)."""

from django import template

from reporting import numbering
from roles.models import Unit

register = template.Library()


@register.filter
def report_label(report):
    return numbering.report_label(report)


@register.filter
def obligation_label(obligation):
    return numbering.obligation_label(obligation)


@register.filter
def unit_name(row):
    """A unit's name from a values() row (owner_unit__name, owner_unit__name_en), by the one rule."""
    return Unit.name_in_language(row.get("owner_unit__name", ""), row.get("owner_unit__name_en", ""))
