"""Early-warning deployments (节前预警部署, plan 三(三)4 2) and 3)): the office's templates and major
events, beat opening deployments before each occasion, and owner units completing their tasks.

Each task's deadline is an obligation (reporting.obligations.create_for, kind deployment_task,
subject the deployment, sequence the task's number): reminded, marked overdue and escalated by the
one sweep, and kept in the accountability record (docs/deadlines.md rule 20)."""

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alerts.calendar import first_days
from alerts.models import Deployment, DeploymentTask, HolidayTrigger, MajorEvent, TaskTemplate
from alerts.services.common import require_office, section_numbered
from incidents.services import InvalidTransition
from roles.models import Membership, Unit, User

LOCAL = ZoneInfo(settings.TIME_ZONE)


# ---------------------------------------------------------------- the office's data


def task_templates_for(bureau: Unit) -> list[TaskTemplate]:
    """The bureau's task template rows, in number order. The first time, the plan's defaults (rows
    without a bureau) are copied to the bureau, so that its office edits its own."""
    rows = list(TaskTemplate.objects.filter(bureau=bureau).order_by("number"))
    if rows:
        return rows
    with transaction.atomic():
        for default in TaskTemplate.objects.filter(bureau=None).order_by("number"):
            TaskTemplate.objects.get_or_create(bureau=bureau, number=default.number, defaults={
                "title": default.title, "owner_number": default.owner_number, "days_before": default.days_before,
                "active": default.active, "done_on_approval": default.done_on_approval})
    return list(TaskTemplate.objects.filter(bureau=bureau).order_by("number"))


def _check_owner(bureau: Unit, owner_number: int) -> None:
    if section_numbered(bureau, owner_number) is None:
        raise ValidationError({"owner_number": _("%(bureau)s has no section with this number.")
                               % {"bureau": bureau.display_name}})


@transaction.atomic
def task_template_save(*, actor: User, bureau: Unit, template: TaskTemplate | None = None, title: str,
                       owner_number: int, days_before: int, active: bool = True,
                       done_on_approval: str = "") -> TaskTemplate:
    """Add (template None) or change one task of the bureau's template: the office of the bureau only
    (403). Applies to deployments opened afterwards; open ones keep their tasks (their deadlines are
    rows never moved later). ValidationError for an owner number the bureau has no section for."""
    require_office(actor, bureau)
    if template is not None and template.bureau_id != bureau.pk:
        raise PermissionDenied(_("Only the office (办公室/应急管理科) of %(bureau)s may do this.")
                               % {"bureau": bureau.display_name})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Name the task.")})
    _check_owner(bureau, owner_number)
    if template is None:
        task_templates_for(bureau)
        last = TaskTemplate.objects.filter(bureau=bureau).order_by("-number").first()
        template = TaskTemplate(bureau=bureau, number=(last.number + 1) if last else 1)
    template.title, template.owner_number, template.days_before, template.active = title, owner_number, days_before, active
    template.done_on_approval = done_on_approval or ""
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def major_event_save(*, actor: User, bureau: Unit, event: MajorEvent | None = None, name: str, starts_on: datetime.date,
                     ends_on: datetime.date, places: str = "") -> MajorEvent:
    """Add or change a major event (三(三)4 3) 重要会议活动): the office of the bureau only (403).
    A deployment already opened for it keeps its first day (its deadlines are rows)."""
    require_office(actor, bureau)
    if event is not None and event.bureau_id != bureau.pk:
        raise PermissionDenied(_("Only the office (办公室/应急管理科) of %(bureau)s may do this.")
                               % {"bureau": bureau.display_name})
    event = event or MajorEvent(bureau=bureau, created_by=actor)
    event.name, event.starts_on, event.ends_on, event.places = (name or "").strip(), starts_on, ends_on, (places or "").strip()
    event.full_clean(exclude=["created_by"])
    event.save()
    return event


@transaction.atomic
def major_event_delete(*, actor: User, event: MajorEvent) -> None:
    """Remove a major event the office added by mistake; 409 once a deployment opened for it."""
    require_office(actor, event.bureau)
    if event.deployments.exists():
        raise InvalidTransition(_("A deployment has been opened for this event: it stays on the record."))
    event.delete()


# ---------------------------------------------------------------- opening (beat)


def _end_of_local_day(day: datetime.date) -> datetime.datetime:
    """24:00 Asia/Shanghai of `day`, aware (UTC-comparable)."""
    return datetime.datetime.combine(day + timedelta(days=1), datetime.time(), tzinfo=LOCAL)


def occasions_due(today: datetime.date, lead_days: int) -> list[dict]:
    """The holidays (active HolidayTrigger rows) whose first day is within `lead_days` of `today`
    (local dates): today ≤ first day ≤ today + lead_days. A day beat missed is caught up: whatever
    was due to open on it still is, until its first day."""
    triggers = {t.key: t for t in HolidayTrigger.objects.filter(active=True)}
    horizon = today + timedelta(days=lead_days)
    found = []
    for holiday in first_days(triggers, {today.year, horizon.year}):
        if today <= holiday.first_day <= horizon:
            trigger = triggers[holiday.key]
            found.append({"occasion_key": f"holiday:{trigger.key}:{holiday.first_day.isoformat()}", "holiday": trigger,
                          "name": trigger.name, "name_en": trigger.name_en, "first_day": holiday.first_day})
    return found


