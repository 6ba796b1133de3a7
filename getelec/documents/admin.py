"""Admin for the documents-once store: read-only (documents change only through the services;
files are downloaded through scoped views only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from getelec.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "owner",
        "organisation",
        "kind",
        "source",
        "original_name",
        "content_type",
        "size",
        "valid_until",
        "uploaded_at",
    ]
    list_filter = ["kind", "source", "content_type"]
    list_select_related = ["owner", "organisation"]
    exclude = ["file"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
