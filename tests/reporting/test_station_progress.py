"""The incident's own station reports progress upward while the response is under way (plan 三(二):
各市场监督管理所……应在第一时间将工作进展情况逐级向上汇报). Its reports are its own: numbered among
the station's, they leave the office's 续报 owed, and the office hears of each at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.services import InvalidTransition
from reporting.models import Kind, Notification, Obligation, Report
from reporting.services import report_submit
from roles.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(file_incident, to_state):
    return to_state(file_incident(proposed_level=2, title="城关镇某学校食堂疑似食物中毒"), "active")


def _station(code="chengguan"):
    return Unit.objects.get(code=code)


def _saved():
    return Report.objects.exclude(kind=Kind.FIRST_REPORT).count(), Notification.objects.count()


def test_a_station_member_files_progress_on_its_own_active_incident(active, cast):
    report = report_submit(actor=cast["station1"], incident=active, kind=Kind.PROGRESS_REPORT,
                           content="患病学生12人中已有8人出院,涉事食堂已停业整改。")
    assert report.unit == _station() and report.author == cast["station1"]
    assert report.sequence == 1 and report.kind == Kind.PROGRESS_REPORT
    assert list(report.recipients.all()) == []  # to the bureau, in this system


def test_another_station_may_not_and_nothing_is_saved(active, cast, login, api):
    before = _saved()
    with pytest.raises(PermissionDenied):
        report_submit(actor=cast["station2"], incident=active, kind=Kind.PROGRESS_REPORT, content="x")
    # Outsiders to the incident get 404 on the page and in the API, as everywhere else.
    assert login("station2").post(f"/reporting/incidents/{active.pk}/reports/",
                                  {"progress-content": "白沙所的续报"}).status_code == 404
    assert api("station2").post(f"/api/incidents/{active.pk}/reports/",
                                {"kind": "progress_report", "content": "白沙所的续报"}, format="json").status_code == 404
    assert _saved() == before


@pytest.mark.parametrize("kind", [Kind.UPWARD_REPORT, Kind.FINAL_REPORT, Kind.AFTER_ACTION_REPORT])
def test_a_station_files_no_other_kind(active, cast, api, kind):
    before = _saved()
    with pytest.raises(PermissionDenied) as refused:
        report_submit(actor=cast["station1"], incident=active, kind=kind, content="x")
    assert "Reports to the county government" in str(refused.value) or "办公室" in str(refused.value)
    response = api("station1").post(f"/api/incidents/{active.pk}/reports/", {"kind": kind, "content": "x"},
                                    format="json")
    assert response.status_code == 403
    assert _saved() == before


@pytest.mark.parametrize("state", ["submitted", "verified", "ended"])
def test_not_while_the_response_is_not_under_way(file_incident, to_state, cast, api, login, state):
    incident = file_incident(proposed_level=2)
    if state != "submitted":
        incident = to_state(incident, state)
    before = _saved()
    with pytest.raises(InvalidTransition):
        report_submit(actor=cast["station1"], incident=incident, kind=Kind.PROGRESS_REPORT, content="x")
    assert api("station1").post(f"/api/incidents/{incident.pk}/reports/",
                                {"kind": "progress_report", "content": "x"}, format="json").status_code == 409
    assert login("station1").post(f"/reporting/incidents/{incident.pk}/reports/",
                                  {"progress-content": "x"}).status_code == 409
    assert 'name="progress-content"' not in login("station1").get(f"/incidents/{incident.pk}/").content.decode()
    assert _saved() == before


def test_station_reports_are_numbered_apart_from_the_office_s(active, cast):
    office1 = report_submit(actor=cast["office"], incident=active, kind=Kind.PROGRESS_REPORT, content="续报一")
    station1 = report_submit(actor=cast["station1"], incident=active, kind=Kind.PROGRESS_REPORT, content="所续报一")
    station2 = report_submit(actor=cast["station1"], incident=active, kind=Kind.PROGRESS_REPORT, content="所续报二")
    office2 = report_submit(actor=cast["office"], incident=active, kind=Kind.PROGRESS_REPORT, content="续报二")
    assert [office1.sequence, office2.sequence] == [1, 2]
    assert [station1.sequence, station2.sequence] == [1, 2]
    assert {office1.unit.code, office2.unit.code} == {"office"}
    assert {station1.unit.code, station2.unit.code} == {"chengguan"}


def test_the_office_still_owes_its_progress_report(active, cast):
    owed = Obligation.objects.get(incident=active, kind=Kind.PROGRESS_REPORT, sequence=1)
    assert owed.owner_unit.code == "office"
    report_submit(actor=cast["station1"], incident=active, kind=Kind.PROGRESS_REPORT, content="所续报一")
    owed.refresh_from_db()
    assert owed.status == Obligation.Status.PENDING and owed.report is None
    assert Obligation.objects.filter(incident=active, kind=Kind.PROGRESS_REPORT).count() == 1  # no next period yet
    office = report_submit(actor=cast["office"], incident=active, kind=Kind.PROGRESS_REPORT, content="续报一")
    owed.refresh_from_db()
    assert owed.status == Obligation.Status.FULFILLED and owed.report == office


def test_the_office_is_notified_with_a_link_to_the_incident(active, cast, login):
    report_submit(actor=cast["station1"], incident=active, kind=Kind.PROGRESS_REPORT, content="8人已出院。")
    note = Notification.objects.get(user=cast["office"])
    assert note.incident == active and note.obligation is None and note.step == "station_report"
    assert "城关" in note.title and active.reference in note.title and "工作进展报告" in note.title
    assert note.body == "8人已出院。"
    for nobody in ("station1", "station2", "director", "food"):
        assert not Notification.objects.filter(user=cast[nobody]).exists(), nobody
    page = login("office").get("/reporting/notifications/").content.decode()
    assert f'href="/incidents/{active.pk}/"' in page and note.title in page


def test_a_station_report_goes_to_the_bureau_only(active, cast):
    from roles.models import Contact

    before = _saved()
    with pytest.raises(ValidationError):
        report_submit(actor=cast["station1"], incident=active, kind=Kind.PROGRESS_REPORT, content="x",
                      recipients=list(Contact.objects.filter(kind=Contact.Kind.UPWARD)))
    assert _saved() == before


def test_a_station_may_not_correct_the_office_s_report(active, cast):
    office = report_submit(actor=cast["office"], incident=active, kind=Kind.PROGRESS_REPORT, content="续报一")
    before = _saved()
    with pytest.raises(ValidationError):
        report_submit(actor=cast["station1"], incident=active, kind=Kind.PROGRESS_REPORT, content="改", corrects=office)
    assert _saved() == before


def test_the_incident_page_offers_the_station_its_progress_form(active, cast, login):
    page = login("station1").get(f"/incidents/{active.pk}/").content.decode()
    assert 'name="progress-content"' in page and "报告工作进展" in page
    assert 'name="report-kind"' not in page  # the office's form is the office's
    response = login("station1").post(f"/reporting/incidents/{active.pk}/reports/", {"progress-content": "食堂已消毒。"})
    assert response.status_code == 302
    report = Report.objects.get(incident=active, kind=Kind.PROGRESS_REPORT)
    assert report.unit == _station() and report.content == "食堂已消毒。"
    office_page = login("office").get(f"/incidents/{active.pk}/").content.decode()
    assert 'name="report-kind"' in office_page and 'name="progress-content"' not in office_page
    assert "城关" in office_page and "食堂已消毒。" in office_page  # the office reads it on the incident page
    assert login("station2").get(f"/incidents/{active.pk}/").status_code == 404


def test_an_empty_progress_report_keeps_the_page_and_saves_nothing(active, cast, login):
    response = login("station1").post(f"/reporting/incidents/{active.pk}/reports/", {"progress-content": ""})
    assert response.status_code == 400
    assert 'name="progress-content"' in response.content.decode()
    assert not Report.objects.filter(kind=Kind.PROGRESS_REPORT).exists()


def test_the_api_takes_the_station_s_progress_report(active, api):
    response = api("station1").post(f"/api/incidents/{active.pk}/reports/",
                                    {"kind": "progress_report", "content": "现场已控制。"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["unit"] == "chengguan" and response.json()["sequence"] == 1
    assert Notification.objects.filter(step="station_report").count() == 1
