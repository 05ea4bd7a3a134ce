"""Bounded lists (issue 13): a page shows at most a fixed number of rows of any list that grows with
the data, with a link to the full, paginated list; never every row of a province."""

from dataclasses import dataclass

# Rows of each list on a home page; the rest is one click away ("see all").
HOME_LIST_LIMIT = 20


@dataclass
class Capped:
    """The first `limit` rows of a list, and whether there are more (one query: limit + 1 rows read)."""

    rows: list
    more: bool
    limit: int

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __bool__(self):
        return bool(self.rows)


def capped(queryset, limit: int = HOME_LIST_LIMIT) -> Capped:
    """Capped(rows, more, limit) from an ordered queryset, reading at most limit + 1 rows."""
    rows = list(queryset[: limit + 1])
    return Capped(rows=rows[:limit], more=len(rows) > limit, limit=limit)


def page_of(request, rows, *, param: str = "page", per_page: int = 50, last_by_default: bool = False):
    """One page of `rows` (an ordered queryset) as a django.core.paginator.Page, its number read from
    the query parameter `param` (a bad or missing number: the first page, or the last when
    last_by_default, e.g. a timeline whose newest entries matter most). The page carries
    `param` and `query` (the other query parameters, urlencoded) for partials/pages.html."""
    from django.core.paginator import Paginator

    paginator = Paginator(rows, per_page)
    number = request.GET.get(param)
    if number is None and last_by_default:
        number = paginator.num_pages
    page = paginator.get_page(number)
    query = request.GET.copy()
    query.pop(param, None)
    page.param, page.query = param, query.urlencode()
    return page
