from django.contrib import admin

from readiness.models import (Assessment, Attendance, Course, DimensionScore, Drill, DrillPlan, ImprovementAction, Plan,
                              PlanReview, PlanVersion, RectificationItem, RevisionRequest)


class VersionInline(admin.TabularInline):
    model = PlanVersion
    extra = 0
    fields = ["number", "status", "file_name", "approved_by", "approved_on", "next_review_due", "incident"]
    readonly_fields = fields
    can_delete = False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "bureau", "owner_section", "review_interval_years"]
    list_filter = ["kind"]
    inlines = [VersionInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    # Versions change state only through readiness.services (approval is the leading group's).
    list_display = ["plan", "number", "status", "approved_on", "next_review_due", "incident"]
    readonly_fields = ["plan", "number", "status", "file", "file_name", "content_type", "incident", "drafted_by",
                       "drafted_at", "approved_by", "approved_on", "next_review_due"]
    list_select_related = ["plan", "incident"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read in the admin, changed only through readiness.services (their rows carry deadlines)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (RevisionRequest, PlanReview, DrillPlan, Drill, RectificationItem, Assessment, DimensionScore,
              ImprovementAction, Course, Attendance):
    admin.site.register(model, ReadOnlyAdmin)
