"""The documents-once store (L13): a document is kept once and reused while it is valid."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from getelec.accounts.models import Organisation
from getelec.kernel.choices import CachedChoiceLabels


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("身份证明")
    BUSINESS_LICENCE = "business_licence", _("营业执照")
    PROPERTY_CERTIFICATE = "property_certificate", _("产权证明")
    AUTHORISATION = "authorisation", _("授权委托书")
    OTHER = "other", _("其他")


class DocumentSource(models.TextChoices):
    UPLOAD = "upload", _("上传")
    E_LICENCE = "e_licence", _("电子证照")  # fetched from the government platform (L12)
    AGREEMENT = "agreement", _("协议")


def document_path(instance: Document, filename: str) -> str:
    """Where the file is kept, by content: documents/<user id>/ab/abcd… for a person's
    document (the path every stored file already has), documents/org-<id>/ab/abcd… for an
    organisation's."""
    folder = (
        str(instance.owner_id)
        if instance.owner_id is not None
        else f"org-{instance.organisation_id}"
    )
    return f"documents/{folder}/{instance.sha256[:2]}/{instance.sha256}"


class Document(CachedChoiceLabels):
    """A document of a user or of an organisation (exactly one owns it), kept once (L13)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("所属用户"),
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("所属机构"),
    )
    kind = models.CharField(_("材料类型"), max_length=24, choices=DocumentKind.choices)
    source = models.CharField(
        _("来源"), max_length=12, choices=DocumentSource.choices, default=DocumentSource.UPLOAD
    )
    file = models.FileField(_("文件"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        db_table = "connection_document"  # the table it had in the connection app
        ordering = ["owner_id", "kind", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "sha256"], name="document_unique"),
            models.UniqueConstraint(
                fields=["organisation", "kind", "sha256"], name="document_unique_organisation"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(owner__isnull=False, organisation__isnull=True)
                    | models.Q(owner__isnull=True, organisation__isnull=False)
                ),
                name="document_one_owner",
                violation_error_message=_("材料必须属于一个用户或一个机构"),
            ),
        ]
        verbose_name = _("办电材料")
        verbose_name_plural = _("办电材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    def is_valid_on(self, day: dt.date) -> bool:
        """Still valid on `day` (no end date: valid for good); L13 reuses only valid ones."""
        return self.valid_until is None or self.valid_until >= day
