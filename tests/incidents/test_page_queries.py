"""Issue 13: the incident page's query count does not grow with the size of the command HQ, and the
leading group's delegation is looked up once per page, not once per action checked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services
from roles.models import Unit

pytestmark = pytest.mark.django_db

VIEWERS = ["director", "deputy", "office", "food", "station1"]


def _page_queries(client, incident) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/incidents/{incident.pk}/")
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _hq_with_stations(incident, cast, count):
    first = Unit.objects.get(code="chengguan")
    stations = [first] + [
        Unit.objects.get_or_create(code=f"extra-station-{i}", defaults={
            "kind": Unit.Kind.STATION, "name": f"加派所{i}", "parent": first.parent})[0]
        for i in range(count)]
    services.incident_hq_update(actor=cast["director"], incident=incident, stations=stations)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_incident_page_holds_its_query_count_whatever_the_hq_size(file_incident, to_state, cast, login, viewer):
    small = to_state(file_incident(), "active", level=2)
    large = to_state(file_incident(title="另一事件"), "active", level=2)
    _hq_with_stations(small, cast, 2)
    _hq_with_stations(large, cast, 40)
    client = login(viewer)
    assert len(_page_queries(client, large)) == len(_page_queries(client, small))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_delegation_is_looked_up_at_most_once_per_page(file_incident, to_state, login, viewer):
    incident = to_state(file_incident(), "active", level=2)
    queries = _page_queries(login(viewer), incident)
    assert sum('FROM "roles_delegation"' in sql for sql in queries) <= 1
