"""Admin: the reporting rules (each change kept) and read-only views of the records."""

from django.contrib import admin
from django.db import transaction

from incidents.admin import ReadOnlyAdmin
from reporting.models import Obligation, Outbox, Report, ReportingRule, ReportingRuleChange, SweepHeartbeat


class ChangeInline(admin.TabularInline):
    model = ReportingRuleChange
    fields = ["changed_at", "changed_by", "old_limit_minutes", "new_limit_minutes"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportingRule)
class ReportingRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "level", "limit_minutes", "basis"]
    list_filter = ["kind", "level"]
    fields = ["kind", "level", "limit_minutes", "basis"]
    readonly_fields = ["kind", "level", "basis"]
    inlines = [ChangeInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        old = ReportingRule.objects.get(pk=obj.pk).limit_minutes if obj.pk else None
        super().save_model(request, obj, form, change)
        if old != obj.limit_minutes:
            # Kept for the accountability record: obligations already made keep the limit they were made with.
            ReportingRuleChange.objects.create(rule=obj, changed_by=request.user, old_limit_minutes=old,
                                               new_limit_minutes=obj.limit_minutes)


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
    list_display = ["obligation", "step", "channel", "recipient", "sent_at", "attempts", "last_error"]
    list_filter = ["step", "channel", "sent_at"]


@admin.register(SweepHeartbeat)
class SweepHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "marked_overdue", "messages"]
