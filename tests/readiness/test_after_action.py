"""五(二)/六(一): an after-action report's plan improvements open a revision task for the section that
owns the plan (PLAN_REVISION); the new version records the incident and its approval fulfils the task."""

import datetime

import pytest
from django.utils import timezone

from readiness import services
from readiness.deadlines import local_day_end
from readiness.models import Plan, PlanVersion, RevisionRequest
from reporting.models import Kind, Obligation
from reporting.sweep import sweep_due
from tests.readiness.conftest import AFTER_ACTION, pdf_upload

pytestmark = pytest.mark.django_db


def _closed(file_incident, to_state, **kwargs):
    return to_state(file_incident(), "closed", **kwargs)


def test_improvements_open_a_revision_task_on_the_overall_plan(cast, units, overall, file_incident, to_state, settings):
    incident = _closed(file_incident, to_state)
    in_force = overall.versions.get(status=PlanVersion.Status.APPROVED)
    task = RevisionRequest.objects.get(incident=incident)
    assert task.plan == overall and task.version == in_force and task.improvements == AFTER_ACTION["improvements"]
    revision = Obligation.objects.get(plan_version=in_force, kind=Kind.PLAN_REVISION)
    assert revision.owner_unit == units["office"] and revision.status == Obligation.Status.PENDING
    filed = incident.investigation.filed_at
    expected = local_day_end(timezone.localtime(filed).date() + datetime.timedelta(days=settings.READINESS_PLAN_REVISION_DAYS))
    assert revision.due_at == expected


def test_the_special_plan_of_the_lead_section_is_the_one_revised(cast, units, overall, file_incident, to_state):
    special = services.plan_create(actor=cast["office"], bureau=units["bureau"], title="食品安全事故专项应急预案",
                                   kind=Plan.Kind.SPECIAL, owner_section=units["food_coordination"])
    version = services.plan_version_draft(actor=cast["food"], plan=special, upload=pdf_upload(), changes="首次发布。", reason="制定。")
    services.plan_version_approve(actor=cast["director"], version=version, approved_on=timezone.localdate())
    incident = _closed(file_incident, to_state)
    assert incident.hq.lead_section == units["food_coordination"]
    task = RevisionRequest.objects.get(incident=incident)
    assert task.plan == special
    assert Obligation.objects.get(plan_version=version, kind=Kind.PLAN_REVISION).owner_unit == units["food_coordination"]


def test_the_new_version_names_the_incident_and_its_approval_fulfils_the_task(cast, units, overall, file_incident, to_state):
    incident = _closed(file_incident, to_state)
    task = RevisionRequest.objects.get(incident=incident)
    old = task.version
    draft = services.plan_version_draft(actor=cast["office"], plan=overall, upload=pdf_upload(),
                                        changes="增加学校食堂事件的报告流程。", reason="事件复盘提出的改进。",
                                        revision_request=task)
    task.refresh_from_db()
    assert draft.incident == incident and task.answered_by == draft
    services.plan_version_approve(actor=cast["director"], version=draft, approved_on=timezone.localdate())
    assert set(Obligation.objects.filter(plan_version=old).values_list("kind", "status")) == {
        (Kind.PLAN_REVIEW, Obligation.Status.FULFILLED), (Kind.PLAN_REVISION, Obligation.Status.FULFILLED)}
    assert Obligation.objects.get(plan_version=draft).kind == Kind.PLAN_REVIEW


def test_a_task_missed_is_swept_overdue(cast, units, overall, file_incident, to_state):
    _closed(file_incident, to_state)
    revision = Obligation.objects.get(kind=Kind.PLAN_REVISION)
    sweep_due(now=revision.due_at + datetime.timedelta(seconds=1))
    revision.refresh_from_db()
    assert revision.status == Obligation.Status.OVERDUE


def test_without_a_plan_in_force_nothing_is_opened(cast, units, file_incident, to_state):
    incident = _closed(file_incident, to_state)
    assert incident.status == "closed"
    assert not RevisionRequest.objects.exists()
    assert not Obligation.objects.filter(kind=Kind.PLAN_REVISION).exists()
