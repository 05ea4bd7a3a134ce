"""Admin: the plan's rules as data (categories and their sections, level policy, measure
templates) are edited here. Incidents and their timeline are read-only: every change to an
incident goes through incidents.services, which checks the role and writes the timeline."""

from django.contrib import admin

from incidents.models import Category, Incident, IncidentEvent, LevelPolicy, MeasureTemplate


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "section", "order"]
    list_editable = ["section", "order"]
    search_fields = ["code", "name", "name_en"]


@admin.register(LevelPolicy)
class LevelPolicyAdmin(admin.ModelAdmin):
    list_display = ["level", "hq_required", "ended_by", "may_announce_end", "plan_version"]
    list_select_related = ["plan_version__plan"]

    def has_add_permission(self, request):
        return False  # exactly the four levels of the plan

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeasureTemplate)
class MeasureTemplateAdmin(admin.ModelAdmin):
    list_display = ["level", "order", "title", "due_hours", "owner", "is_active", "plan_version"]
    list_filter = ["level", "owner", "is_active"]
    list_select_related = ["plan_version__plan"]
    list_editable = ["order", "due_hours", "owner", "is_active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = IncidentEvent
    fields = ["at", "kind", "actor", "actor_role", "message", "delegation"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "level", "station", "category", "received_at"]
    list_filter = ["status", "level", "station", "category"]
    search_fields = ["title", "location"]
    inlines = [EventInline]
