"""Releases and warnings (信息发布, 市场预警, 消费预警): drafted by the publicity section, the incident's
lead section (the emergency office) or the 12315 centre (plan 二(二)1 entries 2 and 19, 二(一)3),
approved by the leading group's leader or acting leader (四(三) 特别重要的信息发布要经应急领导小组审批,
统一口径,统一发布), then published, its text frozen. Every saved text is a ReleaseVersion; every step a
ReleaseEvent, shown on the linked incident's timeline.

Errors: PermissionDenied (403, saying who may), InvalidTransition (409: the release's state does not
allow it), ValidationError (400, by field)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alerts.models import Deployment, Release, ReleaseEvent, ReleaseVersion
from alerts.services.common import section_numbered
from alerts.services.deployments import tasks_done_by_release
from common import limits
from incidents.models import Incident
from incidents.services import InvalidTransition, leading_group_decider
from roles.models import Membership, Unit, User
from roles.selectors import user_bureau_ids

# The sections that draft releases, by their number in the plan (二(二)1): 2 新闻宣传 (publicity),
# 19 12315投诉中心 (consumer warnings). An incident's lead section drafts for its incident too.
DRAFTING_SECTION_NUMBERS = (2, 19)
TEXT_FIELDS = ("title", "body", "level", "valid_from", "valid_until", "affected")
S = Release.Status
E = ReleaseEvent.Kind


def drafting_units(user: User, bureau: Unit, incident: Incident | None = None) -> list[Unit]:
    """The units through which `user` may draft a release of `bureau` (about `incident`): their
    membership of its publicity section, its 12315 centre, or the incident's lead section. One query."""
    allowed = Q(parent=bureau, kind=Unit.Kind.SECTION, number__in=DRAFTING_SECTION_NUMBERS, is_active=True)
    hq = getattr(incident, "hq", None) if incident is not None else None
    if hq is not None:
        allowed |= Q(pk=hq.lead_section_id)
    return list(Unit.objects.filter(allowed, memberships__user=user).distinct().order_by("number", "pk"))


def _who_drafts() -> str:
    return _("Releases are drafted by the publicity section, the incident's lead section or the 12315 complaint centre.")


def check_edit(user: User, release: Release) -> None:
    """The drafting unit's staff edit and submit its release (403)."""
    if not Membership.objects.filter(user=user, unit_id=release.unit_id).exists():
        raise PermissionDenied(_("Only the staff of %(unit)s, which drafted this release, may change or submit it.")
                               % {"unit": release.unit.display_name})


def check_approve(user: User, release: Release):
    """The leader of the release's bureau's leading group, or the acting leader (403). Returns the
    delegation acted under (None for the leader)."""
    who = _("Releases are approved by the leading group's leader (the director) or the acting leader the leader has designated.")
    if release.bureau_id not in user_bureau_ids(user):
        raise PermissionDenied(who)
    try:
        return leading_group_decider(user)
    except PermissionDenied:
        raise PermissionDenied(who) from None


def check_publish(user: User, release: Release):
    """The drafting unit's staff publish what was approved, or the approver does (403)."""
    if Membership.objects.filter(user=user, unit_id=release.unit_id).exists():
        return None
    try:
        return check_approve(user, release)
    except PermissionDenied:
        raise PermissionDenied(_("An approved release is published by %(unit)s, which drafted it, or by the leading group's leader.")
                               % {"unit": release.unit.display_name}) from None


def _locked(release: Release) -> Release:
    return Release.objects.select_for_update().select_related("unit", "bureau").get(pk=release.pk)


def _require_status(release: Release, *statuses) -> None:
    if release.status not in statuses:
        if release.status == S.PUBLISHED:
            raise InvalidTransition(_("This release has been published: its text is frozen."))
        raise InvalidTransition(_("This cannot be done while the release is “%(status)s”.")
                                % {"status": release.get_status_display()})


