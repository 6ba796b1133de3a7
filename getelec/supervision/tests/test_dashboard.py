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
    # One on time ÷ (two connected + one open past due): the backlog counts as a miss.
    assert g.on_time_rate == 33.3
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


def cancel_recorded_on(app: Any, actor: Any, when: str) -> None:
    """The audit row the connection service writes on cancellation, dated `when`."""
    import time_machine
    from django.db import transaction

    from getelec.audit.services import record

    with time_machine.travel(when, tick=False), transaction.atomic():
        record(
            actor,
            "connection.cancel_application",
            app,
            {"status": "in_progress"},
            {"status": Status.CANCELLED},
            reason="客户撤回",
        )


def test_the_cancellation_date_comes_from_the_audit_log_not_the_last_change(
    users: dict[str, Any], make_application: Any
) -> None:
    scope_long, scope_short = (
        "宁(2026)银川市不动产权第0000011号",
        "宁(2026)银川市不动产权第0000012号",
    )
    long_ago = make_application(
        property_scope=scope_long, applied_on=D(2026, 9, 1), status=Status.CANCELLED
    )
    recent = make_application(
        property_scope=scope_short, applied_on=D(2026, 9, 1), status=Status.CANCELLED
    )
    cancel_recorded_on(long_ago, users["staff_a"], "2026-10-02 09:00 +0800")  # 55 days: > 30
    cancel_recorded_on(recent, users["staff_a"], "2026-11-10 23:30 +0800")  # local date
    make_application(property_scope=scope_long, applied_on=D(2026, 11, 26))
    again = make_application(property_scope=scope_short, applied_on=D(2026, 11, 26))
    findings = [
        f
        for f in dashboard.findings(users["regulator_ndrc"], START, END, TODAY)
        if f.kind == "cancel_reapply"
    ]
    assert [(f.application, f.related) for f in findings] == [(again, recent)]
    assert "2026-11-10" in findings[0].evidence and "16日后" in findings[0].evidence


def test_working_days_taken_skip_holidays_and_paused_days(
    users: dict[str, Any], make_application: Any
) -> None:
    # 2026 National Day: 1–7 Oct off, Sat 10 Oct a make-up working day. After 30 Sep up to
    # 13 Oct the working days are 8, 9, 10, 12, 13 Oct = 5 (a weekdays-only count gives 9);
    # 2 of them were paused for the customer, so 3 count against the 5-day limit.
    make_application(
        applied_on=D(2026, 9, 30),
        due_on=D(2026, 10, 14),
        completed_on=D(2026, 10, 13),
        status=Status.COMPLETED,
        paused_wd=2,
        time_limit_wd=5,
    )
    (g,) = dashboard.figures(users["regulator_ndrc"], "company", START, END, TODAY)
    assert g.taken == [3] and g.limits == [5]
    assert (g.avg_taken, g.p90_taken, g.avg_limit, g.paused_wd) == (3.0, 3.0, 5.0, 2)


@pytest.mark.pure
@pytest.mark.parametrize(
    ("values", "p90"),
    [([], None), ([7], 7.0), (list(range(1, 11)), 9.0), (list(range(1, 12)), 10.0)],
)
def test_the_90th_percentile_is_nearest_rank(values: list[int], p90: float | None) -> None:
    assert dashboard.percentile(values, 90) == p90


def test_a_backlog_past_its_due_date_lowers_the_on_time_rate_on_page_chart_and_export(
    users: dict[str, Any], make_application: Any
) -> None:
    """Every connected case on time but three open past due: not 100 % (T2/L3 limits)."""
    make_application(due_on=D(2026, 9, 22), completed_on=D(2026, 9, 18), status=Status.COMPLETED)
    for _ in range(3):
        make_application(due_on=D(2026, 11, 2))
    make_application(due_on=D(2026, 12, 2))  # open, not yet due: not counted
    (g,) = dashboard.figures(users["regulator_ndrc"], "company", START, END, TODAY)
    assert g.on_time_rate == 25.0
    client = Client()
    client.force_login(users["regulator_ndrc"])
    page = client.get(reverse("supervision:dashboard"))
    assert "25.0%" in page.content.decode() and "100.0%" not in page.content.decode()
    assert '"on_time_rate": [25.0]' in page.content.decode()


