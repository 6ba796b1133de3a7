"""Migrating a database that has documents keeps them: the model moved from connection to
documents on the same table (state only), the application ↔ document links and files stay, and
existing departments get their department type from their names. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("accounts", "0002_throttle_counter"),
    ("connection", "0003_application_scope_index"),
    ("documents", None),
]
AFTER = [
    ("accounts", "0004_organisation_department_type_required"),
    ("connection", "0005_document_moved_to_documents_app"),
    ("documents", "0002_document_owner_user_or_organisation_and_source"),
]


def migrate(targets: Sequence[tuple[str, str | None]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    executor.loader.build_graph()
    applied = [(app, name) for app, name in targets if name is not None]
    return executor.loader.project_state(applied).apps


def _old_data(apps: Any) -> dict[str, Any]:
    Region = apps.get_model("accounts", "Region")
    Organisation = apps.get_model("accounts", "Organisation")
    User = apps.get_model("accounts", "User")
    Application = apps.get_model("connection", "Application")
    Document = apps.get_model("connection", "Document")
    ContentType = apps.get_model("contenttypes", "ContentType")
    province = Region.objects.create(code="640000", name="宁夏回族自治区", level="province")
    company = Organisation.objects.create(
        name="国网宁夏电力有限公司", kind="supply_company", region=province
    )
    water = Organisation.objects.create(
        name="宁夏回族自治区水利厅", kind="department", region=province
    )
    police = Organisation.objects.create(
        name="自治区公安交警总队", short_name="公安厅", kind="department", region=province
    )
    user = User.objects.create(username="applicant", role="applicant")
    doc = Document.objects.create(
        owner=user,
        kind="id_card",
        file=f"documents/{user.pk}/ab/ab{'0' * 62}",
        original_name="身份证.pdf",
        content_type="application/pdf",
        size=123,
        sha256="ab" + "0" * 62,
        valid_until=dt.date(2030, 1, 1),
    )
    app = Application.objects.create(
        number="NX202611260001",
        verification_code="12345678",
        applicant=user,
        company=company,
        region=province,
        customer_type="residential",
        customer_name="张三",
        id_number="640121198503120016",
        contact_phone="13800000001",
        address="银川市",
        property_scope="P-1",
        request_type="new",
        purpose="residential",
        capacity_kw=Decimal("8"),
        voltage="lv",
        supply="single",
        category="lv_residential",
        time_limit_wd=5,
        applied_on=dt.date(2026, 11, 26),
    )
    app.documents.add(doc)
    content_type = ContentType.objects.get_or_create(app_label="connection", model="document")[0]
    return {
        "doc": doc.pk,
        "user": user.pk,
        "app": app.pk,
        "file": doc.file.name,
        "water": water.pk,
        "police": police.pk,
        "company": company.pk,
        "content_type": content_type.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_migrating_keeps_documents_their_links_and_files_and_types_the_departments() -> None:
    try:
        before = _old_data(migrate(BEFORE))
        apps = migrate(AFTER)
        Document = apps.get_model("documents", "Document")
        Organisation = apps.get_model("accounts", "Organisation")
        Application = apps.get_model("connection", "Application")
        ContentType = apps.get_model("contenttypes", "ContentType")

        doc = Document.objects.get(pk=before["doc"])
        assert (doc.owner_id, doc.organisation_id, doc.source) == (before["user"], None, "upload")
        assert (doc.file.name, doc.size, doc.valid_until) == (
            before["file"],
            123,
            dt.date(2030, 1, 1),
        )
        app = Application.objects.get(pk=before["app"])
        assert list(app.documents.values_list("pk", flat=True)) == [before["doc"]]
        types = dict(Organisation.objects.values_list("pk", "department_type"))
        assert types[before["water"]] == "water"
        assert types[before["police"]] == "public_security"
        assert types[before["company"]] == ""
        moved = ContentType.objects.get(pk=before["content_type"])
        assert (moved.app_label, moved.model) == ("documents", "document")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_department_the_migration_cannot_type_stops_it_with_its_name() -> None:
    try:
        apps = migrate(BEFORE)
        Region = apps.get_model("accounts", "Region")
        Organisation = apps.get_model("accounts", "Organisation")
        province = Region.objects.create(code="640000", name="宁夏回族自治区", level="province")
        Organisation.objects.create(name="自治区农业农村厅", kind="department", region=province)
        with pytest.raises(RuntimeError, match="自治区农业农村厅"):
            migrate([("accounts", "0003_organisation_new_kinds_and_department_type")])
        Organisation.objects.filter(name="自治区农业农村厅").delete()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
