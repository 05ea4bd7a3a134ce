"""Dispatch to an incident and return (三(三)1.6, 四(二)): who may, what the item's status and
quantity become, and each move on the incident's timeline."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.models import Incident
from incidents.selectors import incident_timeline
from incidents.services import InvalidTransition
from resources import services
from resources.models import Dispatch, Resource

pytestmark = pytest.mark.django_db


def _timeline_kinds(incident):
    return [entry.kind for entry in incident_timeline(incident)]


def test_the_commander_dispatches_the_vehicle_and_it_is_on_the_timeline(cast, items, active_i):
    assert active_i.hq.commander == cast["deputy"]
    dispatch = services.resource_dispatch(actor=cast["deputy"], resource=items["vehicle"], incident=active_i)
    vehicle = Resource.objects.get(pk=items["vehicle"].pk)
    assert dispatch.quantity == 1 and dispatch.dispatched_by == cast["deputy"]
    assert vehicle.status == Resource.Status.DISPATCHED and vehicle.dispatched_quantity == 1
    entries = [e for e in incident_timeline(active_i) if e.kind == "resource_dispatched"]
    assert len(entries) == 1 and entries[0].actor == cast["deputy"]
    assert "食品快检车 依维柯快检车" in [value for _label, value in entries[0].facts]

    services.resource_return(actor=cast["office"], dispatch=dispatch)
    vehicle.refresh_from_db()
    assert vehicle.status == Resource.Status.READY and vehicle.dispatched_quantity == 0
    assert _timeline_kinds(active_i).count("resource_returned") == 1
    dispatch.refresh_from_db()
    assert dispatch.returned_by == cast["office"] and dispatch.returned_at is not None


def test_part_of_a_stock_goes_out_and_the_rest_stays_ready(cast, items, active_i):
    services.resource_dispatch(actor=cast["deputy"], resource=items["kits"], incident=active_i, quantity=Decimal(50))
    kits = Resource.objects.get(pk=items["kits"].pk)
    assert kits.status == Resource.Status.READY and kits.available == 150
    with pytest.raises(ValidationError) as error:
        services.resource_dispatch(actor=cast["deputy"], resource=kits, incident=active_i, quantity=Decimal(151))
    assert "quantity" in error.value.message_dict
    services.resource_dispatch(actor=cast["deputy"], resource=kits, incident=active_i, quantity=Decimal(150))
    kits.refresh_from_db()
    assert kits.status == Resource.Status.DISPATCHED and kits.available == 0
    assert Dispatch.objects.filter(resource=kits).count() == 2


@pytest.mark.parametrize("who", ["station1", "station2"])
def test_others_may_not_dispatch(cast, items, active_i, who):
    with pytest.raises(PermissionDenied, match="总指挥"):
        services.resource_dispatch(actor=cast[who], resource=items["vehicle"], incident=active_i)
    assert not Dispatch.objects.exists()


def test_the_leader_the_hq_emergency_office_and_the_office_may_dispatch(cast, items, active_i):
    assert active_i.hq.lead_section.code == "food_coordination"  # the lead section of a food-safety incident
    services.resource_dispatch(actor=cast["director"], resource=items["kits"], incident=active_i, quantity=1)
    services.resource_dispatch(actor=cast["food"], resource=items["kits"], incident=active_i, quantity=1)
    services.resource_dispatch(actor=cast["office"], resource=items["kits"], incident=active_i, quantity=1)
    assert Resource.objects.get(pk=items["kits"].pk).dispatched_quantity == 3


def test_only_to_an_active_incident_and_only_a_ready_item(cast, items, file_incident, to_state, active_i):
    verified = to_state(file_incident(proposed_level=1), "verified")
    with pytest.raises(InvalidTransition):
        services.resource_dispatch(actor=cast["director"], resource=items["vehicle"], incident=verified)
    services.resource_update(actor=cast["office"], resource=items["vehicle"], status=Resource.Status.MAINTENANCE)
    with pytest.raises(InvalidTransition):
        services.resource_dispatch(actor=cast["deputy"], resource=items["vehicle"], incident=active_i)
    assert not Dispatch.objects.exists()


def test_a_returned_dispatch_is_not_returned_twice(cast, items, active_i):
    dispatch = services.resource_dispatch(actor=cast["deputy"], resource=items["vehicle"], incident=active_i)
    services.resource_return(actor=cast["deputy"], dispatch=dispatch)
    with pytest.raises(InvalidTransition):
        services.resource_return(actor=cast["deputy"], dispatch=dispatch)
    with pytest.raises(PermissionDenied):
        services.resource_return(actor=cast["station1"], dispatch=Dispatch.objects.get())
    assert Resource.objects.get(pk=items["vehicle"].pk).dispatched_quantity == 0


def test_retiring_an_item_out_with_an_incident_is_refused(cast, items, active_i):
    services.resource_dispatch(actor=cast["deputy"], resource=items["vehicle"], incident=active_i)
    with pytest.raises(InvalidTransition):
        services.resource_retire(actor=cast["office"], resource=items["vehicle"])


# ---------------------------------------------------------------- through the pages


def test_dispatch_and_return_through_the_readiness_page(cast, items, active_i, login):
    client = login("deputy")
    page = client.get(f"/resources/readiness/?incident={active_i.pk}")
    assert page.status_code == 200
    assert f'/resources/{items["vehicle"].pk}/dispatch/' in page.content.decode()
    assert 'href="tel:0371-62100001"' in page.content.decode()
    response = client.post(f'/resources/{items["vehicle"].pk}/dispatch/', {"incident": active_i.pk, "quantity": "1"})
    assert response.status_code == 302
    dispatch = Dispatch.objects.get()
    detail = client.get(f"/incidents/{active_i.pk}/").content.decode()
    assert 'data-kind="resource_dispatched"' in detail and "食品快检车" in detail
    assert client.post(f"/resources/dispatches/{dispatch.pk}/return/").status_code == 302
    assert 'data-kind="resource_returned"' in client.get(f"/incidents/{active_i.pk}/").content.decode()


def test_a_station_gets_403_with_who_may(cast, items, active_i, login):
    client = login("station1")
    page = client.get(f"/resources/readiness/?incident={active_i.pk}")
    assert page.status_code == 200 and "/dispatch/" not in page.content.decode()
    response = client.post(f'/resources/{items["vehicle"].pk}/dispatch/', {"incident": active_i.pk})
    assert response.status_code == 403
    assert "HQ commander" in response.content.decode() or "总指挥" in response.content.decode()
    assert not Dispatch.objects.exists()


def test_another_county_sees_neither_the_items_nor_the_incident(counties, items, active_i, login):
    client = login("xz_deputy")
    assert client.get(f'/resources/{items["vehicle"].pk}/').status_code == 404
    assert client.get(f"/resources/readiness/?incident={active_i.pk}").status_code == 404
    assert client.post(f'/resources/{items["vehicle"].pk}/dispatch/', {"incident": active_i.pk}).status_code == 404
    assert "食品快检车" not in client.get("/resources/readiness/").content.decode()
    assert not Dispatch.objects.exists()


def test_the_incident_page_links_to_readiness_at_level_i(cast, items, active_i, login):
    assert Incident.objects.get(pk=active_i.pk).level == 1
    page = login("deputy").get(f"/incidents/{active_i.pk}/").content.decode()
    assert f"/resources/readiness/?incident={active_i.pk}" in page
