"""The organization directory: units with their duties from the plan, members and outside contacts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.utils.translation import gettext as _

from roles.forms import ContactForm, DelegationForm, UnitContactsForm
from roles.models import Delegation, Membership, Unit
from roles.selectors import contacts_visible_to, is_bureau_staff, units_visible_to
from roles.permissions import Role
from roles.selectors import user_roles
from roles.services import (
    contact_update,
    contact_update_check,
    delegation_create,
    delegation_revoke,
    unit_update_contacts,
    unit_update_contacts_check,
)


def _require_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied(
            _("Your account belongs to no unit of the bureau. Ask an administrator to add you to your unit.")
        )


@login_required
def directory(request):
    _require_staff(request.user)
    units = units_visible_to(request.user).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user"))
    )
    by_kind = {kind: [] for kind in Unit.Kind}
    for unit in units:
        by_kind[Unit.Kind(unit.kind)].append(unit)
    return render(
        request,
        "roles/directory.html",
        {
            "bureaus": by_kind[Unit.Kind.BUREAU],
            "leading_units": by_kind[Unit.Kind.LEADING_GROUP] + by_kind[Unit.Kind.LEADING_GROUP_OFFICE],
            "sections": by_kind[Unit.Kind.SECTION],
            "stations": by_kind[Unit.Kind.STATION],
            "contacts": contacts_visible_to(request.user),
            "can_edit_contacts": request.user.has_perm("roles.change_contact"),
        },
    )


@login_required
def unit_detail(request, code):
    _require_staff(request.user)
    unit = get_object_or_404(units_visible_to(request.user).select_related("parent", "housed_in"), code=code)
    try:
        unit_update_contacts_check(request.user, unit)
        can_edit = True
    except PermissionDenied:
        can_edit = False
    return render(
        request,
        "roles/unit_detail.html",
        {"unit": unit, "members": unit.memberships.select_related("user"), "can_edit": can_edit},
    )


@login_required
def unit_edit_contacts(request, code):
    _require_staff(request.user)
    unit = get_object_or_404(units_visible_to(request.user), code=code)
    unit_update_contacts_check(request.user, unit)  # a 403 that says who may, before any typing
    form = UnitContactsForm(request.POST or None, instance=unit,
                            can_set_webhook=request.user.has_perm("roles.set_robot_webhook"))
    if request.method == "POST" and form.is_valid():
        unit_update_contacts(actor=request.user, unit=unit, **form.cleaned_data)
        messages.success(request, _("Contact details saved."))
        return redirect("roles:unit", code=unit.code)
    return render(request, "roles/unit_edit.html", {"unit": unit, "form": form})


@login_required
def contact_edit(request, code):
    _require_staff(request.user)
    contact = get_object_or_404(contacts_visible_to(request.user), code=code)
    contact_update_check(request.user, contact)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        contact_update(actor=request.user, contact=contact, **form.cleaned_data)
        messages.success(request, _("Contact details saved."))
        return redirect("roles:directory")
    return render(request, "roles/contact_edit.html", {"contact": contact, "form": form})


@login_required
def delegations(request):
    """The leading group's acting-leader designations: all members see them; the leader gives and revokes."""
    roles = user_roles(request.user)
    if not roles & {Role.LEADING_GROUP_MEMBER, Role.OFFICE_STAFF, Role.ADMINISTRATOR}:
        raise PermissionDenied(_("Delegations of the leading group are shown to its members and the office."))
    is_leader = Role.LEADING_GROUP_LEADER in roles
    form = DelegationForm(request.POST or None, leader=request.user) if is_leader else None
    if request.method == "POST":
        if not is_leader:
            raise PermissionDenied(_("Only the leader of the leading group may designate an acting leader."))
        if form.is_valid():
            try:
                delegation_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Acting leader designated."))
                return redirect("roles:delegations")
    listed = Delegation.objects.select_related("leader", "acting").order_by("-starts_at")[:50]
    return render(request, "roles/delegations.html", {"delegations": listed, "form": form, "is_leader": is_leader})


@login_required
@require_POST
def delegation_revoke_view(request, pk):
    delegation = get_object_or_404(Delegation, pk=pk)
    delegation_revoke(actor=request.user, delegation=delegation)
    messages.success(request, _("Delegation revoked."))
    return redirect("roles:delegations")
