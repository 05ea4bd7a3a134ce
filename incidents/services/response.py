"""The response's measures (三(三)): the level's checklist, tasks the HQ adds, measures reported done."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.timebounds import validate_planned
from incidents.models import Incident, Measure, MeasureTemplate
from incidents.services.base import (
    E,
    InvalidTransition,
    S,
    _event,
    _grant_view,
    _is_member,
    _locked,
    _may_command,
    _plain,
    _require_own_bureau,
    _require_status,
    _require_text,
)
from incidents.services.checks import check_measure_add
from incidents.services.files import _attach
from roles.models import Unit, User
from roles.selectors import bureau_section, office_section


def _owner_unit(incident: Incident, owner: str) -> Unit:
    hq = getattr(incident, "hq", None)
    if owner == MeasureTemplate.Owner.STATION:
        return incident.station
    bureau = incident.station.bureau()
    section = bureau_section(bureau, incident.category.section)
    if owner == MeasureTemplate.Owner.OFFICE:
        return office_section(bureau) or section
    return hq.lead_section if hq else section


def _measures_from_templates(incident: Incident, level: int, *, start) -> None:
    existing = set(incident.measures.filter(status=Measure.Status.OPEN).values_list("template_id", flat=True))
    owners = {}
    for template in MeasureTemplate.objects.filter(level=level, is_active=True).exclude(pk__in=existing):
        owner = _owner_unit(incident, template.owner)
        owners[owner.pk] = owner
        Measure.objects.create(
            incident=incident, template=template, level=level, title=template.title,
            description=template.description, owner_unit=owner,
            due_at=start + timedelta(hours=template.due_hours) if template.due_hours else None,
        )
    _grant_view(incident, owners.values())  # whoever owes a measure must be able to open the incident


@transaction.atomic
def measure_add(*, actor: User, incident: Incident, title: str, owner_unit: Unit, description: str = "", due_at=None) -> Measure:
    """A task the HQ adds to the checklist."""
    incident = _locked(incident)
    delegation = check_measure_add(actor, incident)
    title = _require_text(title, "title", _("Give the task a title."))
    try:
        validate_planned(due_at)  # the calendar window of common.timebounds
    except ValidationError as exc:
        raise ValidationError({"due_at": exc.messages}) from exc
    _require_own_bureau(incident, owner_unit=[owner_unit])
    measure = Measure.objects.create(incident=incident, title=title, description=description, owner_unit=owner_unit,
                                     due_at=due_at, level=incident.level)
    _grant_view(incident, [owner_unit])
    _event(incident, E.MEASURE_ADDED, actor, message=title, delegation=delegation,
           data={"measure": measure.pk, "owner_unit": owner_unit.pk, "due_at": _plain(due_at)})
    return measure


@transaction.atomic
def measure_update(*, actor: User, measure: Measure, status: str, completion_note: str = "", files=()) -> Measure:
    """The owner unit (or whoever commands) reports a measure done, or cancels it with a note."""
    incident = _locked(measure.incident)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    # Who may first (403), then the state (409), as in every check_* above.
    if not _is_member(actor, measure.owner_unit):
        _may_command(actor, incident)
    # After the end a measure past its deadline is still owed, and may be reported done late.
    _require_status(incident, S.ACTIVE, S.ENDED)
    if status not in (Measure.Status.DONE, Measure.Status.CANCELLED):
        raise ValidationError({"status": _("Mark the measure done or cancelled.")})
    if measure.status != Measure.Status.OPEN:
        raise InvalidTransition(_("This measure is already closed."))
    note = _require_text(completion_note, "completion_note", _("Say what was done, or why it is cancelled."))
    measure.status, measure.completion_note = status, note
    measure.completed_at, measure.completed_by = timezone.now(), actor
    measure.save()
    event = _event(incident, E.MEASURE_UPDATED, actor, message=note,
                   data={"measure": measure.pk, "status": [Measure.Status.OPEN, status]})
    for upload in files:
        _attach(incident, upload, actor, event=event, measure=measure)
    return measure
