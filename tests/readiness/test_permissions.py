"""docs/permissions.md, Readiness: each action as each member of the cast, through the pages (HTTP
answers: 200/302 allowed, 403 with who may, 404 not seen) and the services."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from readiness import services
from readiness.models import Plan
from tests.readiness.conftest import pdf_upload

pytestmark = pytest.mark.django_db

CAST = ["director", "deputy", "office", "food", "station1", "station2", "outsider"]
OFFICE_ONLY = {"director": 403, "deputy": 403, "office": 200, "food": 403, "station1": 403, "station2": 403, "outsider": 404}


@pytest.mark.parametrize("url", ["/readiness/plans/new/", "/readiness/drills/plans/new/", "/readiness/assessments/new/",
                                 "/readiness/training/new/"])
@pytest.mark.parametrize("who", CAST)
def test_the_office_creates(login, cast, who, url):
    response = login(who).get(url)
    assert response.status_code == OFFICE_ONLY[who]
    if response.status_code == 403:
        assert "办公室" in response.content.decode()


@pytest.mark.parametrize("who, expected", [("director", 403), ("deputy", 403), ("office", 200), ("food", 200),
                                           ("station1", 403), ("station2", 403), ("outsider", 404)])
def test_the_office_or_the_owner_section_drafts_a_version(login, cast, units, who, expected):
    plan = services.plan_create(actor=cast["office"], bureau=units["bureau"], title="食品安全事故专项应急预案",
                                kind=Plan.Kind.SPECIAL, owner_section=units["food_coordination"])
    response = login(who).get(f"/readiness/plans/{plan.pk}/versions/new/")
    assert response.status_code == expected
    if expected == 403:
        assert "食品安全协调督查科" in response.content.decode()


@pytest.mark.parametrize("who, approved", [("director", True), ("deputy", False), ("office", False), ("food", False),
                                           ("station1", False), ("outsider", False)])
def test_only_the_leader_approves(login, cast, units, overall, who, approved):
    draft = services.plan_version_draft(actor=cast["office"], plan=overall, upload=pdf_upload(), changes="c", reason="r")
    response = login(who).post(f"/readiness/versions/{draft.pk}/approve/", {"approved_on": timezone.localdate().isoformat()})
    draft.refresh_from_db()
    assert (draft.status == "approved") is approved
    assert response.status_code == {"director": 302, "outsider": 404}.get(who, 403)


@pytest.mark.parametrize("who, done", [("director", False), ("office", False), ("food", False), ("station1", True),
                                       ("station2", False)])
def test_the_owner_unit_reports_an_item_done(login, cast, units, held_drill, who, done):
    item = services.rectification_add(actor=cast["office"], drill=held_drill, problem="p", action="a",
                                      owner_unit=units["chengguan"], deadline=timezone.localdate() + datetime.timedelta(days=1))
    response = login(who).post(f"/readiness/items/{item.pk}/done/", {"note": "完成。"})
    item.refresh_from_db()
    assert (item.done_at is not None) is done
    assert response.status_code == 302 if done else response.status_code == 403


def test_another_bureaus_office_creates_nothing_here(api, cast, counties, units, held_drill):
    body = {"problem": "p", "action": "a", "owner_unit": "chengguan",
            "deadline": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}
    assert api("xz_office").post(f"/api/drills/{held_drill.pk}/rectifications/", body, format="json").status_code == 404
    course = services.course_create(actor=cast["office"], bureau=units["bureau"], title="t", topic="t",
                                    date=timezone.localdate(), hours=Decimal("1"))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=cast["xz_office"], course=course, user=cast["station1"], result="passed")
