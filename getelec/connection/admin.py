"""Admin for connection applications: read-mostly.

Applications change state only through getelec.connection.services (one transaction, one audit
row each), so the admin shows them read-only; notifications are read-only too (documents:
getelec.documents.admin).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from getelec.connection.models import (
    Application,
    Notification,
    NumberSequence,
    Pause,
    StageRecord,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by staff users of the admin site; nothing is added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StageInline(admin.TabularInline):
    model = StageRecord
    extra = 0
    can_delete = False
    fields = [
        "seq",
        "stage",
        "limit_wd",
        "cumulative_wd",
        "started_on",
        "due_on",
        "completed_at",
        "completed_by",
        "note",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PauseInline(admin.TabularInline):
    model = Pause
    extra = 0
    can_delete = False
    fields = ["reason", "note", "started_on", "ended_on", "paused_wd", "created_by"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "masked_name",
        "region",
        "company",
        "category",
        "status",
        "current_stage",
        "applied_on",
        "due_on",
        "key_project",
    ]
    list_filter = ["status", "category", "key_project", "company", "three_zero"]
    search_fields = ["=number"]
    date_hierarchy = "applied_on"
    list_select_related = ["region", "company"]
    show_full_result_count = False
    inlines = [StageInline, PauseInline]
    exclude = ["verification_code", "documents", "submission_key"]
    raw_id_fields = ["applicant"]

    @admin.display(description=_("户名"))
    def masked_name(self, obj: Application) -> str:
        return obj.masked_customer_name


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "kind", "channel", "created_at", "sent_at", "read_at", "error"]
    list_filter = ["kind", "channel"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "application"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["key", "last"]
