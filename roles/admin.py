from django.contrib import admin
from django.db import models
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from roles.models import Contact, Membership, Unit, User
from roles.services import unit_group_ensure, user_sync_groups


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Position"), {"fields": ("position", "phone")}),)
    list_display = ["username", "display_name", "position", "phone", "is_active"]
    search_fields = ["username", "first_name", "last_name", "position"]
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Role and unit groups follow the memberships just saved.
        user_sync_groups(form.instance)


@admin.register(Unit)
class UnitAdmin(GuardedModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["display_name", "kind", "number", "parent", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_en", "code"]
    autocomplete_fields = ["parent", "housed_in"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        unit_group_ensure(obj)

    def save_related(self, request, form, formsets, change):
        before = set(User.objects.filter(memberships__unit=form.instance))
        super().save_related(request, form, formsets, change)
        # Members added or removed in the inline: their groups follow.
        for user in before | set(User.objects.filter(memberships__unit=form.instance)):
            user_sync_groups(user)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "title"]
    list_filter = ["role", "unit__kind"]
    autocomplete_fields = ["user", "unit"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_sync_groups(obj.user)

    def delete_model(self, request, obj):
        user = obj.user
        super().delete_model(request, obj)
        user_sync_groups(user)

    def delete_queryset(self, request, queryset):
        users = list(User.objects.filter(memberships__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for user in users:
            user_sync_groups(user)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "phone", "fax", "email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_en", "code"]
