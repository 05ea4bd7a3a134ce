"""The record reads like a record (issue 12 item 3): the timeline names fields by their labels and
shows values in the reader's language (Ⅱ级, a choice's label, a unit's name, Asia/Shanghai times),
and every report filed on the incident is on it, including reports of incidents filed before."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import Measure
from reporting.models import Kind, Report
from roles.models import Contact
from reporting.services import report_submit
from tests.incidents.conftest import FACTS

pytestmark = pytest.mark.django_db

OCCURRED = datetime(2026, 1, 5, 1, 30, tzinfo=dt_timezone.utc)  # 09:30 in Shanghai


@pytest.fixture
def recorded(file_incident, to_state, cast, categories):
    """A draft changed, then submitted, its level corrected by the office, activated at Ⅱ, a task done,
    and the reports: the office's upward and progress reports and the station's progress report."""
    incident = file_incident(proposed_level=2, draft=True)
    services.incident_update_draft(actor=cast["station1"], incident=incident, occurred_at=OCCURRED,
                                   proposed_level=4, source="hotline")
    incident = to_state(incident, "submitted")
    services.incident_correct(actor=cast["office"], incident=incident, reason="核实后调整", proposed_level=2)
    incident = to_state(incident, "active")
    measure = incident.measures.filter(status=Measure.Status.OPEN).first()
    services.measure_update(actor=cast["deputy"], measure=measure, status=Measure.Status.DONE, completion_note="已封存")
    report_submit(actor=cast["office"], incident=incident, kind=Kind.UPWARD_REPORT, content="书面上报县政府。",
                  facts=FACTS, recipients=list(Contact.objects.filter(kind="upward")))
    report_submit(actor=cast["office"], incident=incident, kind=Kind.PROGRESS_REPORT, content="办公室续报:病例稳定。")
    report_submit(actor=cast["station1"], incident=incident, kind=Kind.PROGRESS_REPORT, content="监管所:涉事食堂停业整改。")
    return incident


def _page(login, incident, language=None):
    client = login("office")
    if language:
        client.cookies["django_language"] = language
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    start = page.index('id="timeline"')
    return page[start:page.index("</section>", start)]


def test_changes_read_in_chinese(recorded, login):
    timeline = _page(login, recorded)
    for raw in ("proposed_level:", "level:", "occurred_at", "source:", "status:", "— → 2", "→ 4"):
        assert raw not in timeline, raw
    assert "<dt>建议级别</dt><dd>Ⅱ级 → Ⅳ级</dd>" in timeline  # the draft changed by the station
    assert "<dt>建议级别</dt><dd>Ⅳ级 → Ⅱ级</dd>" in timeline  # corrected by the office
    assert "<dt>响应级别</dt><dd>— → Ⅱ级</dd>" in timeline  # activated
    assert "→ 2026-01-05 09:30</dd>" in timeline  # a time typed in, shown in Asia/Shanghai
    assert "<dt>信息来源</dt><dd>市场监督管理所自行发现 → 值班电话</dd>" in timeline  # a choice's label
    assert "<dt>状态</dt><dd>办理中 → 已完成</dd>" in timeline  # the task's status
    assert "食品安全协调督查科" in timeline  # the HQ's lead section by name, not its id


def test_changes_read_in_english(recorded, login):
    timeline = _page(login, recorded, "en")
    assert "<dt>Proposed level</dt><dd>Level Ⅱ → Level Ⅳ</dd>" in timeline
    assert "<dt>Level</dt><dd>— → Level Ⅱ</dd>" in timeline
    assert "<dt>Information source</dt><dd>station&#x27;s own finding → duty hotline</dd>" in timeline
    assert "<dt>Occurred at</dt>" in timeline and "→ 2026-01-05 09:30</dd>" in timeline
    assert "<dt>Status</dt><dd>open → done</dd>" in timeline
    assert "<dt>Stations involved</dt><dd>Chengguan Supervision Station</dd>" in timeline
    assert "Ⅱ级" not in timeline


def test_every_report_is_on_the_timeline(recorded, login):
    timeline = _page(login, recorded)
    for content in ("书面上报县政府。", "办公室续报:病例稳定。", "监管所:涉事食堂停业整改。"):
        assert content in timeline, content
    assert timeline.count('data-kind="report:progress_report"') == 2
    assert timeline.count('data-kind="report:upward_report"') == 1
    assert "城关市场监督管理所" in timeline  # the station's report names its unit
    english = _page(login, recorded, "en")
    assert "Upward report" in english and "Progress report" in english
    assert "to Zhengzhou Municipal Market Supervision Bureau" in english


def test_reports_filed_before_are_on_it_too(file_incident, login, cast):
    """A report row written before reports were on the timeline (no event for it) still shows: the
    timeline reads the reports themselves."""
    incident = file_incident(proposed_level=2)
    Report.objects.create(incident=incident, kind=Kind.UPWARD_REPORT, content="旧上报:电话报告县政府值班室。",
                          author=cast["office"], unit=cast["office"].memberships.first().unit,
                          submitted_at=timezone.now() - timedelta(minutes=5), channel=Report.Channel.PHONE)
    timeline = _page(login, incident)
    assert "旧上报:电话报告县政府值班室。" in timeline


def test_the_timeline_costs_the_same_queries_for_many_reports(recorded, login, cast, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("office")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/incidents/{recorded.pk}/")
    for n in range(8):
        report_submit(actor=cast["station1"], incident=recorded, kind=Kind.PROGRESS_REPORT, content=f"进展{n}")
        services.incident_comment(actor=cast["office"], incident=recorded, message=f"意见{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/incidents/{recorded.pk}/").status_code == 200


def test_times_kept_in_utc_read_in_shanghai():
    from incidents.timeline import local_time_text

    assert local_time_text("2026-01-05T01:30:00+00:00") == "2026-01-05 09:30"
    assert local_time_text("2026-01-05T01:30:00") == "2026-01-05 09:30"  # events keep UTC, offset or not
    assert local_time_text(OCCURRED) == "2026-01-05 09:30"
    assert local_time_text("not a time") == "not a time"
