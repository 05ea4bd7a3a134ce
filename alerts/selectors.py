"""Reads of alerts: who sees which deployment and release (what is left out is a 404), the public
page's published releases, and the releases' lines on an incident's timeline."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from alerts.models import Deployment, Release, ReleaseEvent
from alerts.services.releases import DRAFTING_SECTION_NUMBERS
from incidents.selectors import BUREAU_WIDE_ROLES, user_unit_ids
from roles.models import Unit
from roles.permissions import Role
from roles.selectors import user_bureau_ids, user_roles


def _drafting_bureaus(units) -> QuerySet:
    """The bureaus whose drafting sections (publicity, 12315) the units include, as a subquery."""
    return Unit.objects.filter(pk__in=units, kind=Unit.Kind.SECTION, number__in=DRAFTING_SECTION_NUMBERS).values("parent_id")


def deployments_visible_to(user) -> QuerySet[Deployment]:
    """Administrators: all. The bureau-wide roles (office, leading group, commander) and the drafting
    sections (publicity, 12315: they write the deployments' releases): their bureau's. Everyone else:
    the deployments in which one of their units owes a task. Anonymous: none."""
    if not user.is_authenticated:
        return Deployment.objects.none()
    roles = user_roles(user)
    if Role.ADMINISTRATOR in roles:
        return Deployment.objects.all()
    units = user_unit_ids(user)
    visible = Q(pk__in=Deployment.objects.filter(tasks__owner_unit__in=units).order_by().values("pk"))
    visible |= Q(bureau_id__in=_drafting_bureaus(units))
    if roles & BUREAU_WIDE_ROLES:
        visible |= Q(bureau_id__in=user_bureau_ids(user))
    return Deployment.objects.filter(visible)


def releases_visible_to(user) -> QuerySet[Release]:
    """Published releases: everyone of their bureau. Unpublished: the bureau-wide roles of the bureau,
    the drafting unit, and the bureau's drafting sections (publicity, 12315). Administrators: all."""
    if not user.is_authenticated:
        return Release.objects.none()
    roles = user_roles(user)
    if Role.ADMINISTRATOR in roles:
        return Release.objects.all()
    bureaus = user_bureau_ids(user)
    units = user_unit_ids(user)
    visible = Q(status=Release.Status.PUBLISHED, bureau_id__in=bureaus) | Q(unit_id__in=units)
    visible |= Q(bureau_id__in=_drafting_bureaus(units))
    if roles & BUREAU_WIDE_ROLES:
        visible |= Q(bureau_id__in=bureaus)
    return Release.objects.filter(visible)


def published_releases(*, kind: str | None = None, current_only: bool = False) -> QuerySet[Release]:
    """What the public page shows (no login): published releases only, newest first. `current_only`:
    warnings still valid now, and the releases that are no warnings."""
    rows = Release.objects.filter(status=Release.Status.PUBLISHED).select_related("bureau", "published_version")
    if kind:
        rows = rows.filter(kind=kind)
    if current_only:
        rows = rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()))
    return rows.order_by("-published_at", "-pk")


def release_timeline(incident) -> list:
    """Each step of each release about the incident as a timeline entry (registered in alerts.apps
    into incidents.timeline.TIMELINE_SOURCES; the incident page has already checked visibility).
    One query."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from incidents.timeline import TimelineEntry

    steps = (ReleaseEvent.objects.filter(release__incident=incident)
             .select_related("release__unit", "actor", "delegation__acting").order_by("at", "pk"))
    entries = []
    for step in steps:
        release = step.release
        notes = [_("%(kind)s “%(title)s”, version %(version)s") % {
            "kind": release.get_kind_display(), "title": release.title, "version": step.version or "—"}]
        entries.append(TimelineEntry(
            at=step.at, title=step.get_kind_display(), actor=step.actor, actor_role=release.unit.display_name,
            delegation=step.delegation, message=step.note, notes=notes, kind=f"release:{step.kind}",
            links=[(_("Open the release"), reverse("alerts:release_detail", args=[release.pk]))],
        ))
    return entries
