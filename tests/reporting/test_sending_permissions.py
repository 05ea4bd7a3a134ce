"""docs/permissions.md, "Sending and receipt": the table read from the document and checked against the
answers of the pages and the API, person by person (each attempt rolled back, so that everyone meets
the same state)."""

from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from reporting import sending
from reporting.models import Kind, Outbox, ReportDelivery
from reporting.services import report_submit
from roles.models import Contact
from tests.incidents.conftest import FACTS

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
PEOPLE = ["director", "deputy", "office", "food", "station1", "station2", "city_office", "admin", "outsider"]
ACTIONS = ["record a report phoned or faxed", "record a phone confirmation", "sign for a report in the portal",
           "the inbox of reports received", "read the delivered report (PDF)", "send a bounced report email again"]


def _doc_rows() -> dict[str, dict[str, str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ACTIONS and len(cells) == 1 + len(PEOPLE):
            rows[cells[0]] = dict(zip(PEOPLE, cells[1:]))
    return rows


def test_the_doc_has_every_row():
    assert list(_doc_rows()) == ACTIONS


@pytest.fixture
def sent(cast, city, file_incident):
    incident = file_incident(proposed_level=2)
    report = report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="情况", facts=FACTS)
    county = Contact.objects.get(code="county_government")
    fax = sending.delivery_record(actor=cast["office"], report=report, recipient=county,
                                  channel="fax", number="0371-1", at=timezone.now())
    # An email to the county that bounced (退信, reporting.bounces), for the office to send again.
    now = timezone.now()
    bounced = ReportDelivery.objects.create(report=report, recipient=county, channel="email", state="failed",
                                            address="zfb@county.example.gov.cn", sent_at=now, bounced_at=now,
                                            message_id="<1@portal.example>", failure_reason="5.1.1 User unknown")
    Outbox.objects.create(delivery=bounced, step=Outbox.Step.REPORT, channel=Outbox.Channel.EMAIL, recipient=bounced.address,
                          state=Outbox.State.SENT, queued_at=now, sent_at=now)
    return report, ReportDelivery.objects.get(report=report, channel="portal"), fax, bounced


def _answer(action, person, sent, api, login) -> str:
    report, portal, fax, bounced = sent
    if action == "record a report phoned or faxed":
        code = api(person).post("/api/deliveries/", {
            "report": report.pk, "recipient": "city_bureau", "channel": "phone", "number": "0371-2",
            "sent_at": timezone.now().isoformat(), "confirmed_name": "赵"}, format="json").status_code
    elif action == "record a phone confirmation":
        code = api(person).post(f"/api/deliveries/{fax.pk}/confirm/", {"name": "赵"}, format="json").status_code
    elif action == "sign for a report in the portal":
        code = api(person).post(f"/api/deliveries/{portal.pk}/sign/").status_code
    elif action == "send a bounced report email again":
        code = api(person).post(f"/api/deliveries/{bounced.pk}/resend/", {}, format="json").status_code
    elif action == "the inbox of reports received":
        code = login(person).get("/reporting/inbox/").status_code
    else:
        code = login(person).get(f"/reporting/deliveries/{portal.pk}.pdf").status_code
    return "✓" if code in (200, 201) else str(code)


@pytest.mark.parametrize("action", ACTIONS)
def test_the_code_gives_what_the_doc_says(action, sent, api, login):
    expected = _doc_rows()[action]
    for person in PEOPLE:
        with transaction.atomic():
            got = _answer(action, person, sent, api, login)
            transaction.set_rollback(True)
        assert got == expected[person], f"{action} for {person}: code says {got}, doc says {expected[person]}"
