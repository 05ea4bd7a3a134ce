"""Plans as versioned documents (预案管理, 六(一)): drafting a version, the leading group's approval,
reviews and revision tasks. Each service checks the actor's right and runs in one transaction."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.attachments import check_upload
from readiness import deadlines
from readiness.models import Plan, PlanReview, PlanVersion, RevisionRequest
from readiness.services.base import is_member, plausible_day, is_office_of, require_leader, require_office, required_text, unit_of_bureau
from roles.models import Unit

V = PlanVersion.Status


@transaction.atomic
def plan_create(*, actor, bureau: Unit, title: str, kind: str, owner_section: Unit,
                review_interval_years: int | None = None) -> Plan:
    """A new plan of `bureau` (no version yet), by its office. ValidationError: a second overall
    plan, an owner that is not a section of the bureau, an empty title."""
    require_office(actor, bureau)
    title = required_text("title", title)
    unit_of_bureau(owner_section, bureau, "owner_section")
    if owner_section.kind != Unit.Kind.SECTION:
        raise ValidationError({"owner_section": _("A plan is owned by a section.")})
    if kind == Plan.Kind.OVERALL and Plan.objects.filter(bureau=bureau, kind=Plan.Kind.OVERALL).exists():
        raise ValidationError({"kind": _("The bureau already has its overall plan: add a version to it.")})
    return Plan.objects.create(bureau=bureau, title=title, kind=kind, owner_section=owner_section,
                               review_interval_years=review_interval_years)


def may_draft(user, plan: Plan) -> bool:
    """Special plans are revised by their section, the overall plan for the leading group by the office (六(一))."""
    return is_office_of(user, plan.bureau) or is_member(user, plan.owner_section)


@transaction.atomic
def plan_version_draft(*, actor, plan: Plan, upload, changes: str, reason: str,
                       revision_request: RevisionRequest | None = None) -> PlanVersion:
    """A draft of the next version: its document (checked as incident attachments are), what changed
    and why, and the revision task it answers (whose incident it then names). PermissionDenied unless
    the office or the owner section; ValidationError for a bad file or empty text."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not may_draft(actor, plan):
        raise PermissionDenied(_("Only the office or %(unit)s, which owns this plan, may draft its versions.")
                               % {"unit": plan.owner_section.display_name})
    changes, reason = required_text("changes", changes), required_text("reason", reason)
    if upload is None:
        raise ValidationError({"file": _("This is needed.")})
    try:
        content_type = check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if revision_request is not None and (revision_request.plan_id != plan.pk or revision_request.answered_by_id):
        raise ValidationError({"revision_request": _("This revision task is not an open task of this plan.")})
    last = plan.versions.order_by("-number").first()
    version = PlanVersion(plan=plan, number=(last.number + 1) if last else 1, changes=changes, reason=reason,
                          drafted_by=actor, file_name=upload.name[:255], content_type=content_type,
                          incident=revision_request.incident if revision_request else None)
    version.file.save(upload.name, upload, save=False)
    version.save()
    if revision_request is not None:
        revision_request.answered_by = version
        revision_request.save(update_fields=["answered_by"])
    return version


def default_review_due(plan: Plan, approved_on: datetime.date) -> datetime.date:
    """`approved_on` plus the plan's review interval (else READINESS_PLAN_REVIEW_YEARS); 29 February → 28."""
    years = plan.review_interval_years or settings.READINESS_PLAN_REVIEW_YEARS
    try:
        return approved_on.replace(year=approved_on.year + years)
    except ValueError:
        return approved_on.replace(year=approved_on.year + years, day=28)


@transaction.atomic
def plan_version_approve(*, actor, version: PlanVersion, approved_on: datetime.date,
                         next_review_due: datetime.date | None = None, at=None) -> PlanVersion:
    """The leading group approves a draft (六(一)): it comes into force, the previous version is
    superseded, the open review and revision obligations of the plan's earlier versions are fulfilled
    (at `at`, default now, UTC), and the new version's review falls due at 24:00 of `next_review_due`
    (default: approved_on + the review interval). PermissionDenied unless the leader (or acting
    leader) of the plan's bureau; ValidationError for a version not a draft or bad dates."""
    at = at or timezone.now()
    version = PlanVersion.objects.select_for_update().select_related("plan__bureau", "plan__owner_section").get(pk=version.pk)
    plan = version.plan
    require_leader(actor, plan.bureau)
    if version.status != V.DRAFT:
        raise ValidationError({"status": _("Only a draft can be approved.")})
    plausible_day(approved_on, "approved_on")
    if next_review_due is not None:
        plausible_day(next_review_due, "next_review_due")
    if approved_on > timezone.localdate(at):
        raise ValidationError({"approved_on": _("The approval date cannot be in the future.")})
    next_review_due = next_review_due or default_review_due(plan, approved_on)
    if next_review_due <= timezone.localdate(at):
        raise ValidationError({"next_review_due": _("The next review must fall after today.")})
    for old in plan.versions.select_for_update().exclude(pk=version.pk):
        deadlines.fulfil_open(at, plan_version=old)
        if old.status == V.APPROVED:
            old.status = V.SUPERSEDED
            old.save(update_fields=["status"])
    version.status, version.approved_by, version.approved_on = V.APPROVED, actor, approved_on
    version.next_review_due = next_review_due
    version.save(update_fields=["status", "approved_by", "approved_on", "next_review_due"])
    deadlines.plan_review_open(version, at)
    return version


