"""Page numbers that stay fast deep into a long list (issue 13).

`OFFSET 99,950` makes PostgreSQL read every skipped row from the table; past the first DEEP rows,
the keys of a page are found first from an index alone (e.g. incident_created, which carries the
status the visibility condition reads), then only that page's rows are read: two queries instead
of one. The first pages, where the offset costs little, stay one query."""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class KeysFirstPaginator(Paginator):
    """Django's Paginator (same pages, same count, same errors) for a queryset of model instances."""

    DEEP = 1000  # rows skipped before the keys are looked up first

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.DEEP:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.object_list.filter(pk__in=keys).in_bulk() if keys else {}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


class KeysFirstPagination(PageNumberPagination):
    """DRF's page-number pagination (the same `page` parameter and response) on KeysFirstPaginator."""

    django_paginator_class = KeysFirstPaginator


class CountedInParts:
    """A queryset to paginate whose count is the sum of disjoint querysets' counts, for a list whose
    condition is an OR that PostgreSQL can only count by reading the whole table, while each of its
    parts alone is an index scan (reporting.selectors.obligation_visibility). Everything else —
    slicing, ordering, `values_list`, `filter` — is the queryset's own. The caller vouches that the
    parts are disjoint and that their union is the queryset."""

    def __init__(self, queryset, parts):
        self.queryset, self.parts = queryset, parts

    def count(self) -> int:
        return sum(part.count() for part in self.parts)

    def __getitem__(self, key):
        return self.queryset[key]

    def __getattr__(self, name):
        return getattr(self.queryset, name)
