"""Reading the documents-once store (L13): a user sees their own documents and, when their
organisation keeps documents, the organisation's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from getelec.accounts.powers import Power, powers_of
from getelec.documents.models import Document
from getelec.kernel.access import is_active

__all__ = ["documents_for", "organisation_documents_for", "reusable_documents", "valid_on"]


def valid_on(day: dt.date) -> Q:
    """The documents still valid on `day` (the queryset form of Document.is_valid_on)."""
    return Q(valid_until__isnull=True) | Q(valid_until__gte=day)


def documents_for(user: Any) -> QuerySet[Document]:
    """The user's own documents (L13 archive)."""
    if not is_active(user):
        return Document.objects.none()
    return Document.objects.filter(owner_id=user.pk)


def reusable_documents(user: Any, on: dt.date | None = None) -> QuerySet[Document]:
    """Own documents still valid on `on` (default today): offered instead of a new upload."""
    return documents_for(user).filter(valid_on(on or timezone.localdate()))


def organisation_documents_for(user: Any) -> QuerySet[Document]:
    """The documents of the user's organisation, for accounts that keep them."""
    if not is_active(user) or not powers_of(user).has(Power.KEEP_ORGANISATION_DOCUMENTS):
        return Document.objects.none()
    return Document.objects.filter(organisation_id=user.organisation_id)