@transaction.atomic
def plan_review_record(*, actor, version: PlanVersion, reviewed_on: datetime.date, finding: str,
                       next_review_due: datetime.date | None = None, at=None) -> PlanReview:
    """The periodic review of the version in force found no revision needed (预案评估): the open review
    obligation is fulfilled at `at` (late if late) and the next review falls due at 24:00 of
    `next_review_due` (default: reviewed_on + the review interval), a new row of the same version.
    By the office or the owner section (PermissionDenied otherwise); ValidationError unless the
    version is in force, the dates are plausible and the finding is given."""
    at = at or timezone.now()
    version = PlanVersion.objects.select_for_update().select_related("plan__bureau", "plan__owner_section").get(pk=version.pk)
    plan = version.plan
    if not may_draft(actor, plan):
        raise PermissionDenied(_("Only the office or %(unit)s, which owns this plan, may record its reviews.")
                               % {"unit": plan.owner_section.display_name})
    if version.status != V.APPROVED:
        raise ValidationError({"version": _("Only the version in force is reviewed.")})
    finding = required_text("finding", finding)
    plausible_day(reviewed_on, "reviewed_on")
    if reviewed_on > timezone.localdate(at):
        raise ValidationError({"reviewed_on": _("The review date cannot be in the future.")})
    next_review_due = next_review_due or default_review_due(plan, reviewed_on)
    plausible_day(next_review_due, "next_review_due")
    if next_review_due <= timezone.localdate(at):
        raise ValidationError({"next_review_due": _("The next review must fall after today.")})
    review = PlanReview.objects.create(version=version, reviewed_on=reviewed_on, reviewed_by=actor, finding=finding,
                                       next_review_due=next_review_due, created_at=at)
    for obligation in deadlines.open_for(plan_version=version, kind=deadlines.Kind.PLAN_REVIEW).select_for_update():
        deadlines.engine.fulfil(obligation, None, at)
    version.next_review_due = next_review_due
    version.save(update_fields=["next_review_due"])
    deadlines.plan_review_open(version, at)
    return review


def in_force(plan: Plan) -> PlanVersion | None:
    return plan.versions.filter(status=V.APPROVED).first()


def plan_for_incident(incident) -> Plan | None:
    """The plan an incident's lessons revise: the special plan of the HQ's lead section when there
    is one in force, else the bureau's overall plan (六(一): each special plan is its section's)."""
    bureau = incident.station.bureau()
    plans = Plan.objects.filter(bureau=bureau, versions__status=V.APPROVED)
    hq = getattr(incident, "hq", None)
    if hq is not None:
        special = plans.filter(kind=Plan.Kind.SPECIAL, owner_section=hq.lead_section).order_by("pk").first()
        if special is not None:
            return special
    return plans.filter(kind=Plan.Kind.OVERALL).first()


def plan_revision_request(*, incident, improvements: str, at) -> RevisionRequest | None:
    """五(二) 完善相应的专项应急制度: an after-action report filed with plan improvements opens a
    revision task for the owning section (PLAN_REVISION on the version in force, due
    READINESS_PLAN_REVISION_DAYS calendar days after `at`). None when the text is empty, the bureau
    has no plan in force, or the incident already opened one. Runs in the caller's transaction."""
    improvements = (improvements or "").strip()
    plan = plan_for_incident(incident) if improvements else None
    version = in_force(plan) if plan is not None else None
    if version is None or RevisionRequest.objects.filter(plan=plan, incident=incident).exists():
        return None
    request = RevisionRequest.objects.create(plan=plan, version=version, incident=incident,
                                             improvements=improvements, created_at=at)
    deadlines.plan_revision_open(version, at, settings.READINESS_PLAN_REVISION_DAYS)
    return request


def on_incident_event(sender, event, **kwargs) -> None:
    """The receiver of incidents' event signal (connected in reporting/apps.py, the one place)."""
    from incidents.models import IncidentEvent

    if event.kind == IncidentEvent.Kind.AFTER_ACTION_FILED:
        plan_revision_request(incident=event.incident, improvements=event.data.get("improvements", ""), at=event.at)
