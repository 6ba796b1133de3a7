"""Keeping documents (L13): the content check, one stored file per owner, kind and content, and
the files written inside a transaction removed again when it fails."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.accounts.models import Organisation
from getelec.accounts.powers import Power, powers_of
from getelec.audit.services import record
from getelec.documents.content import document_upload
from getelec.documents.models import Document, DocumentKind, DocumentSource
from getelec.kernel.access import is_active
from getelec.kernel.errors import InvalidInput, NotAllowed
from getelec.kernel.inputs import as_date, choice

__all__ = [
    "StoredFiles",
    "store_upload",
    "upload_document",
    "upload_organisation_document",
]


class StoredFiles:
    """Files written to storage inside a transaction: deleted again if the transaction fails.

    Django has no on-rollback hook, so the service that opens the transaction wraps it in
    `with StoredFiles() as stored:`; any exception leaving the block (the atomic block has
    rolled back by then) deletes every file written in it. Files are only ever written by a
    service that then commits, so nothing is left on disk without a Document row.
    """

    def __init__(self) -> None:
        self.written: list[tuple[Storage, str]] = []

    def __enter__(self) -> StoredFiles:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            return
        for storage, name in self.written:
            with contextlib.suppress(OSError):  # best effort: the original error matters more
                storage.delete(name)


def store_upload(
    owner: Any,
    kind: str,
    upload: Any,
    valid_until: Any,
    stored: StoredFiles,
    *,
    organisation: Organisation | None = None,
    source: str = DocumentSource.UPLOAD,
) -> Document:
    """Keep `upload` for `organisation` when given (uploaded by the user `owner`), else for the
    user `owner`: the same content of the same kind is stored once (a new validity date updates
    it). Runs inside the caller's transaction and StoredFiles."""
    kind = choice("kind", _("材料类型"), kind, DocumentKind)
    source = choice("source", _("来源"), source, DocumentSource)
    valid = None
    if valid_until not in (None, ""):
        valid = as_date("valid_until", _("有效期"), valid_until)
        if valid < timezone.localdate():
            raise InvalidInput(_("材料已过有效期"), "valid_until")
    content, content_type = document_upload(upload)
    digest = hashlib.sha256(content).hexdigest()
    holder = {"organisation": organisation} if organisation is not None else {"owner": owner}
    existing = Document.objects.filter(**holder, kind=kind, sha256=digest).first()
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
        **holder,
        kind=kind,
        source=source,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=digest,
        valid_until=valid,
    )
    doc.file.save(name, ContentFile(content), save=False)
    stored.written.append((doc.file.storage, doc.file.name))
    doc.save()
    new: dict[str, Any] = {"kind": kind, "size": len(content), "sha256": digest}
    new["valid_until"] = valid
    if organisation is not None:
        new["organisation"] = organisation.pk
    if source != DocumentSource.UPLOAD:
        new["source"] = source
    record(owner, "connection.upload_document", doc, {}, new)
    return doc


def upload_document(owner: Any, kind: str, upload: Any, valid_until: dt.date | None) -> Document:
    """Keep one customer document (L13); the same file of the same kind is stored once."""
    if not getattr(owner, "is_authenticated", False) or not owner.is_applicant:
        raise NotAllowed(_("只有申请人账号可以上传本人办电材料"))
    with StoredFiles() as stored, transaction.atomic():
        return store_upload(owner, kind, upload, valid_until, stored)


def upload_organisation_document(
    actor: Any,
    kind: str,
    upload: Any,
    valid_until: dt.date | None,
    source: str = DocumentSource.UPLOAD,
) -> Document:
    """Keep one document of the actor's organisation (L13), for the organisations whose powers
    include keeping their documents (getelec.accounts.powers)."""
    if not is_active(actor) or not powers_of(actor).has(Power.KEEP_ORGANISATION_DOCUMENTS):
        raise NotAllowed(_("只有本机构的账号可以上传本机构的材料"))
    with StoredFiles() as stored, transaction.atomic():
        return store_upload(
            actor,
            kind,
            upload,
            valid_until,
            stored,
            organisation=actor.organisation,
            source=source,
        )
