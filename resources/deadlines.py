"""An item's next check as an obligation of its owner unit (reporting's one deadline engine,
docs/deadlines.md rule "resource check"): reminded, marked overdue, escalated and counted by the
same sweep and accountability record as every report. One open check per item, due at its
`next_check_due`; a recorded check fulfils it and opens the next (sequence + 1); retiring the item
waives it with a system reason."""

from django.utils.translation import gettext_noop

from common.messages import define
from reporting import obligations as engine
from reporting.models import Kind, Obligation

RETIRED = define("waiver.resource_retired", gettext_noop("The item was retired: it is checked no more."))
OPEN = [Obligation.Status.PENDING, Obligation.Status.OVERDUE]


def register_subject() -> None:
    """Obligations about a resource read "应急资源 卫星电话" and link to the item's page."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from reporting.subjects import register

    register("resource", label=lambda ob: _("Emergency resource %(name)s") % {"name": ob.resource.name},
             url=lambda ob: reverse("resources:detail", args=[ob.resource_id]), related=("resource",))


def open_check(resource) -> Obligation | None:
    return Obligation.objects.filter(resource=resource, kind=Kind.RESOURCE_CHECK, status__in=OPEN).order_by("sequence").first()


def check_schedule(resource, *, at) -> Obligation:
    """Open the item's check obligation due at resource.next_check_due (UTC), owned by its owner
    unit, counted from `at`; sequence one more than the item's last. Born overdue when already due."""
    last = Obligation.objects.filter(resource=resource, kind=Kind.RESOURCE_CHECK).order_by("-sequence").first()
    return engine.create_for(kind=Kind.RESOURCE_CHECK, owner_unit=resource.owner_unit, starts_at=min(at, resource.next_check_due),
                             due_at=resource.next_check_due, sequence=(last.sequence + 1) if last else 1, resource=resource)


def check_done(resource, *, at) -> Obligation | None:
    """A check recorded at `at`: the open obligation is fulfilled (late if past due_at)."""
    obligation = open_check(resource)
    if obligation is not None:
        engine.fulfil(obligation, None, at)
    return obligation


def check_tighten(resource, *, at) -> None:
    """The item's next check moved earlier (a shorter interval): the open row follows, never later."""
    obligation = open_check(resource)
    if obligation is not None and resource.next_check_due < obligation.due_at:
        engine.tighten(obligation, resource.next_check_due, now=at)


def check_stop(resource, *, at) -> None:
    """Retired: the open check is waived (a check already missed stays missed)."""
    obligation = open_check(resource)
    if obligation is not None:
        engine.waive(obligation, key=RETIRED, at=at)
