"""Compliance figures and the pattern detectors, on crafted data."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from getelec.connection.models import Status
from getelec.supervision import dashboard

pytestmark = pytest.mark.usefixtures("frozen")
D = dt.date
START, END, TODAY = D(2026, 1, 1), D(2026, 11, 26), D(2026, 11, 26)


def kinds(user: Any) -> dict[str, str]:
    return {f.application.number: f.kind for f in dashboard.findings(user, START, END, TODAY)}


def test_pauses_far_above_the_companys_median_are_found(
    users: dict[str, Any], make_application: Any
) -> None:
    normal = [make_application(paused_wd=n) for n in (0, 1, 2, 2, 3)]
    outlier = make_application(paused_wd=12)  # median 2: 12 > 3 × 2 and ≥ 5
    small = make_application(paused_wd=4)  # below the 5-working-day floor
    found = kinds(users["regulator_ndrc"])
    assert found.get(outlier.number) == "pause_outlier"
    assert small.number not in found and all(a.number not in found for a in normal)


def test_the_pause_norm_is_each_companys_own(
    users: dict[str, Any], make_application: Any, orgs: Any
) -> None:
    for n in (10, 11, 12):
        make_application(company=orgs["company_b"], paused_wd=n)
    usual_b = make_application(company=orgs["company_b"], paused_wd=13)
    assert usual_b.number not in kinds(users["regulator_ndrc"])


def test_registration_long_after_the_first_request_is_found(
    users: dict[str, Any], make_application: Any
) -> None:
    late = make_application(first_requested_on=D(2026, 8, 3), applied_on=D(2026, 9, 1))
    prompt = make_application(first_requested_on=D(2026, 8, 27), applied_on=D(2026, 9, 1))
    unknown = make_application(first_requested_on=None)
    found = kinds(users["regulator_ndrc"])
    assert found.get(late.number) == "late_registration"
    assert prompt.number not in found and unknown.number not in found


def test_a_cancellation_then_a_new_application_for_the_same_property_is_found(
    users: dict[str, Any], make_application: Any
) -> None:
    old = make_application(
        property_scope="宁(2026)银川市不动产权第0000001号",
        applied_on=D(2026, 11, 2),
        status=Status.CANCELLED,
    )
    new = make_application(
        property_scope="宁(2026)银川市不动产权第0000001号", applied_on=D(2026, 11, 26)
    )
    other = make_application(
        property_scope="宁(2026)银川市不动产权第0000002号", applied_on=D(2026, 11, 26)
    )
    findings = [
        f
        for f in dashboard.findings(users["regulator_ndrc"], START, END, TODAY)
        if f.kind == "cancel_reapply"
    ]
    assert [(f.application, f.related) for f in findings] == [(new, old)]
    assert other.number not in kinds(users["regulator_ndrc"])


def test_figures_count_on_time_overdue_and_filed_separately(
    users: dict[str, Any], make_application: Any
) -> None:
    make_application(due_on=D(2026, 9, 22), completed_on=D(2026, 9, 18), status=Status.COMPLETED)
    make_application(due_on=D(2026, 9, 22), completed_on=D(2026, 9, 25), status=Status.COMPLETED)
    make_application(due_on=D(2026, 11, 2))
    (g,) = dashboard.figures(users["regulator_ndrc"], "company", START, END, TODAY)
    assert (
        g.counts["accepted"],
        g.counts["completed"],
        g.counts["on_time"],
        g.counts["overdue"],
    ) == (3, 2, 1, 1)
    assert g.on_time_rate == 50.0
    assert sorted(g.taken) == [13, 18]  # working days 1 Sep → 18 / 25 Sep
    overdue = dashboard.drill(
        users["regulator_ndrc"], "company", g.key, "overdue", START, END, TODAY
    )
    assert [a.due_on for a in overdue] == [D(2026, 11, 2)]


def test_a_company_user_cannot_open_the_dashboard(users: dict[str, Any]) -> None:
    for who, status in [
        ("staff_a", 404),
        ("department", 404),
        ("applicant", 404),
        ("regulator_nea", 200),
        ("admin", 200),
    ]:
        client = Client()
        client.force_login(users[who])
        assert client.get(reverse("supervision:dashboard")).status_code == status, who
        assert client.get(reverse("supervision:drill")).status_code == status, who


def test_the_dashboard_links_every_figure_and_exports(
    users: dict[str, Any], make_application: Any
) -> None:
    app = make_application(due_on=D(2026, 11, 2))
    client = Client()
    client.force_login(users["regulator_ndrc"])
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert 'id="compliance-data"' in page and "<script>" not in page
    drill_url = reverse("supervision:drill")
    assert f'href="{drill_url}?' in page
    listing = client.get(
        drill_url, {"group": "company", "key": str(app.company_id), "metric": "overdue"}
    ).content.decode()
    assert reverse("application_detail", args=[app.number]) in listing
    export = client.get(reverse("supervision:dashboard"), {"format": "xlsx"})
    wb = load_workbook(io.BytesIO(export.content))
    assert wb.sheetnames == ["时限合规", "异常模式", "暂停原因"]
