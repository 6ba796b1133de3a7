"""Uploaded files never outlive a failed submission (nothing partially saved, also on disk)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from getelec.connection import services
from getelec.connection.models import Application, Document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def files_under(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def test_a_submission_that_fails_after_storing_uploads_leaves_no_files(
    submit: Any, media_root: Path
) -> None:
    upload = ("id_card", SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf"), None)
    with pytest.raises(services.InvalidInput) as error:
        submit(uploads=[upload], reuse_document_ids=[987654])  # fails after the file is written
    assert error.value.field == "reuse_document_ids"
    assert Application.objects.count() == 0 and Document.objects.count() == 0
    assert files_under(media_root) == []


def test_a_bad_second_upload_removes_the_first_file_too(submit: Any, media_root: Path) -> None:
    good = ("id_card", SimpleUploadedFile("id.pdf", PDF), None)
    bad = ("property_certificate", SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary"), None)
    with pytest.raises(services.InvalidInput):
        submit(uploads=[good, bad])
    assert files_under(media_root) == []


def test_a_successful_submission_keeps_its_files(submit: Any, media_root: Path) -> None:
    upload = ("id_card", SimpleUploadedFile("id.pdf", PDF), None)
    app = submit(uploads=[upload])
    stored = files_under(media_root)
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    assert app.documents.get().file.name.endswith(stored[0].name)