def _clean(kind: str, fields: dict) -> dict:
    """The text fields checked: title and text needed, lengths capped, and for a warning its level
    (Ⅰ–Ⅳ), validity period and what it concerns. ValidationError by field."""
    errors = {}
    values = {name: fields.get(name) for name in TEXT_FIELDS}
    for name, limit in (("title", 200), ("body", limits.REPORT_BODY), ("affected", 500)):
        values[name] = (values[name] or "").strip()
        if len(values[name]) > limit:
            errors[name] = _("At most %(limit)s characters.") % {"limit": limit}
    if not values["title"]:
        errors["title"] = _("Give the release a title.")
    if not values["body"]:
        errors["body"] = _("Write the text of the release.")
    if kind in Release.WARNING_KINDS:
        if values["level"] not in (1, 2, 3, 4):
            errors["level"] = _("A warning has a level from Ⅰ (red) to Ⅳ (blue).")
        if not values["valid_from"] or not values["valid_until"]:
            errors["valid_until"] = _("A warning is valid from one time until another.")
        elif values["valid_until"] <= values["valid_from"]:
            errors["valid_until"] = _("The end of validity must come after its start.")
        if not values["affected"]:
            errors["affected"] = _("Name the goods or markets the warning concerns.")
    else:
        values.update(level=None, valid_from=None, valid_until=None, affected="")
    if errors:
        raise ValidationError(errors)
    return values


def _version(release: Release, actor: User, at) -> ReleaseVersion:
    last = release.versions.order_by("-number").first()
    return ReleaseVersion.objects.create(release=release, number=(last.number + 1) if last else 1, saved_by=actor,
                                         saved_at=at, **{name: getattr(release, name) for name in TEXT_FIELDS})


def _event(release: Release, kind: str, actor: User | None, at, *, note: str = "", version: int | None = None,
           delegation=None) -> ReleaseEvent:
    return ReleaseEvent.objects.create(release=release, kind=kind, actor=actor, at=at, note=note, version=version,
                                       delegation=delegation)


@transaction.atomic
def release_draft(*, actor: User, kind: str, incident: Incident | None = None, deployment: Deployment | None = None,
                  bureau: Unit | None = None, unit: Unit | None = None, **fields) -> Release:
    """A new draft (version 1) of `kind` (Release.Kind), linked to `incident` or `deployment` (or
    neither), of that one's bureau (else `bureau`, else the actor's). The actor drafts through
    `unit` (default: the first of drafting_units) — 403 when they may draft through none. Fields:
    title, body; for warnings also level (1–4), valid_from, valid_until (aware, UTC), affected."""
    if kind not in Release.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of release.")})
    if incident is not None and deployment is not None:
        raise ValidationError({"deployment": _("Link a release to an incident or a deployment, not both.")})
    if incident is not None:
        bureau = incident.station.parent
    elif deployment is not None:
        bureau = deployment.bureau
    elif bureau is None:
        ids = user_bureau_ids(actor)
        bureau = Unit.objects.filter(pk__in=ids).order_by("pk").first()
    if bureau is None:
        raise PermissionDenied(_who_drafts())
    units = drafting_units(actor, bureau, incident)
    if unit is None:
        unit = units[0] if units else None
    if unit is None or unit not in units:
        raise PermissionDenied(_who_drafts())
    values = _clean(kind, fields)
    now = timezone.now()
    release = Release.objects.create(bureau=bureau, kind=kind, unit=unit, incident=incident, deployment=deployment,
                                     created_by=actor, **values)
    version = _version(release, actor, now)
    _event(release, E.DRAFTED, actor, now, version=version.number)
    return release


@transaction.atomic
def release_update(*, actor: User, release: Release, **fields) -> Release:
    """Save a changed text as a new version (every version kept). Only a draft or a returned release
    (409 otherwise: a submitted one waits for the leader; a published one is frozen); the drafting
    unit's staff only (403). Fields not given keep their value."""
    release = _locked(release)
    check_edit(actor, release)
    _require_status(release, *Release.EDITABLE)
    values = _clean(release.kind, {name: fields.get(name, getattr(release, name)) for name in TEXT_FIELDS})
    if all(values[name] == getattr(release, name) for name in TEXT_FIELDS):
        return release  # nothing changed: no new version
    for name, value in values.items():
        setattr(release, name, value)
    release.save(update_fields=list(TEXT_FIELDS))
    now = timezone.now()
    version = _version(release, actor, now)
    _event(release, E.SAVED, actor, now, version=version.number)
    return release


