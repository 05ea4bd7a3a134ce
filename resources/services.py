"""State changes of the inventory (plan 四(二) 物资与装备保障, 三(三)1.6): one service per action,
keyword-only, checking the actor's right first (PermissionDenied → 403 with who may), then the
input (ValidationError by field → 400), in one transaction.

Who may: the office (办公室/应急管理科) of the bureau keeps the inventory, reserve points and
agreements; the owner unit's staff or the office record a check; the incident's command — its HQ
commander, the HQ's emergency office (lead section) or the leading group's decider
(incidents.services.base._may_command) — dispatches to an active incident and takes items back.

Dispatch decision: an item has a quantity; a dispatch takes part or all of what is not out
(`dispatched_quantity` grows); when all of it is out the status becomes DISPATCHED, and a return
makes it READY again. Only READY items are dispatched."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Incident
from incidents.services.base import InvalidTransition, _is_member, _may_command, is_office
from resources import deadlines
from resources.models import Dispatch, ReservePoint, Resource, ResourceCheck, SupplyAgreement
from resources.rules import default_check_interval
from roles.models import Unit
from roles.selectors import user_bureau_ids

R = Resource.Status
# Fields a person edits on an item; the status only between ready and in maintenance (dispatch,
# return and retirement have their own services).
RESOURCE_FIELDS = ("category", "name", "spec", "quantity", "unit_of_measure", "owner_unit", "reserve_point",
                   "check_interval_days", "note")
POINT_FIELDS = ("name", "address", "latitude", "longitude", "keeper", "phone", "is_active")
AGREEMENT_FIELDS = ("company", "contact", "phone", "goods", "quantity", "valid_from", "valid_until", "note")


# ---------------------------------------------------------------- who may


def check_manage(actor, bureau: Unit | None) -> None:
    """The office of `bureau` keeps its inventory."""
    if not (is_office(actor) and bureau is not None and bureau.pk in user_bureau_ids(actor)):
        raise PermissionDenied(_("Only the office (办公室/应急管理科) keeps the inventory of emergency resources."))


def check_record(actor, resource: Resource) -> None:
    """The owner unit's staff or the office record a check."""
    if not _is_member(actor, resource.owner_unit):
        try:
            check_manage(actor, resource.bureau)
        except PermissionDenied:
            raise PermissionDenied(_("Only the staff of %(unit)s or the office may record a check of this item.")
                                   % {"unit": resource.owner_unit.display_name}) from None
    if resource.status == R.RETIRED:
        raise InvalidTransition(_("A retired item is checked no more."))


def _commands_or_keeps(actor, incident: Incident) -> bool:
    """The incident's command (incidents.services.base._may_command), or the office of its bureau,
    which keeps the inventory."""
    try:
        _may_command(actor, incident)
        return True
    except PermissionDenied:
        return is_office(actor) and incident.station.parent_id in user_bureau_ids(actor)


def check_dispatch(actor, incident: Incident) -> None:
    """The incident's command dispatches resources to it, while the response is under way."""
    if not _commands_or_keeps(actor, incident):
        raise PermissionDenied(_("Only the HQ commander, the HQ's emergency office (lead section), the office or the "
                                 "leading group's leader may dispatch resources to this incident."))
    if incident.status != Incident.Status.ACTIVE:
        raise InvalidTransition(_("Resources are dispatched while the emergency response is under way."))


def check_return(actor, dispatch: Dispatch) -> None:
    """The incident's command or the office take an item back."""
    if not _commands_or_keeps(actor, dispatch.incident):
        raise PermissionDenied(_("Only the incident's command or the office may record a return."))
    if dispatch.returned_at is not None:
        raise InvalidTransition(_("This dispatch was already returned."))


# ---------------------------------------------------------------- input


def _same_bureau(bureau: Unit, *, owner_unit=None, reserve_point=None) -> None:
    errors = {}
    if owner_unit is not None and getattr(owner_unit.bureau(), "pk", None) != bureau.pk:
        errors["owner_unit"] = _("Choose a unit of %(bureau)s.") % {"bureau": bureau.display_name}
    if reserve_point is not None and reserve_point.bureau_id != bureau.pk:
        errors["reserve_point"] = _("Choose a reserve point of %(bureau)s.") % {"bureau": bureau.display_name}
    if errors:
        raise ValidationError(errors)


def _checked(instance) -> None:
    """Model validation (ranges, lengths, choices) as field errors, before anything is saved."""
    instance.full_clean(exclude=["bureau"], validate_unique=False, validate_constraints=False)


# ---------------------------------------------------------------- reserve points and agreements


