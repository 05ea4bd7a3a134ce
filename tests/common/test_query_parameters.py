"""Issue 10, kind 2: every query parameter of every filtered page and API list goes through a
django-filter FilterSet (common.filters, incidents.api.IncidentFilter, reporting.filters). Odd
values — non-ASCII digits that pass str.isdigit() but not int(), NUL, huge and negative numbers,
very long strings, unknown choices — are a 400 with JSON field errors on the API and ignored on
pages; never a 5xx."""

import pytest

from tests.incidents.conftest import intake  # noqa: F401

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    "²", "³", "٣", "１２", "\x00", "%00", "1\x002", "9" * 30, "9" * 5000, "-1", "0", "2147483648", "1e400", "NaN",
    "inf", "1.5", "x" * 5000, "unknown", "' OR 1=1 --", "2026-00001", "2026-²", "1926-06-03",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00Z", "😀", " ", "[]",
]

# (door, user, parameters), API doors begin with /api/.
DOORS = [
    ("/incidents/", "office", ["q", "level", "status", "category", "station", "received_after", "received_before",
                               "page"]),
    ("/incidents/", "station1", ["q", "level"]),
    ("/reporting/board/", "office", ["unit", "kind", "level", "incident"]),
    ("/reporting/board.xlsx", "office", ["unit", "kind", "level", "incident"]),
    ("/reporting/accountability/", "office", ["start", "end"]),
    ("/reporting/accountability.xlsx", "office", ["start", "end"]),
    ("/api/incidents/", "office", ["q", "level", "status", "category", "station", "received_after",
                                  "received_before", "page"]),
    ("/api/incidents/", "station1", ["q", "incident"]),
    ("/api/obligations/", "office", ["incident", "status", "kind", "unit", "page"]),
    ("/api/notifications/", "office", ["page"]),
    ("/api/categories/", "office", ["q"]),
]


@pytest.fixture
def some_rows(file_incident):
    """A filed incident, so the lists and the board have rows for the filters to work on."""
    return file_incident(proposed_level=2)


@pytest.mark.parametrize("door,user,params", DOORS, ids=[f"{d}-{u}" for d, u, _p in DOORS])
def test_odd_query_values_never_give_a_5xx(some_rows, login, api, door, user, params):
    client = api(user) if door.startswith("/api/") else login(user)
    failures = []
    for name in params:
        for value in ODD_VALUES:
            response = client.get(door, {name: value})
            if response.status_code >= 500:
                failures.append((name, value, response.status_code))
            elif door.startswith("/api/"):
                # API errors are JSON (api.md), never an HTML page.
                assert response["Content-Type"].startswith("application/json"), (name, value)
                if response.status_code == 400:
                    assert name in response.json() or "detail" in response.json(), (name, value, response.json())
    assert failures == []


@pytest.mark.parametrize("query", [{"q": "²"}, {"level": "²"}, {"incident": "³"}, {"unit": "\x00"}])
def test_the_examples_of_the_issue(some_rows, login, api, query):
    """Each gave a 500 before (the board's isdigit()/int(), the search's isdigit()/int(), NUL to PostgreSQL)."""
    assert login("office").get("/incidents/", query).status_code == 200
    assert login("office").get("/reporting/board/", query).status_code == 200
    for endpoint in ("/api/incidents/", "/api/obligations/"):
        response = api("office").get(endpoint, query)
        assert response.status_code in (200, 400) and response["Content-Type"].startswith("application/json")


def test_bad_api_filters_are_400_with_the_field_named(some_rows, api):
    client = api("office")
    for endpoint, name, value in [("/api/obligations/", "incident", "³"), ("/api/obligations/", "unit", "\x00"),
                                  ("/api/obligations/", "incident", "9" * 30), ("/api/obligations/", "kind", "nope"),
                                  ("/api/incidents/", "level", "²"), ("/api/incidents/", "q", "x" * 5000)]:
        response = client.get(endpoint, {name: value})
        assert response.status_code == 400, (endpoint, name, value)
        assert name in response.json()


def test_good_filters_still_filter(some_rows, login, api):
    assert api("office").get("/api/obligations/", {"incident": some_rows.pk}).json()["count"] >= 1
    assert api("office").get("/api/obligations/", {"incident": some_rows.pk + 1000}).json()["count"] == 0
    assert api("office").get("/api/incidents/", {"q": str(some_rows.pk)}).json()["count"] == 1
    assert api("office").get("/api/incidents/", {"q": some_rows.reference}).json()["count"] == 1
    board = login("office").get("/reporting/board/", {"incident": some_rows.pk, "kind": "upward_report"})
    assert some_rows.title in board.content.decode()
    board = login("office").get("/reporting/board/", {"incident": some_rows.pk + 1000})
    assert some_rows.title not in board.content.decode()
