"""Plans as versioned documents (六(一)): the leading group approves a version, the next review is an
obligation of the owner section, and approving the next version fulfils the old one's deadlines."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from readiness import services
from readiness.deadlines import local_day_end
from readiness.models import Plan, PlanVersion
from readiness.services.plans import default_review_due
from reporting.models import Kind, Obligation
from tests.readiness.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def test_approval_puts_a_version_in_force_with_its_review_due_in_three_years(cast, units, overall, settings):
    version = overall.versions.get()
    today = timezone.localdate()
    assert version.status == PlanVersion.Status.APPROVED and version.approved_by == cast["director"]
    assert version.next_review_due == default_review_due(overall, today)
    assert version.next_review_due.year == today.year + settings.READINESS_PLAN_REVIEW_YEARS
    review = Obligation.objects.get(plan_version=version)
    assert review.kind == Kind.PLAN_REVIEW and review.owner_unit == units["office"]
    assert review.due_at == local_day_end(version.next_review_due) and review.status == Obligation.Status.PENDING


def test_the_interval_comes_from_the_plan_when_set(cast, units, settings):
    plan = services.plan_create(actor=cast["office"], bureau=units["bureau"], title="食品安全事故专项应急预案",
                                kind=Plan.Kind.SPECIAL, owner_section=units["food_coordination"], review_interval_years=2)
    assert default_review_due(plan, datetime.date(2024, 2, 29)) == datetime.date(2026, 2, 28)
    settings.READINESS_PLAN_REVIEW_YEARS = 5
    plan.review_interval_years = None
    assert default_review_due(plan, datetime.date(2026, 3, 1)) == datetime.date(2031, 3, 1)


def test_a_new_version_supersedes_the_old_and_fulfils_its_review(cast, units, overall):
    old = overall.versions.get()
    draft = services.plan_version_draft(actor=cast["office"], plan=overall, upload=pdf_upload(), changes="调整报告时限表述。",
                                        reason="上级预案修订。")
    assert draft.number == 2 and draft.status == PlanVersion.Status.DRAFT
    later = timezone.localdate() + datetime.timedelta(days=400)
    services.plan_version_approve(actor=cast["director"], version=draft, approved_on=timezone.localdate(), next_review_due=later)
    old.refresh_from_db()
    draft.refresh_from_db()
    assert old.status == PlanVersion.Status.SUPERSEDED and draft.status == PlanVersion.Status.APPROVED
    assert Obligation.objects.get(plan_version=old).status == Obligation.Status.FULFILLED
    new_review = Obligation.objects.get(plan_version=draft)
    assert new_review.kind == Kind.PLAN_REVIEW and new_review.due_at == local_day_end(later)


@pytest.mark.parametrize("who", ["office", "deputy", "food", "station1"])
def test_only_the_leading_group_leader_approves(cast, units, overall, who):
    draft = services.plan_version_draft(actor=cast["office"], plan=overall, upload=pdf_upload(), changes="c", reason="r")
    with pytest.raises(PermissionDenied):
        services.plan_version_approve(actor=cast[who], version=draft, approved_on=timezone.localdate())
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.DRAFT
    assert not Obligation.objects.filter(plan_version=draft).exists()


def test_a_special_plan_is_drafted_by_its_section_not_by_a_station(cast, units):
    plan = services.plan_create(actor=cast["office"], bureau=units["bureau"], title="食品安全事故专项应急预案",
                                kind=Plan.Kind.SPECIAL, owner_section=units["food_coordination"])
    version = services.plan_version_draft(actor=cast["food"], plan=plan, upload=pdf_upload(), changes="初稿。", reason="制定。")
    assert version.number == 1 and version.drafted_by == cast["food"]
    with pytest.raises(PermissionDenied):
        services.plan_version_draft(actor=cast["station1"], plan=plan, upload=pdf_upload(), changes="c", reason="r")


def test_a_file_that_is_not_what_it_says_is_refused(cast, units, overall):
    fake = SimpleUploadedFile("预案.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError) as caught:
        services.plan_version_draft(actor=cast["office"], plan=overall, upload=fake, changes="c", reason="r")
    assert "file" in caught.value.message_dict
    assert overall.versions.count() == 1


def test_one_overall_plan_per_bureau(cast, units, overall):
    with pytest.raises(ValidationError) as caught:
        services.plan_create(actor=cast["office"], bureau=units["bureau"], title="另一个", kind=Plan.Kind.OVERALL,
                             owner_section=units["office"])
    assert "kind" in caught.value.message_dict


def test_approval_dates_are_checked(cast, units, overall):
    draft = services.plan_version_draft(actor=cast["office"], plan=overall, upload=pdf_upload(), changes="c", reason="r")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.plan_version_approve(actor=cast["director"], version=draft, approved_on=tomorrow)
    assert "approved_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.plan_version_approve(actor=cast["director"], version=draft, approved_on=timezone.localdate(),
                                      next_review_due=timezone.localdate())
    assert "next_review_due" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.plan_version_approve(actor=cast["director"], version=draft, approved_on=datetime.date(1999, 1, 1))
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.DRAFT


def test_level_criteria_and_measure_templates_show_their_plan_version(cast, units, overall, login):
    from incidents.models import LevelPolicy, MeasureTemplate

    version = overall.versions.get()
    LevelPolicy.objects.filter(level=1).update(plan_version=version)
    template = MeasureTemplate.objects.filter(level=1).first()
    MeasureTemplate.objects.filter(pk=template.pk).update(plan_version=version)
    client = login("admin")
    for url in ("/admin/incidents/levelpolicy/", "/admin/incidents/measuretemplate/"):
        assert f"{overall.title} v1" in client.get(url).content.decode(), url


def test_a_review_without_revision_fulfils_the_review_and_opens_the_next(cast, units, overall, login):
    version = overall.versions.get()
    first = Obligation.objects.get(plan_version=version)
    later = timezone.localdate() + datetime.timedelta(days=500)
    response = login("office").post(f"/readiness/versions/{version.pk}/review/", {
        "reviewed_on": timezone.localdate().isoformat(), "finding": "职责分工未变,预案适用。",
        "next_review_due": later.isoformat()})
    assert response.status_code == 302
    first.refresh_from_db()
    version.refresh_from_db()
    assert first.status == Obligation.Status.FULFILLED and version.next_review_due == later
    second = Obligation.objects.get(plan_version=version, status=Obligation.Status.PENDING)
    assert second.kind == Kind.PLAN_REVIEW and second.sequence == 2 and second.due_at == local_day_end(later)
    assert version.reviews.get().finding == "职责分工未变,预案适用。"
    # A station may not record it; a review with no finding changes nothing.
    with pytest.raises(PermissionDenied):
        services.plan_review_record(actor=cast["station1"], version=version, reviewed_on=timezone.localdate(), finding="x")
    with pytest.raises(ValidationError):
        services.plan_review_record(actor=cast["office"], version=version, reviewed_on=timezone.localdate(), finding=" ")
    assert Obligation.objects.filter(plan_version=version).count() == 2