@transaction.atomic
def reserve_point_create(*, actor, bureau: Unit, **fields) -> ReservePoint:
    check_manage(actor, bureau)
    point = ReservePoint(bureau=bureau, **{k: v for k, v in fields.items() if k in POINT_FIELDS})
    _checked(point)
    if ReservePoint.objects.filter(bureau=bureau, name=point.name).exists():
        raise ValidationError({"name": _("This bureau already has a reserve point of that name.")})
    point.save()
    return point


@transaction.atomic
def reserve_point_update(*, actor, point: ReservePoint, **fields) -> ReservePoint:
    check_manage(actor, point.bureau)
    for key, value in fields.items():
        if key in POINT_FIELDS:
            setattr(point, key, value)
    _checked(point)
    if ReservePoint.objects.filter(bureau=point.bureau, name=point.name).exclude(pk=point.pk).exists():
        raise ValidationError({"name": _("This bureau already has a reserve point of that name.")})
    point.save()
    return point


@transaction.atomic
def agreement_create(*, actor, bureau: Unit, **fields) -> SupplyAgreement:
    check_manage(actor, bureau)
    agreement = SupplyAgreement(bureau=bureau, **{k: v for k, v in fields.items() if k in AGREEMENT_FIELDS})
    return _agreement_save(agreement)


@transaction.atomic
def agreement_update(*, actor, agreement: SupplyAgreement, **fields) -> SupplyAgreement:
    check_manage(actor, agreement.bureau)
    for key, value in fields.items():
        if key in AGREEMENT_FIELDS:
            setattr(agreement, key, value)
    return _agreement_save(agreement)


def _agreement_save(agreement):
    _checked(agreement)
    if agreement.valid_until < agreement.valid_from:
        raise ValidationError({"valid_until": _("The end of validity comes before its start.")})
    agreement.save()
    return agreement


# ---------------------------------------------------------------- items and their checks


@transaction.atomic
def resource_create(*, actor, bureau: Unit, category: str, name: str, quantity, unit_of_measure: str, owner_unit: Unit,
                    reserve_point: ReservePoint, spec: str = "", status: str = R.READY, last_checked_at=None,
                    check_interval_days: int | None = None, note: str = "", at=None) -> Resource:
    """A new item of `bureau`. Its next check falls due `check_interval_days` (default: the
    category's, resources.rules) after its last check, or after `at` (UTC, default now) when never
    checked; the owner unit owes that check (an obligation, resources.deadlines). `status`: ready or
    in maintenance."""
    check_manage(actor, bureau)
    at = at or timezone.now()
    if status not in (R.READY, R.MAINTENANCE):
        raise ValidationError({"status": _("A new item is ready or in maintenance.")})
    resource = Resource(bureau=bureau, category=category, name=name, spec=spec, quantity=quantity,
                        unit_of_measure=unit_of_measure, owner_unit=owner_unit, reserve_point=reserve_point, status=status,
                        last_checked_at=last_checked_at, note=note, created_at=at,
                        check_interval_days=check_interval_days or default_check_interval(category))
    _checked(resource)
    _same_bureau(bureau, owner_unit=owner_unit, reserve_point=reserve_point)
    if last_checked_at is not None and last_checked_at > at:
        raise ValidationError({"last_checked_at": _("The last check cannot be in the future.")})
    resource.next_check_due = (last_checked_at or at) + timedelta(days=resource.check_interval_days)
    resource.save()
    deadlines.check_schedule(resource, at=at)
    return resource


@transaction.atomic
def resource_update(*, actor, resource: Resource, status: str | None = None, at=None, **fields) -> Resource:
    """Edit an item. A shorter interval brings the open check earlier (never later: the record
    keeps a deadline once set); a new owner unit takes over the open check."""
    check_manage(actor, resource.bureau)
    at = at or timezone.now()
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.status == R.RETIRED:
        raise InvalidTransition(_("A retired item is not edited."))
    for key, value in fields.items():
        if key in RESOURCE_FIELDS:
            setattr(resource, key, value)
    if status is not None and status != resource.status:
        if status not in (R.READY, R.MAINTENANCE) or resource.status not in (R.READY, R.MAINTENANCE):
            raise ValidationError({"status": _("Here an item goes between ready and in maintenance; dispatch, "
                                               "return and retirement have their own buttons.")})
        resource.status = status
    _checked(resource)
    _same_bureau(resource.bureau, owner_unit=resource.owner_unit, reserve_point=resource.reserve_point)
    if resource.quantity < resource.dispatched_quantity:
        raise ValidationError({"quantity": _("%(out)s are out with incidents: the quantity cannot be less.")
                               % {"out": resource.dispatched_quantity}})
    due = (resource.last_checked_at or resource.created_at) + timedelta(days=resource.check_interval_days)
    if resource.next_check_due is None or due < resource.next_check_due:
        resource.next_check_due = due
    resource.save()
    deadlines.check_tighten(resource, at=at)
    obligation = deadlines.open_check(resource)
    if obligation is not None and obligation.owner_unit_id != resource.owner_unit_id:
        obligation.owner_unit = resource.owner_unit
        obligation.save(update_fields=["owner_unit"])
    return resource


