"""Admin for users, organisations and regions (the admin manages accounts here)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from getelec.accounts.models import Organisation, Region, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "organisation", "region", "is_active"]
    list_filter = ["role", "is_active", "organisation"]
    search_fields = ["username", "display_name"]
    list_select_related = ["organisation", "region"]
    fieldsets = (
        # django-stubs types UserAdmin.fieldsets as ModelAdmin's Optional; Django's is a tuple
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("获得电力"),
            {"fields": ("role", "display_name", "organisation", "region", "phone", "id_number")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("获得电力"), {"fields": ("role", "display_name", "organisation", "region")}),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "department_type", "region", "parent"]
    list_filter = ["kind", "department_type"]
    fields = ["name", "short_name", "kind", "department_type", "region", "parent"]
    search_fields = ["name", "short_name"]
    list_select_related = ["region", "parent"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
