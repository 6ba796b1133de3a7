"""Who receives the monthly filings (T2, L4): 自治区发展改革委 and 国家能源局西北监管局 — L4's
地方能源(电力)主管部门 is, in Ningxia, 自治区发展改革委. A city energy authority reads its own
city's batches, read-only, and is never shown as a recipient (nor as copied)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from getelec.supervision import selectors, services
from getelec.supervision.models import MonthlyBatch
from getelec.supervision.services import FilingInput

pytestmark = pytest.mark.usefixtures("frozen")
D = dt.date
REGULATORS = {"自治区发展改革委", "国家能源局西北监管局"}


def submitted_batch(users: dict[str, Any], orgs: Any, app: Any, staff: str) -> MonthlyBatch:
    data = FilingInput.from_application(app)
    data.cause_detail, data.measures = "更换配电变压器", "同步建设配套电网"
    data.customer_informed_how, data.contact = "书面告知书", "张工 0951-1234567"
    with time_machine.travel("2026-10-12 10:00 +0800", tick=False):
        filing = services.create_filing(users[staff], app, data)
        services.submit_filing(users[staff], filing, filing.version)
    return services.submit_batch(users[staff], app.company, D(2026, 10, 1))


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_recipients_are_the_two_region_regulators_everywhere_the_batch_is_shown(
    users: dict[str, Any], orgs: Any, blocked: Any
) -> None:
    batch = submitted_batch(users, orgs, blocked(due_on=D(2026, 11, 20)), "staff_a")
    assert {o.name for o in batch.recipients.all()} == REGULATORS
    authority = orgs["energy_yinchuan"].name
    reader = signed_in(users["regulator_ndrc"])
    page = reader.get(reverse("supervision:batch", args=[batch.pk])).content.decode()
    assert "抄送" not in page and authority not in page
    api = reader.get(f"/api/v1/supervision/batches/{batch.pk}").json()
    assert set(api["recipients"]) == REGULATORS and "copied_to" not in api
    cover = load_workbook(
        BytesIO(reader.get(reverse("supervision:batch_export", args=[batch.pk])).content)
    ).worksheets[0]
    labels = {row[0]: row[1] for row in cover.iter_rows(values_only=True) if row}
    assert set(labels["报送至"].split("、")) == REGULATORS and "抄送" not in labels
    preview = signed_in(users["staff_a"]).get(
        reverse("supervision:batch_preview"), {"month": "2026-10"}
    )
    assert "抄送" not in preview.content.decode()
    assert authority not in preview.content.decode()
    listing = reader.get(reverse("supervision:batches")).content.decode()
    assert "抄送" not in listing


def test_the_city_energy_authority_reads_its_citys_batches_read_only(
    users: dict[str, Any], orgs: Any, blocked: Any, regions: Any
) -> None:
    from getelec.accounts.models import Organisation, User

    # A region-wide company serves one application in 兴庆区 (银川): its batch concerns 银川.
    wide = Organisation.objects.create(
        name="国网宁夏电力有限公司",
        kind=Organisation.Kind.SUPPLY_COMPANY,
        region=regions["province"],
    )
    users["staff_wide"] = User.objects.create_user(
        username="staff_wide", password="pw-For-tests-1", role=User.Role.STAFF,
        organisation=wide, region=regions["province"], display_name="staff_wide",
    )  # fmt: skip
    concerning = submitted_batch(
        users,
        orgs,
        blocked(company=wide, region=regions["xingqing"], due_on=D(2026, 11, 20)),
        "staff_wide",
    )
    authority = users["energy_yinchuan"]
    assert selectors.batches_for(authority).filter(pk=concerning.pk).exists()
    client = signed_in(authority)
    page = client.get(reverse("supervision:batch", args=[concerning.pk]))
    assert page.status_code == 200
    assert "报送本月备案" not in page.content.decode()
    assert client.post(reverse("supervision:batch_submit"), {"month": "2026-10"}).status_code in (
        302,
        403,
        404,
    )
    assert MonthlyBatch.objects.count() == 1
    # A batch concerning only 石嘴山 stays out of its sight.
    elsewhere = submitted_batch(
        users, orgs, blocked(company=orgs["company_b"], due_on=D(2026, 11, 20)), "staff_b"
    )
    assert not selectors.batches_for(authority).filter(pk=elsewhere.pk).exists()
    assert client.get(reverse("supervision:batch", args=[elsewhere.pk])).status_code == 404
