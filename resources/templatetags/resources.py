from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def amount(value) -> str:
    """A quantity as people write it: 200, 1.5 (never 2E+2 nor 200.00)."""
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    return f"{value.normalize():f}"
