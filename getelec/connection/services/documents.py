"""Customer documents (L13: submitted once, reused while valid): stored with their content
checked, and removed from storage again when the transaction that wrote them fails."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.translation import gettext as _

from getelec.accounts.models import User
from getelec.audit.services import record
from getelec.connection import validators as check
from getelec.connection.models import Document, DocumentKind
from getelec.connection.services._transition import _today
from getelec.kernel.errors import InvalidInput, NotAllowed


class _StoredFiles:
    """Files written to storage inside a transaction: deleted again if the transaction fails.

    Django has no on-rollback hook, so the service that opens the transaction wraps it in
    `with _StoredFiles() as stored:`; any exception leaving the block (the atomic block has
    rolled back by then) deletes every file written in it. Files are only ever written by a
    service that then commits, so nothing is left on disk without a Document row.
    """

    def __init__(self) -> None:
        self.written: list[tuple[Storage, str]] = []

    def __enter__(self) -> _StoredFiles:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            return
        for storage, name in self.written:
            with contextlib.suppress(OSError):  # best effort: the original error matters more
                storage.delete(name)


def _store_upload(
    owner: User, kind: str, upload: Any, valid_until: Any, stored: _StoredFiles
) -> Document:
    kind = check.choice("kind", _("材料类型"), kind, DocumentKind)
    valid = None
    if valid_until not in (None, ""):
        valid = check.as_date("valid_until", _("有效期"), valid_until)
        if valid < _today():
            raise InvalidInput(_("材料已过有效期"), "valid_until")
    content, content_type = check.document_upload(upload)
    digest = hashlib.sha256(content).hexdigest()
    existing = Document.objects.filter(owner=owner, kind=kind, sha256=digest).first()
    if existing is not None:
        if valid is not None and existing.valid_until != valid:
            old = existing.valid_until
            existing.valid_until = valid
            existing.save(update_fields=["valid_until"])
            record(
                owner,
                "connection.document_validity",
                existing,
                {"valid_until": old},
                {"valid_until": valid},
            )
        return existing
    name = os.path.basename(str(getattr(upload, "name", "") or "upload"))[:200]
    doc = Document(
        owner=owner,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=digest,
        valid_until=valid,
    )
    doc.file.save(name, ContentFile(content), save=False)
    stored.written.append((doc.file.storage, doc.file.name))
    doc.save()
    record(
        owner,
        "connection.upload_document",
        doc,
        {},
        {"kind": kind, "size": len(content), "sha256": digest, "valid_until": valid},
    )
    return doc


def upload_document(owner: User, kind: str, upload: Any, valid_until: dt.date | None) -> Document:
    """Keep one customer document (L13); the same file of the same kind is stored once."""
    if not getattr(owner, "is_authenticated", False) or not owner.is_applicant:
        raise NotAllowed(_("只有申请人账号可以上传本人办电材料"))
    with _StoredFiles() as stored, transaction.atomic():
        return _store_upload(owner, kind, upload, valid_until, stored)
