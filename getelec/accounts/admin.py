"""Admin for users, organisations, regions and acting grants (the admin manages accounts here)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from getelec.accounts import services
from getelec.accounts.models import ActingGrant, Organisation, Region, User
from getelec.kernel.errors import ServiceError


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


class ActingGrantForm(forms.ModelForm):
    """Grant: the account and the reason; who grants and when come from the request."""

    class Meta:
        model = ActingGrant
        fields = ["user", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = cast(forms.ModelChoiceField, self.fields["user"])  # a ForeignKey's form field
        user_field.queryset = User.objects.filter(
            role=User.Role.STAFF, is_active=True, organisation__isnull=False
        ).select_related("organisation", "organisation__region")

    def clean_user(self) -> User:
        user: User = self.cleaned_data["user"]
        try:
            services.check_grantable(user)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc
        return user


@admin.register(ActingGrant)
class ActingGrantAdmin(admin.ModelAdmin):
    """Grants are given and revoked here (or with `getelec accounts grant-acting`), never
    edited: each goes through getelec.accounts.services with its audit row."""

    form = ActingGrantForm
    list_display = ["user", "organisation", "granted_by", "granted_at", "reason"]
    list_select_related = ["user", "organisation", "granted_by"]
    search_fields = ["user__username", "user__display_name"]

    def _admin(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_platform_admin", False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._admin(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        grant = services.grant_acting(
            request.user,  # type: ignore[arg-type]
            form.cleaned_data["user"],
            form.cleaned_data["reason"],
        )
        obj.pk, obj.organisation_id, obj.granted_by_id = (
            grant.pk,
            grant.organisation_id,
            grant.granted_by_id,
        )
        obj.granted_at = grant.granted_at

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.revoke_acting(request.user, obj.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for grant in queryset.select_related("user"):
            services.revoke_acting(request.user, grant.user)  # type: ignore[arg-type]
