"""Names of reports and deadlines as people say them (reporting.numbering)."""

from django import template

from reporting import numbering

register = template.Library()


@register.filter
def report_label(report):
    return numbering.report_label(report)


@register.filter
def obligation_label(obligation):
    return numbering.obligation_label(obligation)
