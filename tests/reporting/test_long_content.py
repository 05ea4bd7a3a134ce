"""Issue 10, kind 9: long content in documents. A long word (a link, a batch number) wraps
instead of running off the page (overflow-wrap: anywhere), and what people type has a stated
maximum length, checked by the form and by the API alike (common/limits.py says why these).
How long a PDF takes at the maximum: bench/pdf.py, figures in docs/benchmarks.md."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from common import limits
from reporting.models import Kind, Report
from reporting.services import report_submit

pytestmark = pytest.mark.django_db

# 206 characters with no space: a traceability link as the market's system prints it.
URL = ("https://trace.zhongmou.example/food/batch/2026/11/30/"
       + "".join(f"{n:03d}" for n in range(40)) + "?lot=AB12&sig=" + "f" * 19)


def _text(pdf: bytes) -> str:
    """What a reader sees on the pages, read by poppler's pdftotext, which (unlike pypdf) leaves
    out the characters placed beyond the page's edge."""
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have poppler-utils (make installs it)")
        pytest.skip("needs pdftotext (poppler-utils) to read the PDF back")
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def active(file_incident, to_state):
    return to_state(file_incident(proposed_level=2), "active")


def test_a_206_character_link_is_all_on_the_page(active, cast, login):
    assert len(URL) == 206
    report = report_submit(actor=cast["office"], incident=active, kind=Kind.PROGRESS_REPORT,
                           content=f"追溯信息见{URL},涉事批次已全部封存。")
    pdf = login("office").get(f"/reporting/reports/{report.pk}.pdf").content
    assert URL in "".join(_text(pdf).split()), _text(pdf)


def test_a_long_incident_title_wraps_in_the_accountability_record(file_incident, login):
    from datetime import timedelta

    from django.utils import timezone

    file_incident(proposed_level=2, title=URL[:200], occurred_at=timezone.now() - timedelta(hours=2))
    day = timezone.localdate()
    pdf = login("office").get("/reporting/accountability.pdf", {
        "start": (day - timedelta(days=2)).isoformat(), "end": day.isoformat()}).content
    assert URL[:200] in "".join(_text(pdf).split())


def test_pages_and_documents_let_long_words_wrap():
    css = (Path(settings.BASE_DIR) / "static/css/portal.css").read_text()
    document = (Path(settings.BASE_DIR) / "templates/reporting/documents/base.html").read_text()
    assert "overflow-wrap: anywhere" in css and "overflow-wrap: anywhere" in document


def test_the_report_form_states_and_keeps_its_limit(active, cast, login):
    page = login("station1").get(f"/incidents/{active.pk}/").content.decode()
    assert f'maxlength="{limits.REPORT_BODY}"' in page and f"最多{limits.REPORT_BODY}字" in page
    before = Report.objects.count()
    response = login("station1").post(f"/reporting/incidents/{active.pk}/reports/",
                                      {"progress-content": "字" * (limits.REPORT_BODY + 1)})
    assert response.status_code == 400 and "20000" in response.content.decode()
    assert Report.objects.count() == before
    response = login("station1").post(f"/reporting/incidents/{active.pk}/reports/",
                                      {"progress-content": "字" * limits.REPORT_BODY})
    assert response.status_code == 302 and Report.objects.count() == before + 1


def test_the_api_keeps_the_same_limit(active, api):
    before = Report.objects.count()
    response = api("office").post(f"/api/incidents/{active.pk}/reports/", {
        "kind": Kind.PROGRESS_REPORT, "content": "字" * (limits.REPORT_BODY + 1)}, format="json")
    assert response.status_code == 400 and "content" in response.json()
    assert Report.objects.count() == before
    schema = api("office").get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["Report"]["properties"]["content"]["maxLength"] == limits.REPORT_BODY


def test_the_intake_form_and_api_bound_each_text(cast, categories, login, api):
    from incidents.models import Incident

    page = login("station1").get("/incidents/new/").content.decode()
    assert page.count(f'maxlength="{limits.LONG_TEXT}"') == 4 and f"最多{limits.LONG_TEXT}字" in page
    before = Incident.objects.count()
    response = api("station1").post("/api/incidents/", {
        "draft": True, "title": "某超市销售过期食品", "description": "字" * (limits.LONG_TEXT + 1)}, format="json")
    assert response.status_code == 400 and "description" in response.json()
    assert Incident.objects.count() == before


@pytest.mark.parametrize("path, field, limit", [
    ("/api/incidents/{pk}/return/", "message", limits.LONG_TEXT),
    ("/api/incidents/{pk}/correct/", "reason", limits.REASON),
])
def test_action_bodies_are_bounded_in_the_api(file_incident, api, path, field, limit):
    incident = file_incident(proposed_level=2)
    response = api("office").post(path.format(pk=incident.pk), {field: "字" * (limit + 1)}, format="json")
    assert response.status_code == 400 and field in response.json()


def test_a_measure_s_title_fits_its_column_in_the_api(active, api):
    # The column holds 200 characters; the API used to pass more on, and PostgreSQL answered with a 500.
    from incidents.models import Measure

    before = Measure.objects.count()
    response = api("director").post(f"/api/incidents/{active.pk}/add-measure/", {
        "title": "封" * 201, "owner_unit": "chengguan"}, format="json")
    assert response.status_code == 400 and "title" in response.json()
    assert Measure.objects.count() == before


def test_a_waived_deadline_s_reason_is_bounded(file_incident, to_state, cast, login):
    from reporting.models import Obligation

    incident = to_state(file_incident(proposed_level=2), "verified")
    ob = Obligation.objects.get(incident=incident, kind=Kind.UPWARD_REPORT)
    page = login("director").post(f"/reporting/obligations/{ob.pk}/waive/", {"reason": "字" * (limits.REASON + 1)},
                                  follow=True).content.decode()
    assert "最多1000字" in page  # the message, in the page the office is sent back to
    ob.refresh_from_db()
    assert ob.status != Obligation.Status.WAIVED and ob.waived_reason == ""


def _form_cases():
    from incidents import forms as f
    from roles.forms import ContactForm, DelegationForm

    return [
        (f.MessageForm, {}, "message", limits.LONG_TEXT),
        (f.SummaryForm, {}, "summary", limits.LONG_TEXT),
        (f.ReasonForm, {}, "reason", limits.REASON),
        (f.MeasureAddForm, {}, "description", limits.LONG_TEXT),
        (f.MeasureUpdateForm, {}, "completion_note", limits.LONG_TEXT),
        (f.TeamForm, {}, "experts", limits.LONG_TEXT),
        *[(f.AfterActionForm, {}, name, limits.LONG_TEXT)
          for name in ("cause", "handling", "follow_up", "lessons", "improvements")],
        (ContactForm, {}, "notes", limits.LONG_TEXT),
        (DelegationForm, {"leader": "director"}, "reason", limits.REASON),
    ]


@pytest.mark.parametrize("case", range(13))
def test_every_free_text_field_of_the_forms_states_and_keeps_a_limit(cast, case):
    assert len(_form_cases()) == 13  # every case is run
    form_class, kwargs, name, limit = _form_cases()[case]
    kwargs = {key: cast[value] for key, value in kwargs.items()}
    form = form_class({name: "字" * (limit + 1)}, **kwargs)
    assert not form.is_valid() and name in form.errors
    assert f"最多{limit}字" in str(form[name].help_text)
    assert f'maxlength="{limit}"' in str(form[name])
    assert name not in form_class({name: "字" * limit}, **kwargs).errors