@transaction.atomic
def release_submit(*, actor: User, release: Release) -> Release:
    """Send the draft (or the returned release, changed) to the leader for approval (四(三))."""
    release = _locked(release)
    check_edit(actor, release)
    _require_status(release, *Release.EDITABLE)
    release.status = S.SUBMITTED
    release.save(update_fields=["status"])
    _event(release, E.SUBMITTED, actor, timezone.now(), version=release.versions.count())
    return release


@transaction.atomic
def release_return(*, actor: User, release: Release, reason: str) -> Release:
    """The leader (or acting leader) sends a submitted release back for changes, saying why."""
    release = _locked(release)
    delegation = check_approve(actor, release)
    _require_status(release, S.SUBMITTED)
    reason = (reason or "").strip()
    if not reason or len(reason) > limits.REASON:
        raise ValidationError({"reason": _("Say what should change (at most %(limit)s characters).") % {"limit": limits.REASON}})
    release.status = S.RETURNED
    release.save(update_fields=["status"])
    _event(release, E.RETURNED, actor, timezone.now(), note=reason, delegation=delegation)
    return release


@transaction.atomic
def release_approve(*, actor: User, release: Release, note: str = "") -> Release:
    """The leader, or the acting leader designated for now, approves the submitted text (四(三)):
    403 for anyone else, 409 unless submitted."""
    release = _locked(release)
    delegation = check_approve(actor, release)
    _require_status(release, S.SUBMITTED)
    now = timezone.now()
    release.status, release.approved_by, release.approved_at = S.APPROVED, actor, now
    release.save(update_fields=["status", "approved_by", "approved_at"])
    _event(release, E.APPROVED, actor, now, note=(note or "").strip()[:limits.REASON], delegation=delegation,
           version=release.versions.count())
    tasks_done_by_release(release, actor, now)  # e.g. the deployment's 消费预警起草并经领导审批
    return release


@transaction.atomic
def release_publish(*, actor: User, release: Release) -> Release:
    """Publish the approved text: the newest version becomes the published one and the text is frozen
    (release_update refuses it from now on). 409 unless approved."""
    release = _locked(release)
    delegation = check_publish(actor, release)
    _require_status(release, S.APPROVED)
    now = timezone.now()
    release.status, release.published_at = S.PUBLISHED, now
    release.published_version = release.versions.order_by("-number").first()
    release.save(update_fields=["status", "published_at", "published_version"])
    _event(release, E.PUBLISHED, actor, now, delegation=delegation, version=release.published_version.number)
    return release


def end_announcement_draft(event) -> Release | None:
    """incidents' "announce" mark (五(一): Ⅰ/Ⅱ 必要时可通过新闻媒体向社会发布应急状态结束消息) made a
    release: an IncidentEvent `ended` with data {"announce": true} → a news release draft about the
    incident, drafted in the name of the bureau's publicity section (or the incident's lead section),
    which goes through the same approval. Runs inside incident_end's transaction (incident_event)."""
    from incidents.models import IncidentEvent

    if event.kind != IncidentEvent.Kind.ENDED or not (event.data or {}).get("announce"):
        return None
    incident = event.incident
    bureau = incident.station.parent
    hq = getattr(incident, "hq", None)
    unit = section_numbered(bureau, DRAFTING_SECTION_NUMBERS[0]) or (hq.lead_section if hq else None)
    if unit is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):  # the text is kept in the portal's language
        title = _("The emergency “%(title)s” has ended") % {"title": incident.title}
        body = event.message or title
    now = timezone.now()
    release = Release.objects.create(bureau=bureau, kind=Release.Kind.NEWS, unit=unit, incident=incident,
                                     created_by=event.actor, end_announcement=True, title=title[:200], body=body)
    version = _version(release, event.actor, now)
    _event(release, E.DRAFTED, event.actor, now, version=version.number)
    return release


def on_incident_event(sender, event, **kwargs) -> None:
    """Receiver of incidents.signals.incident_event (connected in alerts.apps)."""
    end_announcement_draft(event)
