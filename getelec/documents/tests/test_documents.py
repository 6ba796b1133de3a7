"""The documents-once store (L13): owner a user or an organisation (exactly one), source,
validity, the content check, and who may keep an organisation's documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from getelec.accounts.models import Organisation
from getelec.audit.models import AuditEvent
from getelec.documents import selectors, services
from getelec.documents.models import Document, DocumentSource, document_path
from getelec.kernel.errors import InvalidInput, NotAllowed

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def upload(content: bytes = PDF, name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def enterprise(regions: dict[str, Any]) -> Organisation:
    return Organisation.objects.create(
        name="银川凤城物业服务有限公司", kind="property_manager", region=regions["640100"]
    )


def account(username: str, role: str, organisation: Organisation | None = None) -> Any:
    from getelec.accounts.models import User

    return User.objects.create_user(
        username=username,
        role=role,
        organisation=organisation,
        region=organisation.region if organisation else None,
    )


# --- validity -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_until", "day", "valid"),
    [
        (None, dt.date(2099, 1, 1), True),  # no end date: valid for good
        (dt.date(2026, 12, 31), dt.date(2026, 12, 30), True),
        (dt.date(2026, 12, 31), dt.date(2026, 12, 31), True),  # valid through its last day
        (dt.date(2026, 12, 31), dt.date(2027, 1, 1), False),
    ],
)
def test_a_document_is_valid_until_the_end_of_its_last_day(
    valid_until: dt.date | None, day: dt.date, valid: bool
) -> None:
    assert Document(valid_until=valid_until).is_valid_on(day) is valid


def test_the_queryset_and_the_method_agree_on_validity(
    frozen_today: dt.date, applicant_a: Any, media_root: Any
) -> None:
    docs = [
        services.upload_document(applicant_a, "id_card", upload(PDF + bytes([i])), until)
        for i, until in enumerate([None, dt.date(2026, 12, 31), dt.date(2027, 6, 30)])
    ]
    for day in (dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 7, 1)):
        reusable = set(selectors.reusable_documents(applicant_a, day).values_list("pk", flat=True))
        assert reusable == {d.pk for d in docs if d.is_valid_on(day)}


# --- owner: a user or an organisation -------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "org", "allowed"), [(1, 0, True), (0, 1, True), (0, 0, False), (1, 1, False)]
)
def test_a_document_has_exactly_one_owner(
    applicant_a: Any, enterprise: Organisation, user: int, org: int, allowed: bool
) -> None:
    doc = Document(
        owner=applicant_a if user else None,
        organisation=enterprise if org else None,
        kind="id_card",
        file="documents/x",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    if allowed:
        doc.save()
        return
    with pytest.raises(ValidationError):
        doc.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        doc.save()


def test_a_persons_files_keep_their_path_and_an_organisations_have_their_own(
    applicant_a: Any, enterprise: Organisation
) -> None:
    digest = "ab" + "0" * 62
    mine = Document(owner=applicant_a, sha256=digest)
    theirs = Document(organisation=enterprise, sha256=digest)
    assert document_path(mine, "x.pdf") == f"documents/{applicant_a.pk}/ab/{digest}"
    assert document_path(theirs, "x.pdf") == f"documents/org-{enterprise.pk}/ab/{digest}"


def test_an_enterprise_account_keeps_its_organisations_documents_once(
    frozen_today: dt.date, enterprise: Organisation, media_root: Any
) -> None:
    clerk = account("clerk", "applicant", enterprise)
    colleague = account("colleague", "applicant", enterprise)
    doc = services.upload_organisation_document(
        clerk, "business_licence", upload(), dt.date(2030, 1, 1), DocumentSource.E_LICENCE
    )
    assert (doc.organisation_id, doc.owner_id, doc.source) == (enterprise.pk, None, "e_licence")
    assert doc.file.name.startswith(f"documents/org-{enterprise.pk}/")
    # A colleague uploading the same licence finds it; a new validity date updates it.
    again = services.upload_organisation_document(
        colleague, "business_licence", upload(name="copy.pdf"), dt.date(2031, 1, 1)
    )
    assert again.pk == doc.pk and Document.objects.get(pk=doc.pk).valid_until == dt.date(2031, 1, 1)
    assert list(selectors.organisation_documents_for(colleague)) == [doc]
    assert not selectors.documents_for(colleague).exists()  # not the colleague's own
    event = AuditEvent.objects.get(action="connection.upload_document")
    assert event.object_type == "documents.document" and event.new["organisation"] == enterprise.pk


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("applicant", None),  # a person without an organisation
        ("staff", "supply_company"),
        ("department", "department"),
        ("staff", "developer"),  # the wrong role in an enterprise
    ],
)
def test_only_enterprise_accounts_keep_organisation_documents(
    frozen_today: dt.date, regions: dict[str, Any], media_root: Any, role: str, kind: str | None
) -> None:
    org = None
    if kind:
        org = Organisation.objects.create(
            name=f"某{kind}",
            kind=kind,
            department_type="water" if kind == "department" else "",
            region=regions["640100"],
        )
    user = account("someone", role, org)
    with pytest.raises(NotAllowed):
        services.upload_organisation_document(user, "business_licence", upload(), None)
    assert not selectors.organisation_documents_for(user).exists()
    assert Document.objects.count() == 0


# --- the content check and the inputs -------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"<html><script>alert(1)</script>", "file"),  # a name that says PDF is not enough
        (b"", "file"),
    ],
)
def test_the_content_check_stays(
    frozen_today: dt.date, applicant_a: Any, media_root: Any, content: bytes, field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        services.upload_document(applicant_a, "id_card", upload(content), None)
    assert error.value.field == field
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "valid_until", "source", "field"),
    [
        ("passport_scan", None, "upload", "kind"),
        ("id_card", "2026-13-01", "upload", "valid_until"),
        ("id_card", "2026-11-25", "upload", "valid_until"),  # already expired
        ("id_card", None, "fax", "source"),
    ],
)
def test_bad_kinds_dates_and_sources_are_refused_by_field(
    frozen_today: dt.date,
    enterprise: Organisation,
    media_root: Any,
    kind: str,
    valid_until: Any,
    source: str,
    field: str,
) -> None:
    clerk = account("clerk", "applicant", enterprise)
    with pytest.raises(InvalidInput) as error:
        services.upload_organisation_document(
            clerk, kind, upload(PNG, "a.png"), valid_until, source
        )
    assert error.value.field == field
    assert Document.objects.count() == 0


def test_the_connection_names_are_the_kernels() -> None:
    from getelec.connection import models as connection_models
    from getelec.connection import services as connection_services
    from getelec.connection import validators

    assert connection_models.Document is Document
    assert connection_services.upload_document is services.upload_document
    assert connection_models.Application.documents.field.related_model is Document
    from getelec.documents import content

    assert validators.document_upload is content.document_upload
