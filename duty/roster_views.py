"""The roster pages (/duty/): the week's or month's shifts of the user's bureau with the shift under way
highlighted, a shift's page with its handover, the office's shift form, the Excel import and export,
and the handovers. Views translate HTTP to duty.roster's services; who sees what is duty.roster_selectors'."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import xlsx
from common.timebounds import EARLIEST_DAY, PLAN_HORIZON
from duty import roster
from duty.models import Handover, Shift
from duty.roster_forms import HandoverForm, ImportForm, ShiftForm
from duty.roster_selectors import (bureau_people, handovers_of, may_plan, on_shift, roster_bureaus, shifts_between,
                                   shifts_visible_to)
from duty.roster_xlsx import roster_export, roster_import

HANDOVER_PAGE = 50  # handovers listed, newest first


def _bureau(request):
    """The bureau whose roster is shown: ?bureau=code among those the user reads, else the first; 404
    for a code the user may not read, 403 for someone in no bureau."""
    bureaus = roster_bureaus(request.user).order_by("pk")
    code = request.GET.get("bureau") or request.POST.get("bureau")
    if code:
        bureau = bureaus.filter(code=code[:50]).first()
        if bureau is None:
            raise Http404
        return bureau
    bureau = bureaus.filter(parent__isnull=False).first() or bureaus.first()
    if bureau is None:
        raise PermissionDenied(_("Your account belongs to no unit of the bureau. Ask an administrator to add you to your unit."))
    return bureau


def _period(request) -> tuple[str, datetime.date, datetime.date]:
    """("week" or "month", first day, day after the last), local dates. ?month=YYYY-MM or ?week=YYYY-MM-DD
    (any day of the week); default the current week. Out of the calendar window: the current week."""
    today = timezone.localdate()
    latest = today + PLAN_HORIZON
    month = request.GET.get("month", "")
    if month:
        try:
            first = datetime.datetime.strptime(month[:7], "%Y-%m").date()
        except ValueError:
            first = None
        if first is not None and EARLIEST_DAY <= first <= latest:
            following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return "month", first, following
    day = today
    if request.GET.get("week"):
        try:
            day = datetime.date.fromisoformat(request.GET["week"][:10])
        except ValueError:
            day = today
        if not EARLIEST_DAY <= day <= latest:
            day = today
    monday = day - datetime.timedelta(days=day.weekday())
    return "week", monday, monday + datetime.timedelta(days=7)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), timezone.get_default_timezone())


@login_required
def roster_page(request):
    """GET /duty/?bureau=&week=|month=: the bureau's shifts of the week (or month), day by day, the
    shift under way highlighted; the office gets the edit links. Bounded: at most a month."""
    bureau = _bureau(request)
    kind, first, following = _period(request)
    now = timezone.now()
    shifts = list(shifts_between(bureau, _aware(first), _aware(following)))
    days = []
    day = first
    while day < following:
        start, end = _aware(day), _aware(day + datetime.timedelta(days=1))
        days.append({"day": day, "shifts": [s for s in shifts if s.starts_at < end and s.ends_at > start],
                     "today": day == timezone.localdate()})
        day += datetime.timedelta(days=1)
    if kind == "month":
        previous = {"month": (first - datetime.timedelta(days=1)).strftime("%Y-%m")}
        following_q = {"month": following.strftime("%Y-%m")}
    else:
        previous = {"week": (first - datetime.timedelta(days=7)).isoformat()}
        following_q = {"week": following.isoformat()}
    return render(request, "duty/roster.html", {
        "bureau": bureau, "bureaus": roster_bureaus(request.user).order_by("pk"), "kind": kind,
        "first": first, "last": following - datetime.timedelta(days=1), "days": days, "now": now,
        "previous": previous, "following": following_q, "can_plan": may_plan(request.user, bureau),
        "month_query": first.strftime("%Y-%m"), "week_query": first.isoformat(),
        "gaps": sum(1 for s in shifts if s.ends_at > now and not s.is_staffed([u.pk for u in s.staff.all()])),
    })


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def shift_new(request):
    bureau = _bureau(request)
    if not may_plan(request.user, bureau):
        raise PermissionDenied(_("Only the office (办公室) of the bureau plans the duty roster."))
    form = ShiftForm(request.POST or None, people=bureau_people(bureau))
    if request.method == "POST" and form.is_valid():
        try:
            shift = roster.shift_create(actor=request.user, bureau=bureau, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Shift planned."))
            return redirect(f"{reverse('duty:roster')}?bureau={bureau.code}&week={timezone.localtime(shift.starts_at).date().isoformat()}")
    return render(request, "duty/shift_form.html", {"form": form, "bureau": bureau, "shift": None})


def _visible_shift(request, pk) -> Shift:
    return get_object_or_404(shifts_visible_to(request.user).select_related("bureau", "leader"), pk=pk)


@login_required
def shift_page(request, pk):
    """GET /duty/shifts/<pk>/: the shift, its people and its handovers; the office edits it here (POST),
    the outgoing shift records its handover, the incoming one acknowledges."""
    shift = _visible_shift(request, pk)
    can_plan = may_plan(request.user, shift.bureau)
    form = None
    now = timezone.now()
    if can_plan and shift.ends_at > now:
        initial = {"starts_at": timezone.localtime(shift.starts_at), "ends_at": timezone.localtime(shift.ends_at),
                   "leader": shift.leader, "staff": list(shift.staff.all()), "is_holiday": shift.is_holiday,
                   "note": shift.note}
        form = ShiftForm(request.POST or None, initial=initial, people=bureau_people(shift.bureau))
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied(_("Only the office (办公室) of the bureau plans the duty roster."))
        if form is None:
            raise PermissionDenied(_("This shift is over: a past shift is kept as it was and cannot be changed."))
        if form.is_valid():
            try:
                roster.shift_update(actor=request.user, shift=shift, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Shift saved."))
                return redirect("duty:shift", pk=shift.pk)
    given = Handover.objects.filter(shift_out=shift).select_related("shift_in", "recorded_by", "acknowledged_by").first()
    taken = Handover.objects.filter(shift_in=shift).select_related("shift_out", "recorded_by", "acknowledged_by").first()
    may_hand_over = (given is None and shift.starts_at <= now
                     and (on_shift(request.user, shift) or can_plan))
    return render(request, "duty/shift.html", {
        "shift": shift, "staff": list(shift.staff.all()), "form": form, "can_plan": can_plan, "now": now,
        "given": given, "taken": taken, "handover_form": HandoverForm() if may_hand_over else None,
        "may_acknowledge": taken is not None and taken.acknowledged_at is None and on_shift(request.user, shift),
        "gaps": shift.obligations.order_by("sequence") if hasattr(shift, "obligations") else [],
    })


@login_required
@require_POST
def shift_delete(request, pk):
    shift = _visible_shift(request, pk)
    try:
        roster.shift_delete(actor=request.user, shift=shift)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("duty:shift", pk=shift.pk)
    messages.success(request, _("Shift deleted from the roster."))
    return redirect(f"{reverse('duty:roster')}?bureau={shift.bureau.code}")


@login_required
@require_POST
def handover_record(request, pk):
    shift = _visible_shift(request, pk)
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            roster.handover_record(actor=request.user, shift_out=shift, open_items=form.cleaned_data["open_items"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Handover recorded: the incoming shift acknowledges it."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("duty:shift", pk=shift.pk)


@login_required
@require_POST
def handover_acknowledge(request, pk):
    handover = get_object_or_404(Handover.objects.filter(shift_out__in=shifts_visible_to(request.user)), pk=pk)
    try:
        roster.handover_acknowledge(actor=request.user, handover=handover)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Handover acknowledged: your shift has taken over the duty."))
    return redirect("duty:shift", pk=handover.shift_in_id)


@login_required
def handovers(request):
    """GET /duty/handovers/?bureau=: the bureau's handovers, newest first (the last HANDOVER_PAGE)."""
    bureau = _bureau(request)
    rows = list(handovers_of(bureau)[:HANDOVER_PAGE])
    return render(request, "duty/handovers.html", {"bureau": bureau, "handovers": rows, "limit": HANDOVER_PAGE})


@login_required
def roster_xlsx(request):
    """GET /duty/roster.xlsx?bureau=&week=|month=: the period's shifts as Excel (the import's columns)."""
    bureau = _bureau(request)
    kind, first, following = _period(request)
    book = roster_export(bureau=bureau, start=_aware(first), end=_aware(following))
    return xlsx.stream(book, f"duty-roster-{bureau.code}-{first.isoformat()}.xlsx")


@login_required
def roster_import_page(request):
    bureau = _bureau(request)
    if not may_plan(request.user, bureau):
        raise PermissionDenied(_("Only the office (办公室) of the bureau plans the duty roster."))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            counts = roster_import(actor=request.user, bureau=bureau, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Roster imported: %(created)d shifts added, %(updated)d changed, %(unchanged)d unchanged.") % counts)
            return redirect(f"{reverse('duty:roster')}?bureau={bureau.code}")
    return render(request, "duty/import.html", {"bureau": bureau, "form": form, "errors": errors})