def open_deployments(*, today: datetime.date | None = None, lead_days: int | None = None) -> list[Deployment]:
    """Beat's daily step (alerts.tasks.open_early_warning_deployments): for each bureau with sections,
    open the deployment of every holiday and major event whose first day is within `lead_days`
    (default settings.EARLY_WARNING_DAYS) of `today` (a local date; default today in Asia/Shanghai),
    once: a second run, or a run after missed days, opens nothing twice (unique bureau + occasion).
    Returns the deployments it opened now."""
    today = today or timezone.localdate()
    lead_days = settings.EARLY_WARNING_DAYS if lead_days is None else lead_days
    holidays_due = occasions_due(today, lead_days)
    horizon = today + timedelta(days=lead_days)
    bureaus = Unit.objects.filter(kind=Unit.Kind.BUREAU, is_active=True, children__kind=Unit.Kind.SECTION).distinct()
    opened = []
    for bureau in bureaus.order_by("pk"):
        events = MajorEvent.objects.filter(bureau=bureau, starts_on__gte=today, starts_on__lte=horizon)
        occasions = holidays_due + [
            {"occasion_key": f"event:{event.pk}", "major_event": event, "name": event.name, "name_en": "",
             "first_day": event.starts_on} for event in events]
        for occasion in occasions:
            deployment = deployment_open(bureau=bureau, lead_days=lead_days, **occasion)
            if deployment is not None:
                opened.append(deployment)
    return opened


def deployment_open(*, bureau: Unit, occasion_key: str, name: str, first_day: datetime.date, lead_days: int,
                    name_en: str = "", holiday: HolidayTrigger | None = None,
                    major_event: MajorEvent | None = None) -> Deployment | None:
    """Open one deployment with its tasks and their obligations, in one transaction; None when the
    bureau already has it (unique bureau + occasion_key, so two beats at once open it once). A task
    whose deadline has already passed (beat was down) is born overdue."""
    from reporting.models import Kind
    from reporting.obligations import create_for

    if Deployment.objects.filter(bureau=bureau, occasion_key=occasion_key).exists():
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            deployment = Deployment.objects.create(
                bureau=bureau, occasion_key=occasion_key, name=name, name_en=name_en, holiday=holiday,
                major_event=major_event, first_day=first_day, opens_on=first_day - timedelta(days=lead_days), opened_at=now)
            for template in task_templates_for(bureau):
                owner = section_numbered(bureau, template.owner_number) if template.active else None
                if owner is None:
                    continue
                due_at = _end_of_local_day(first_day - timedelta(days=template.days_before))
                DeploymentTask.objects.create(deployment=deployment, number=template.number, title=template.title,
                                              owner_unit=owner, due_at=due_at, done_on_approval=template.done_on_approval)
                create_for(kind=Kind.DEPLOYMENT_TASK, owner_unit=owner, starts_at=now, due_at=due_at,
                           sequence=template.number, deployment=deployment)
    except IntegrityError:  # another beat opened it in the meantime
        return None
    return deployment


# ---------------------------------------------------------------- completing a task


@transaction.atomic
def deployment_task_complete(*, actor: User, task: DeploymentTask, note: str) -> DeploymentTask:
    """The owner unit reports its task done, with a note: its obligation is fulfilled now (late if
    past due; the record keeps it). Members of the owner unit only (403); 409 when already done.
    When every task is done the deployment is done."""
    task = DeploymentTask.objects.select_for_update().select_related("deployment", "owner_unit").get(pk=task.pk)
    if not Membership.objects.filter(user=actor, unit=task.owner_unit).exists():
        raise PermissionDenied(_("Only the staff of %(unit)s may report this task done.") % {"unit": task.owner_unit.display_name})
    if task.done_at is not None:
        raise InvalidTransition(_("This task has already been reported done."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done.")})
    _task_done(task, actor, note, timezone.now())
    return task


def tasks_done_by_release(release, actor: User, at) -> list[DeploymentTask]:
    """The open tasks of the release's deployment that its approval completes (their template's
    done_on_approval is the release's kind, e.g. 消费预警起草并经领导审批 by a consumer warning),
    done by the approving leader at `at`, the release named in the note. Called by
    alerts.services.releases.release_approve inside its transaction; [] for a release of no deployment."""
    if release.deployment_id is None:
        return []
    tasks = list(DeploymentTask.objects.select_for_update().select_related("deployment").filter(
        deployment_id=release.deployment_id, done_on_approval=release.kind, done_at=None))
    with translation.override(settings.LANGUAGE_CODE):  # stored text: in the portal's language, as typed notes are
        note = _("Approved: %(title)s") % {"title": release.title}
    for task in tasks:
        _task_done(task, actor, note, at)
    return tasks


def _task_done(task: DeploymentTask, actor: User, note: str, at) -> None:
    """Record the task done (locked by the caller), fulfil its obligation (late if past due), and
    close the deployment when it was the last task."""
    from reporting.models import Kind, Obligation
    from reporting.obligations import fulfil

    task.done_at, task.done_by, task.note = at, actor, note
    task.save(update_fields=["done_at", "done_by", "note"])
    obligation = Obligation.objects.select_for_update().filter(
        deployment=task.deployment, kind=Kind.DEPLOYMENT_TASK, sequence=task.number).first()
    if obligation is not None and obligation.is_open:
        fulfil(obligation, None, at)
    deployment = task.deployment
    if not deployment.tasks.filter(done_at=None).exists():
        deployment.status = Deployment.Status.DONE
        deployment.save(update_fields=["status"])
