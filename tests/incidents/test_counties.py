"""A city bureau above two county bureaus (issue 11). Each county's office, leaders, sections and
stations see and touch nothing of the other county; the city sees, read-only, what a county reported
to it, and every county's deadlines."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services
from incidents.selectors import incidents_visible_to
from incidents.services.checks import allowed_actions
from incidents.models import Incident
from reporting.models import Kind, Obligation
from reporting.sending import delivery_record
from reporting.services import report_submit
from roles.models import Contact, Unit
from tests.incidents.conftest import FACTS, intake

pytestmark = pytest.mark.django_db

COUNTY1 = ["director", "deputy", "office", "food", "station1"]
COUNTY2 = ["xz_director", "xz_deputy", "xz_office", "xz_food", "xz_station"]
# Actions of the incident API the city tries: all refused (403), nothing changed (allowed_actions: all of them).
CITY_REFUSED = {"submit": {}, "return": {"reason": "x"}, "supplement": {"content": "x"}, "correct": {"title": "x"},
                "verify": {"summary": "x"}, "comment": {"message": "x"}, "activate": {"level": 2},
                "decline": {"reason": "x"}}


@pytest.fixture
def two_incidents(counties, categories):
    """One submitted incident in each county, each filed by its own station."""
    people = counties
    ours = services.incident_file(actor=people["station1"], station=Unit.objects.get(code="chengguan"),
                                  **intake(category=categories["food_safety"], title="中牟城关食堂中毒"))
    theirs = services.incident_file(actor=people["xz_station"], station=Unit.objects.get(code="xinzheng_chengguan"),
                                    **intake(category=categories["food_safety"], title="新郑城关超市过期食品"))
    return people, ours, theirs


def _ids(client):
    response = client.get("/api/incidents/")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_counties_never_see_each_others_incidents(two_incidents, api, login):
    people, ours, theirs = two_incidents
    for who in COUNTY1:
        assert theirs.pk not in _ids(api(who)), who
        assert api(who).get(f"/api/incidents/{theirs.pk}/").status_code == 404, who
        assert login(who).get(f"/incidents/{theirs.pk}/").status_code == 404, who
    for who in COUNTY2:
        assert ours.pk not in _ids(api(who)), who
        assert api(who).get(f"/api/incidents/{ours.pk}/").status_code == 404, who
    # Each county's office sees its own.
    assert _ids(api("office")) == {ours.pk} and _ids(api("xz_office")) == {theirs.pk}
    # Nothing reported to the city yet: it sees neither.
    assert _ids(api("city_office")) == set()
    assert api("city_office").get(f"/api/incidents/{ours.pk}/").status_code == 404


def test_a_county_works_its_incident_with_its_own_units_and_people(two_incidents, to_state):
    people, ours, theirs = two_incidents
    services.incident_verify(actor=people["xz_office"], incident=theirs, summary="属实")
    services.incident_activate(actor=people["xz_director"], incident=Incident.objects.get(pk=theirs.pk), level=2)
    theirs = Incident.objects.get(pk=theirs.pk)
    hq = theirs.hq
    assert hq.commander == people["xz_deputy"]  # its own deputy director in charge
    assert {u.bureau().code for u in hq.units()} == {"xinzheng"}
    owners = set(Obligation.objects.filter(incident=theirs).values_list("owner_unit__code", flat=True))
    assert "xinzheng_office" in owners and "office" not in owners
    assert {m.owner_unit.bureau().code for m in theirs.measures.all()} == {"xinzheng"}
    # The other county's office cannot act on it, nor be given it through the HQ or a measure.
    with pytest.raises(ValidationError):
        services.measure_add(actor=people["xz_director"], incident=theirs, title="x", owner_unit=Unit.objects.get(code="food_coordination"))
    with pytest.raises(ValidationError):
        services.incident_hq_update(actor=people["xz_director"], incident=theirs,
                                    member_sections=[Unit.objects.get(code="food_coordination")])
    for who in COUNTY1:
        assert not incidents_visible_to(people[who]).filter(pk=theirs.pk).exists(), who


def test_a_county_sends_only_to_its_own_recipients(two_incidents):
    people, ours, theirs = two_incidents
    with pytest.raises(ValidationError) as refused:
        report_submit(actor=people["office"], incident=ours, kind=Kind.UPWARD_REPORT, content="x", facts=FACTS,
                      recipients=[Contact.objects.get(code="xinzheng_county_government")])
    assert "recipients" in refused.value.message_dict
    report = report_submit(actor=people["office"], incident=ours, kind=Kind.UPWARD_REPORT, content="情况", facts=FACTS)
    assert {c.code for c in report.recipients.all()} == {"county_government", "city_bureau"}
    # The city has it in the portal; the county government once the office records the fax (rule 4: it left).
    assert Obligation.objects.get(incident=ours, kind=Kind.UPWARD_REPORT).status == Obligation.Status.PENDING
    delivery_record(actor=people["office"], report=report, recipient=Contact.objects.get(code="county_government"),
                    channel="fax", number="0371-1", at=timezone.now())
    assert Obligation.objects.get(incident=ours, kind=Kind.UPWARD_REPORT).status == Obligation.Status.FULFILLED


def test_the_city_reads_what_each_county_reported_to_it_and_can_change_nothing(two_incidents, api, login, to_state):
    people, ours, theirs = two_incidents
    report_submit(actor=people["office"], incident=ours, kind=Kind.UPWARD_REPORT, content="中牟情况", facts=FACTS)
    city = api("city_office")
    assert _ids(city) == {ours.pk}
    assert city.get(f"/api/incidents/{ours.pk}/").status_code == 200
    assert login("city_office").get(f"/incidents/{ours.pk}/").status_code == 200
    assert city.get(f"/api/incidents/{theirs.pk}/").status_code == 404  # not reported to the city (yet)
    report_submit(actor=people["xz_office"], incident=theirs, kind=Kind.UPWARD_REPORT, content="新郑情况", facts=FACTS)
    assert _ids(city) == {ours.pk, theirs.pk}
    # The counties still never see each other, whatever the city sees.
    assert theirs.pk not in _ids(api("office")) and ours.pk not in _ids(api("xz_office"))
    # Read-only: every action refused with a message, nothing changed.
    before = Incident.objects.get(pk=ours.pk).status, Incident.objects.get(pk=ours.pk).events.count()
    for action, body in CITY_REFUSED.items():
        response = city.post(f"/api/incidents/{ours.pk}/{action}/", body, format="json")
        assert response.status_code == 403, (action, response.status_code, response.content)
    response = city.post(f"/api/incidents/{ours.pk}/reports/", {"kind": "progress_report", "content": "x"}, format="json")
    assert response.status_code == 403
    assert (Incident.objects.get(pk=ours.pk).status, Incident.objects.get(pk=ours.pk).events.count()) == before
    # Whatever the state, the pages offer the city no action at all.
    for state in ("verified", "active", "ended"):
        incident = to_state(ours, state)
        assert allowed_actions(people["city_office"], incident) == set(), state
    # The report itself prints for the city.
    pdf = login("city_office").get(f"/reporting/reports/{ours.reports.get(kind=Kind.UPWARD_REPORT).pk}.pdf")
    assert pdf.status_code == 200


def test_the_city_sees_every_countys_board_and_record_and_a_county_only_its_own(two_incidents, login):
    people, ours, theirs = two_incidents
    board = lambda who: {row.incident_id for row in login(who).get("/reporting/board/").context["rows"]}  # noqa: E731
    assert board("city_office") >= {ours.pk, theirs.pk}
    assert theirs.pk not in board("office") and ours.pk not in board("xz_office")
    today = timezone.localdate()  # a period around today: the default month misses deadlines across its end
    record = login("city_office").get("/reporting/accountability/", {
        "start": (today - timedelta(days=1)).isoformat(), "end": (today + timedelta(days=1)).isoformat()})
    assert record.status_code == 200
    units = {row["owner_unit__code"] for row in record.context["summary"]}
    assert {"office", "xinzheng_office"} <= units or {"chengguan", "xinzheng_chengguan"} <= units


def test_a_countys_office_edits_only_its_own_units_and_contacts(counties, login):
    xz_office = login("xz_office")
    assert xz_office.post("/org/units/chengguan/edit/", {"phone": "1", "fax": "", "email": "", "address": ""}).status_code == 403
    assert xz_office.post("/org/contacts/county_government/edit/",
                          {"phone": "1", "fax": "", "email": "", "address": "", "notes": ""}).status_code == 403
    assert Unit.objects.get(code="chengguan").phone == "" and Contact.objects.get(code="county_government").phone == ""
    assert xz_office.post("/org/units/xinzheng_chengguan/edit/",
                          {"phone": "0371-1", "fax": "", "email": "", "address": ""}).status_code == 302
    assert xz_office.post("/org/contacts/xinzheng_county_government/edit/",
                          {"phone": "0371-2", "fax": "", "email": "", "address": "", "notes": ""}).status_code == 302
    assert Contact.objects.get(code="xinzheng_county_government").phone == "0371-2"


def test_the_city_cannot_be_named_to_the_investigation_team(two_incidents, to_state):
    people, ours, theirs = two_incidents
    report_submit(actor=people["office"], incident=ours, kind=Kind.UPWARD_REPORT, content="情况", facts=FACTS)
    ended = to_state(ours, "ended")
    with pytest.raises(ValidationError):
        services.incident_team_name(actor=people["deputy"], incident=ended, leader=people["city_office"])
