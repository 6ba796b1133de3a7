"""The content check every upload goes through (documents, report attachments): the type is
identified from the bytes, never from the file name or the client's Content-Type."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from getelec.kernel.errors import InvalidInput

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
}
DOCUMENT_TYPES = (PDF, JPEG, PNG)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
# Office Open XML files are ZIP packages; the part that makes each one what it is.
_OOXML_MAIN_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}


def sniff_content_type(content: bytes) -> str | None:
    """The type of a file from its bytes (the whole file for DOCX/XLSX, a head is enough for
    PDF/JPEG/PNG); None when it is none of EXTENSIONS."""
    for magic, content_type in _MAGIC:
        if content.startswith(magic):
            return content_type
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names:
            for content_type, part in _OOXML_MAIN_PART.items():
                if part in names:
                    return content_type
    return None


def read_upload(upload: Any) -> bytes:
    """Up to DOCUMENT_MAX_BYTES + 1 bytes of an upload, from its start (rewound afterwards)."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    content: bytes = upload.read(settings.DOCUMENT_MAX_BYTES + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return content


def document_upload(upload: Any, field: str = "file") -> tuple[bytes, str]:
    """The upload's bytes and sniffed type; PDF, JPEG or PNG of at most DOCUMENT_MAX_BYTES."""
    if upload is None:
        raise InvalidInput(_("请选择要上传的文件"), field)
    limit = settings.DOCUMENT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise InvalidInput(
            _("文件过大（%(size)s字节），上限为%(mb)sMB")
            % {"size": f"{size:,}", "mb": limit // (1024 * 1024)},
            field,
        )
    content = read_upload(upload)
    if len(content) > limit:
        raise InvalidInput(_("文件过大，上限为%(mb)sMB") % {"mb": limit // (1024 * 1024)}, field)
    if not content:
        raise InvalidInput(_("文件为空"), field)
    content_type = sniff_content_type(content)
    if content_type not in DOCUMENT_TYPES:
        raise InvalidInput(_("文件类型不支持：仅接受PDF、JPEG或PNG（按文件内容识别）"), field)
    return content, content_type
