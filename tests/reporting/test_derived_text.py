"""Issue 10, kind 4: text built from what people typed fits where it goes. A notification
title is a label of at most 200 characters (the column), built around the incident's title
(which alone may have 200); it is one line, because it is also an email's subject and Django
refuses a header with CR or LF (BadHeaderError). Run on PostgreSQL in CI, which, unlike SQLite,
refuses a string longer than its column."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from common.text import ELLIPSIS, label, single_line, truncate
from incidents import services as incidents
from incidents.models import Incident
from reporting.models import Kind, Notification, Outbox
from reporting.sweep import sweep_due
from roles.models import Unit

pytestmark = pytest.mark.django_db

LONG_TITLE = "城关镇建设路某大型连锁超市" * 15 + "销售过期食品"  # 201 characters: longer than its column allows, as some stored rows are
TITLES = {
    "200 characters": LONG_TITLE[:200],
    "169 characters (the issue's example)": LONG_TITLE[:169],
    "a newline": "某超市销售过期食品\n涉及多个批次",
    "a CR, a tab and a Unicode line separator": "某超市\r\n销售\t过期\u2028食品",
}


@pytest.fixture
def active(file_incident, to_state):
    return to_state(file_incident(proposed_level=2), "active")


def _title(incident, title):
    # Stored as it stands: whatever the intake door allows today or allowed before.
    Incident.objects.filter(pk=incident.pk).update(title=title)


@pytest.mark.parametrize("title", TITLES.values(), ids=TITLES.keys())
def test_the_station_s_progress_report_works_and_the_office_is_told_in_one_line(active, cast, login, title):
    _title(active, title)
    response = login("station1").post(f"/reporting/incidents/{active.pk}/reports/",
                                      {"progress-content": "患病学生12人中已有8人出院。"})
    assert response.status_code == 302
    told = Notification.objects.get(user=cast["office"], step="station_report")
    assert len(told.title) <= 200 and "\n" not in told.title and "\r" not in told.title
    assert told.title.startswith("城关市场监督管理所")  # the unit and the reference stay whole
    reference = Incident.objects.get(pk=active.pk).reference
    assert reference in told.title
    # The incident's title gives way only when the whole would not fit in the 200 characters.
    whole = f"城关市场监督管理所报送了工作进展报告：{reference} {single_line(title)}"
    assert (ELLIPSIS in told.title) == (len(whole) > 200)


@pytest.mark.parametrize("title", TITLES.values(), ids=TITLES.keys())
def test_in_app_and_email_deliveries_succeed(cast, categories, django_capture_on_commit_callbacks, title):
    for name in ("station1", "office"):
        cast[name].email = f"{name}@zhongmou.example"
        cast[name].save(update_fields=["email"])
    with time_machine.travel(timezone.now() - timedelta(hours=3), tick=False):
        incident = incidents.incident_file(actor=cast["office"], station=Unit.objects.get(code="chengguan"), draft=True,
                                           title="待改标题", category=categories["food_safety"], proposed_level=2)
    _title(incident, title)
    with django_capture_on_commit_callbacks(execute=True):  # the deliveries the sweep queues run
        sweep_due(now=timezone.now())
    rows = Outbox.objects.filter(obligation__incident=incident)
    assert {row.channel for row in rows} == {Outbox.Channel.IN_APP, Outbox.Channel.EMAIL}
    assert [(row.channel, row.last_error) for row in rows if row.sent_at is None] == []
    sent = [message for message in mail.outbox if "@zhongmou.example" in message.to[0]]
    assert sent and all("\n" not in m.subject and "\r" not in m.subject and len(m.subject) <= 200 for m in sent)
    notes = Notification.objects.filter(incident=incident)
    assert notes and all(len(n.title) <= 200 and "\n" not in n.title for n in notes)
    due = timezone.localtime(incident.obligations.get(kind=Kind.FIRST_REPORT).due_at).strftime("%Y-%m-%d %H:%M")
    assert all("首报" in n.title and due in n.title for n in notes)  # the kind and the due time stay whole
    assert any(n.title.startswith("已逾期") for n in notes)


def test_label_shrinks_the_typed_part_and_keeps_the_words():
    made = label("逾期:%(what)s 应于 %(due)s 报送", {"what": "标" * 300, "due": "2026-11-30 08:00"}, limit=200,
                 shrink="what")
    assert len(made) == 200 and made.endswith("… 应于 2026-11-30 08:00 报送") and made.startswith("逾期:标")
    assert label("%(a)s", {"a": "短"}, limit=200, shrink="a") == "短"
    assert label("%(a)s\n%(b)s", {"a": "x\r\ny", "b": "z"}, limit=200, shrink="a") == "x y z"
    # The fixed words alone too long: cut at the end, still within the limit.
    assert len(label("固定" * 150 + "%(a)s", {"a": "x"}, limit=200, shrink="a")) == 200


def test_single_line_and_truncate():
    assert single_line("a\nb\r\nc\x0bd\x0ce\u2028f\u2029g\x85h\ti  j ") == "a b c d e f g h i j"
    assert single_line(None) == ""
    assert truncate("一二三四五", 5) == "一二三四五" and truncate("一二三四五六", 5) == "一二三四…"
    with pytest.raises(ValueError):
        truncate("x", 0)