def test_a_filing_that_misses_its_committed_date_counts_as_late_not_on_time(
    users: dict[str, Any], blocked: Any
) -> None:
    from getelec.supervision.models import DelayFiling

    kept = blocked(completed_on=D(2026, 11, 20), status=Status.COMPLETED)
    missed = blocked(completed_on=D(2026, 11, 25), status=Status.COMPLETED)
    for app in (kept, missed):
        DelayFiling.objects.create(
            application=app,
            company=app.company,
            created_on=D(2026, 9, 12),
            created_by=users["staff_a"],
            submitted_on=D(2026, 9, 12),
            first_committed_on=D(2026, 11, 20),
        )
    (g,) = dashboard.figures(users["regulator_ndrc"], "company", START, END, TODAY)
    assert (g.counts["completed"], g.counts["on_time"], g.counts["kept"], g.counts["late"]) == (
        2,
        0,
        1,
        1,
    )
    assert g.on_time_rate == 0.0
    late = dashboard.drill(users["regulator_ndrc"], "company", g.key, "late", START, END, TODAY)
    assert late == [missed]


def test_pause_reasons_link_to_the_applications_paused_for_them(
    users: dict[str, Any], make_application: Any
) -> None:
    from getelec.connection.models import Pause, PauseReason

    works = make_application(paused_wd=4)
    docs = make_application(paused_wd=1)
    Pause.objects.create(
        application=works,
        reason=PauseReason.CUSTOMER_WORKS,
        started_on=D(2026, 9, 3),
        ended_on=D(2026, 9, 9),
        paused_wd=4,
        created_by=users["staff_a"],
    )
    Pause.objects.create(
        application=docs,
        reason=PauseReason.MISSING_DOCUMENTS,
        started_on=D(2026, 9, 3),
        ended_on=D(2026, 9, 4),
        paused_wd=1,
        created_by=users["staff_a"],
    )
    rows = dashboard.pause_reasons(users["regulator_ndrc"], START, END)
    assert [(r.reason, r.pauses, r.applications, r.paused_wd) for r in rows] == [
        ("customer_works", 1, 1, 4),
        ("missing_documents", 1, 1, 1),
    ]
    client = Client()
    client.force_login(users["regulator_ndrc"])
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert 'data-reason="customer_works"' in page
    listing = client.get(
        reverse("supervision:drill"), {"key": "", "metric": "paused", "reason": "customer_works"}
    ).content.decode()
    assert works.number in listing and docs.number not in listing
    assert client.get(reverse("supervision:drill"), {"reason": "nonsense"}).status_code == 404


def test_the_dashboard_export_lays_out_figures_findings_and_pause_reasons(
    users: dict[str, Any], make_application: Any
) -> None:
    make_application(
        applied_on=D(2026, 9, 30),
        due_on=D(2026, 10, 14),
        completed_on=D(2026, 10, 13),
        status=Status.COMPLETED,
        paused_wd=2,
        time_limit_wd=5,
    )
    make_application(due_on=D(2026, 11, 2))
    client = Client()
    client.force_login(users["regulator_ndrc"])
    response = client.get(reverse("supervision:dashboard"), {"format": "xlsx", "group": "county"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = load_workbook(io.BytesIO(response.content))
    rows = [[c.value for c in r] for r in wb["时限合规"].iter_rows()]
    assert rows[0] == [
        "县（市、区）",
        *(str(label) for label in dashboard.METRICS.values()),
        "按期率（%）",
        "平均用时（工作日）",
        "90分位用时（工作日）",
        "平均时限（工作日）",
        "暂停工作日合计",
        "待节假日安排（件）",
    ]
    figures = dict(zip(rows[0], rows[1], strict=True))
    assert figures["县（市、区）"] == "兴庆区"
    assert (figures["受理"], figures["已接电"], figures["按期接电"], figures["当前逾期"]) == (
        2,
        1,
        1,
        1,
    )
    assert (
        figures["按期率（%）"],
        figures["平均用时（工作日）"],
        figures["平均时限（工作日）"],
    ) == (
        50,
        3,
        5,
    )
    assert [c.value for c in wb["异常模式"][1]] == ["类型", "申请编号", "供电企业", "证据"]
    assert [c.value for c in wb["暂停原因"][1]] == ["原因", "次数", "涉及申请", "暂停工作日"]
