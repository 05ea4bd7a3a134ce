"""Admin: the reporting rules (each change kept) and read-only views of the records."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from incidents.admin import ReadOnlyAdmin
from reporting.models import Obligation, Outbox, Report, ReportingRule, ReportingRuleChange, SweepHeartbeat


class ChangeInline(admin.TabularInline):
    model = ReportingRuleChange
    fields = ["changed_at", "changed_by", "old_limit_minutes", "new_limit_minutes", "old_limit_days", "new_limit_days"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportingRule)
class ReportingRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "level", "limit_minutes", "limit_days", "basis"]
    list_filter = ["kind", "level"]
    fields = ["kind", "level", "limit_minutes", "limit_days", "basis"]
    readonly_fields = ["kind", "level", "basis"]
    inlines = [ChangeInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class OneLimit(form):
            def clean(self):
                data = super().clean()
                if data.get("limit_minutes") is not None and data.get("limit_days") is not None:
                    raise ValidationError(_("Give the limit either in minutes (by the clock) or in days (by the calendar), not both."))
                return data

        return OneLimit

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        old = ReportingRule.objects.get(pk=obj.pk) if obj.pk else None
        super().save_model(request, obj, form, change)
        before = (old.limit_minutes, old.limit_days) if old else (None, None)
        if before != (obj.limit_minutes, obj.limit_days):
            # Kept for the accountability record: obligations already made keep the limit they were made with.
            ReportingRuleChange.objects.create(rule=obj, changed_by=request.user, old_limit_minutes=before[0],
                                               new_limit_minutes=obj.limit_minutes, old_limit_days=before[1],
                                               new_limit_days=obj.limit_days)


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = ["incident", "kind", "sequence", "owner_unit", "due_at", "status", "late_by_seconds"]
    list_filter = ["status", "kind", "owner_unit"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["incident", "kind", "sequence", "author", "submitted_at", "channel"]
    list_filter = ["kind", "channel"]


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ["obligation", "event", "step", "channel", "recipient", "sent_at", "attempts", "last_error"]
    list_filter = ["step", "channel", "sent_at"]


@admin.register(SweepHeartbeat)
class SweepHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "marked_overdue", "messages"]
