"""Both languages whole (issue 12 item 5): what the system writes itself (timeline notes, waiver
reasons, measures it cancels, notifications) is kept as a key and parameters and read in the
reader's language; units are named by one rule everywhere; the menu names each language in itself."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.messages import render, stored
from incidents import services as incidents
from incidents.models import IncidentEvent, Measure
from reporting.models import Kind, Notification, Obligation
from reporting.services import report_submit
from roles.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def lowered(cast, categories):
    """Registered by the office for 城关所, reported, verified, activated at Ⅱ and lowered to Ⅳ: the
    system notes the assignment, cancels the Ⅱ measures and waives the upward report."""
    incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                       title="某学校食堂疑似食物中毒", occurred_at=timezone.now(), proposed_level=2,
                                       category=categories["food_safety"], location="城关镇", nature="食物中毒",
                                       description="十余名学生呕吐", scope="一所学校", trend="稳定", measures_taken="封存")
    incidents.incident_submit(actor=cast["station1"], incident=incident)
    incidents.incident_verify(actor=cast["office"], incident=incident, summary="属实")
    incidents.incident_activate(actor=cast["director"], incident=incident, level=2)
    incidents.incident_change_level(actor=cast["director"], incident=incident, level=4, reason="事态缓和")
    return incident


def _system_texts(incident):
    """Every system-made text on the incident's page: (key, params) of its notes, reasons and cancellations."""
    found = [(e.message_key, e.message_params) for e in IncidentEvent.objects.filter(incident=incident).exclude(message_key="")]
    found += [(m.completion_note_key, m.completion_note_params)
              for m in Measure.objects.filter(incident=incident).exclude(completion_note_key="")]
    found += [(o.waived_reason_key, o.waived_reason_params)
              for o in Obligation.objects.filter(incident=incident).exclude(waived_reason_key="")]
    return found


def _page(client, language, path):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client.get(path).content.decode()


def test_system_made_text_reads_in_english_with_no_stray_chinese_and_vice_versa(lowered, login):
    texts = _system_texts(lowered)
    keys = {key for key, _params in texts}
    assert {"event.assigned", "measure.cancelled_by_level", "waiver.level_iv"} <= keys
    client = login("office")
    english = _page(client, "en", f"/incidents/{lowered.pk}/")
    chinese_texts = {stored(key, params) for key, params in texts}
    with_english = {_in_english(key, params) for key, params in texts}
    assert "Assigned to Chengguan Supervision Station" in with_english
    for text in with_english:
        assert text in english, text
    for text in chinese_texts:
        assert text not in english, text  # the text kept in Chinese never shows to an English reader
    chinese = _page(client, "zh-hans", f"/incidents/{lowered.pk}/")
    for text in chinese_texts:
        assert text in chinese, text
    for text in with_english:
        assert text not in chinese, text


def _in_english(key, params):
    from django.utils import translation

    with translation.override("en"):
        return render(key, params)


def test_older_rows_without_a_key_keep_their_stored_text(lowered):
    waived = Obligation.objects.filter(incident=lowered).exclude(waived_reason_key="").first()
    Obligation.objects.filter(pk=waived.pk).update(waived_reason_key="", waived_reason="旧的豁免理由")
    waived.refresh_from_db()
    assert waived.waived_reason_text == "旧的豁免理由"
    note = Notification(title="旧通知", body="正文")
    assert (note.title_text, note.body_text) == ("旧通知", "正文")


def test_a_notification_about_a_deadline_reads_in_the_reader_s_language(lowered, cast, login):
    from reporting.sweep import sweep_due

    obligation = Obligation.objects.filter(incident=lowered, kind=Kind.PROGRESS_REPORT, status="pending").first()
    sweep_due(now=obligation.due_at)
    from reporting.delivery import deliver_rows
    from tests.reporting.deadlines import deadline_outbox

    deliver_rows(list(deadline_outbox().filter(obligation=obligation, channel="in_app").values_list("pk", flat=True)))
    note = Notification.objects.filter(user=cast["office"], obligation=obligation).first()
    assert note is not None and note.message_key and "已逾期" in note.title
    client = login("office")
    english = _page(client, "en", "/reporting/notifications/")
    assert "Overdue: progress report" in english and "已逾期" not in english
    assert "Owner: Office (Emergency Management)" in english


def test_unit_names_follow_one_rule_on_every_page(lowered, cast, login):
    report_submit(actor=cast["station1"], incident=lowered, kind=Kind.PROGRESS_REPORT, content="进展")
    client = login("office")
    for path in ["/", f"/incidents/{lowered.pk}/", "/reporting/board/", "/reporting/accountability/",
                 "/api/dashboard/on-time-by-unit/", "/api/dashboard/due-next-24-hours/"]:
        page = _page(client, "en", path)
        assert "城关市场监督管理所" not in page and "办公室(应急管理科)" not in page, path
    # A period around today (Asia/Shanghai) that holds the deadlines just made, also near midnight on a
    # month's last day, when they fall due in the next month and the default period would miss them.
    today = timezone.localdate()
    period = f"?start={today - timedelta(days=1)}&end={today + timedelta(days=2)}"
    assert "Chengguan Supervision Station" in _page(client, "en", "/reporting/accountability/" + period)


def test_the_language_menu_names_each_language_in_itself(cast, login):
    client = login("office")
    for language in ("en", "zh-hans"):
        page = _page(client, language, "/")
        assert '<option value="en" lang="en"' in page and ">English</option>" in page
        assert ">中文</option>" in page
