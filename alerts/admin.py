"""Admin: which holidays open a deployment and the plan's default tasks are data an administrator
edits here (the office edits its own bureau's tasks and major events on its pages). Deployments and
releases are read-only: every change goes through alerts.services, which checks the role."""

from django.contrib import admin

from alerts.models import Deployment, HolidayTrigger, Release, TaskTemplate


@admin.register(HolidayTrigger)
class HolidayTriggerAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "name_en", "active"]
    list_editable = ["active"]
    readonly_fields = ["key"]  # the calendar's name of the holiday (alerts.calendar.HOLIDAY_NAMES)

    def has_add_permission(self, request):
        return False  # the holidays the calendar knows

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskTemplate)
class TaskTemplateAdmin(admin.ModelAdmin):
    list_display = ["bureau", "number", "title", "owner_number", "days_before", "active"]
    list_filter = ["bureau", "active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    list_display = ["name", "bureau", "first_day", "opened_at", "status"]
    list_filter = ["status", "bureau"]


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "bureau", "status", "published_at"]
    list_filter = ["kind", "status"]
