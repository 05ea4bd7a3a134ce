"""Numbering people can follow (issue 12 item 4): the station's reports are its 工作进展报告, never a
second "续报 1"; the office's 续报 stay consecutive after a level change replaced a deadline."""

from datetime import timedelta

import pytest

from incidents import services as incidents
from reporting.documents import report_title
from reporting.models import Kind, Obligation
from reporting.services import report_submit
from tests.reporting.deadlines import T0
from tests.reporting.deadlines import at as _at

pytestmark = pytest.mark.django_db


@pytest.fixture
def renumbered(file_incident, to_state, cast):
    """Ⅱ activated at T0; 续报 #1 sent on day 1; raised to Ⅰ on day 2, which replaces the pending #2
    (due day 6) with #3 (due day 3); the station files its own progress report too."""
    incident = _at(T0, to_state, _at(T0, file_incident, proposed_level=2, occurred_at=T0), "active")
    _at(T0 + timedelta(days=1), report_submit, actor=cast["office"], incident=incident, kind=Kind.PROGRESS_REPORT,
        content="续报内容一")
    _at(T0 + timedelta(days=1, hours=1), report_submit, actor=cast["station1"], incident=incident,
        kind=Kind.PROGRESS_REPORT, content="所里的工作进展")
    _at(T0 + timedelta(days=2), incidents.incident_change_level, actor=cast["director"], incident=incident, level=1,
        reason="事态扩大")
    rows = Obligation.objects.filter(incident=incident, kind=Kind.PROGRESS_REPORT).order_by("sequence")
    assert [row.status for row in rows] == ["fulfilled", "waived", "pending"]  # the keys keep their gap
    return incident


def _page(login, incident, language):
    client = login("office")
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client.get(f"/incidents/{incident.pk}/").content.decode()


def test_the_office_s_progress_reports_are_numbered_consecutively_after_a_level_change(renumbered, login):
    page = _page(login, renumbered, "zh-hans")
    assert "续报一" in page and "续报二" in page and "续报三" not in page
    assert "续报(已被更早的时限取代,不再需要)" in page  # the replaced row is named, not numbered
    english = _page(login, renumbered, "en")
    assert "progress report (续报) 2" in english and "progress report (续报) 3" not in english


def test_the_station_s_reports_are_its_work_progress_reports(renumbered, login):
    page = _page(login, renumbered, "zh-hans")
    assert "工作进展报告一" in page
    # The office's deadline, its report and that report on the timeline; never the station's report.
    assert page.count("续报一") == 3 and page.count("工作进展报告一") == 2
    report = renumbered.reports.get(unit__code="chengguan", kind=Kind.PROGRESS_REPORT)
    assert report_title(report) == f"关于{renumbered.title}的工作进展报告一"
    assert "work progress report (工作进展报告) 1" in _page(login, renumbered, "en")


def test_the_board_and_home_page_number_the_same_way(renumbered, login):
    client = login("office")
    board = client.get("/reporting/board/").content.decode()
    assert "续报二" in board and "续报三" not in board
    home = client.get("/").content.decode()
    assert "续报二" in home and "续报三" not in home