@transaction.atomic
def resource_check_record(*, actor, resource: Resource, result: str, note: str = "", at=None) -> ResourceCheck:
    """A check of the item at `at` (UTC, default now): fulfils its open check obligation (late if
    past due) and opens the next, due `check_interval_days` later. A check that finds the item
    needing maintenance or unusable takes a ready item out of service; a good one brings an item in
    maintenance back to ready."""
    resource = Resource.objects.select_for_update().select_related("owner_unit", "bureau").get(pk=resource.pk)
    check_record(actor, resource)
    at = at or timezone.now()
    if result not in ResourceCheck.Result.values:
        raise ValidationError({"result": _("Choose a result.")})
    check = ResourceCheck(resource=resource, checked_by=actor, checked_at=at, result=result, note=note)
    _checked(check)
    check.save()
    resource.last_checked_at = at
    resource.next_check_due = at + timedelta(days=resource.check_interval_days)
    if result != ResourceCheck.Result.GOOD and resource.status == R.READY and resource.dispatched_quantity == 0:
        resource.status = R.MAINTENANCE
    elif result == ResourceCheck.Result.GOOD and resource.status == R.MAINTENANCE:
        resource.status = R.READY
    resource.save(update_fields=["last_checked_at", "next_check_due", "status"])
    deadlines.check_done(resource, at=at)
    deadlines.check_schedule(resource, at=at)
    return check


@transaction.atomic
def resource_retire(*, actor, resource: Resource, at=None) -> Resource:
    """Retire an item (报废): it is offered no more and its open check is waived (system reason)."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    check_manage(actor, resource.bureau)
    if resource.status == R.RETIRED:
        raise InvalidTransition(_("This item is already retired."))
    if resource.dispatched_quantity > 0:
        raise InvalidTransition(_("Part of this item is still out with an incident: record its return first."))
    at = at or timezone.now()
    resource.status = R.RETIRED
    resource.save(update_fields=["status"])
    deadlines.check_stop(resource, at=at)
    return resource


# ---------------------------------------------------------------- dispatch and return


@transaction.atomic
def resource_dispatch(*, actor, resource: Resource, incident: Incident, quantity=None, note: str = "",
                      at=None) -> Dispatch:
    """Send `quantity` (default: all that is not out) of a READY item to an active incident of the
    same bureau (三(三)1.6, 四(二)); on the incident's timeline through resources.timeline. The caller
    has found the incident through incidents_visible_to and the item through resources_visible_to."""
    incident = Incident.objects.select_related("station").get(pk=incident.pk)
    check_dispatch(actor, incident)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.bureau_id != incident.station.parent_id:
        raise ValidationError({"resource": _("Only the bureau's own resources are dispatched to its incidents.")})
    if resource.status != R.READY:
        raise InvalidTransition(_("Only a ready item is dispatched; this one is “%(status)s”.")
                                % {"status": resource.get_status_display()})
    available = resource.quantity - resource.dispatched_quantity
    quantity = Decimal(available if quantity in (None, "") else quantity)
    if quantity <= 0 or quantity > available:
        raise ValidationError({"quantity": _("Dispatch more than 0 and at most %(available)s %(unit)s.")
                               % {"available": f"{available.normalize():f}", "unit": resource.unit_of_measure}})
    dispatch = Dispatch(resource=resource, incident=incident, quantity=quantity, dispatched_by=actor,
                        dispatched_at=at or timezone.now(), note=note)
    _checked(dispatch)
    dispatch.save()
    resource.dispatched_quantity += quantity
    if resource.dispatched_quantity == resource.quantity:
        resource.status = R.DISPATCHED
    resource.save(update_fields=["dispatched_quantity", "status"])
    return dispatch


@transaction.atomic
def resource_return(*, actor, dispatch: Dispatch, at=None) -> Dispatch:
    """The dispatched quantity comes back to its reserve point (归还); on the incident's timeline."""
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    check_return(actor, dispatch)
    at = at or timezone.now()
    resource = Resource.objects.select_for_update().get(pk=dispatch.resource_id)
    dispatch.returned_by, dispatch.returned_at = actor, max(at, dispatch.dispatched_at)
    dispatch.save(update_fields=["returned_by", "returned_at"])
    resource.dispatched_quantity -= dispatch.quantity
    if resource.status == R.DISPATCHED:
        resource.status = R.READY
    resource.save(update_fields=["dispatched_quantity", "status"])
    return dispatch
