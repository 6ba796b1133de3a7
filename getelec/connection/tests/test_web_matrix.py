"""Every web action per role (regulator read-only, outsiders 404, CSRF), the clause next to each
deadline, and the pending-2027 path end to end through the web pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import credit_code
from getelec.audit.models import AuditEvent
from getelec.connection.models import Application, Notification
from getelec.connection.tests.test_views import form_data
from getelec.core.workdays import YearSchedule
from getelec.workcalendar.services import import_year

pytestmark = pytest.mark.django_db

# Every action form of the detail page with data that the right role could submit.
ACTIONS: dict[str, dict[str, Any]] = {
    "advance": {"expected_stage": "intake", "note": ""},
    "consent": {"confirm": "on"},
    "pause": {"reason": "customer_works", "note": "客户受电工程施工"},
    "resume": {},
    "grid_upgrade": {
        "cause": "public_grid_upgrade",
        "project": "10千伏解放线改造",
        "committed_on": "2026-12-31",
        "customer_informed_on": "2026-11-26",
        "reason": "",
    },
    "contracted": {"contracted_on": "2026-12-10"},
    "key_project": {"level": "national"},
    "cancel": {"reason": "不再需要"},
}


def application_for(action: str, submit: Any) -> Application:
    """An application in the state where `action` applies (consent: awaiting; resume: paused)."""
    if action == "consent":
        return submit(requested_high_voltage=True)
    application = submit()
    if action == "resume":
        from getelec.accounts.models import User
        from getelec.connection import services

        worker = User.objects.get(username="staff")
        application = services.pause_clock(
            application, worker, "customer_works", "", application.version
        )
    return application


def post(client: Client, application: Application, action: str) -> Any:
    data = {**ACTIONS[action], "version": application.version}
    return client.post(reverse("application_action", args=[application.number, action]), data)


def snapshot(application: Application) -> tuple[Any, ...]:
    application.refresh_from_db()
    return (application.version, AuditEvent.objects.count())


@pytest.mark.parametrize("action", list(ACTIONS))
def test_the_regulator_cannot_change_anything_on_the_web(
    client: Client, roles: dict[str, Any], submit: Any, action: str
) -> None:
    application = application_for(action, submit)
    before = snapshot(application)
    client.force_login(roles["regulator"])
    response = post(client, application, action)
    assert response.status_code == 400
    assert snapshot(application) == before


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ["applicant_b", "staff_other"])
def test_outsiders_get_404_on_every_web_action(
    client: Client, roles: dict[str, Any], submit: Any, action: str, role: str
) -> None:
    application = application_for(action, submit)
    before = snapshot(application)
    client.force_login(roles[role])
    assert post(client, application, action).status_code == 404
    assert snapshot(application) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_the_right_role_can_do_each_web_action(
    client: Client, roles: dict[str, Any], submit: Any, action: str
) -> None:
    """The matrix above is meaningful: the same request by the right role succeeds."""
    application = application_for(action, submit)
    before = snapshot(application)
    client.force_login(roles["applicant_a" if action == "consent" else "staff"])
    assert post(client, application, action).status_code == 302
    assert snapshot(application) != before


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("staff", "/applications/{n}/advance/"),
        ("applicant_a", "/apply/"),
        ("applicant_a", "/apply/assess/"),
        ("applicant_a", "/my/notifications/read/"),
        ("applicant_a", "/applications/{n}/cancel/"),
        (None, "/progress/"),
    ],
)
def test_every_web_post_needs_a_csrf_token(
    roles: dict[str, Any], submit: Any, user: str | None, url: str
) -> None:
    application = submit()
    client = Client(enforce_csrf_checks=True)
    if user:
        client.force_login(roles[user])
    response = client.post(url.format(n=application.number), {"version": application.version})
    assert response.status_code == 403


def clause_cells(html: str) -> list[str]:
    rows = re.findall(r"<tr class=\"(?:done|current|todo)[^\"]*\">(.*?)</tr>", html, re.S)
    return [re.findall(r'<span class="clause"[^>]*>([^<]+)</span>', row) for row in rows]


def test_every_deadline_on_the_detail_page_shows_its_clause(
    client: Client, applicant_a: Any, submit: Any
) -> None:
    application = submit(purpose="ev_charging", customer_type="small_micro_enterprise")
    client.force_login(applicant_a)
    html = client.get(reverse("application_detail", args=[application.number])).content.decode()
    cells = clause_cells(html)
    assert len(cells) == 3 and all(set(c) == {"T2"} for c in cells)  # charging stages: T2
    # T2: charging stages run each on its own clock; the due date shown is the stage's own.
    due = html.split("<dt>环节到期日</dt>", 1)[1].split("</dd>", 1)[0]
    assert '<span class="clause">T2</span>' in due and "不超过1个、3个、2个工作日" in due


def test_the_public_lookup_shows_the_clause_of_the_time_limit(client: Client, submit: Any) -> None:
    application = submit()  # residential, no external works: L3, 5 wd
    response = client.post(
        reverse("progress"),
        {"number": application.number, "verification_code": application.verification_code},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<span class="clause">L3</span>' in html
        and "无电力外线工程（电能计量箱有空表位，具备直接装表条件）的不超过5个工作日" in html
    )
    assert "张三" not in html and application.id_number not in html


def schedule_2027() -> YearSchedule:
    d = dt.date.fromisoformat
    holidays = ["2027-01-01", *(f"2027-02-{day:02d}" for day in range(5, 12))]
    return YearSchedule(2027, frozenset(map(d, holidays)), frozenset({d("2027-02-14")}), "test")


def test_pending_2027_end_to_end_on_the_web(
    client: Client,
    applicant_a: Any,
    admin_user: Any,
    yinchuan_company: Any,
    frozen_today: dt.date,
    media_root: Any,
) -> None:
    client.force_login(applicant_a)
    data = form_data(
        customer_type="other", capacity_kw="500", supply="dual", id_number=credit_code()
    )
    response = client.post(reverse("apply"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get()
    assert application.category == "hv_dual" and application.time_limit_wd == 32
    assert application.due_on is None and application.due_pending_year == 2027
    detail = reverse("application_detail", args=[application.number])
    assert "待2027年节假日安排导入后计算" in client.get(detail).content.decode()

    assert import_year(schedule_2027(), admin_user, "国办发明电〔2026〕X号（测试）")
    application.refresh_from_db()
    # 32 working days after 2026-11-26 (2026 dates from the shipped calendar, 2027-01-01 off).
    assert application.due_on == dt.date(2027, 1, 12) and application.due_pending_year is None
    html = client.get(detail).content.decode()
    assert "待2027年节假日安排导入后计算" not in html and "2027-01-12" in html
    notice = Notification.objects.filter(user=applicant_a, kind="due_changed").get()
    assert "2027-01-12" in notice.text


def test_the_api_lookup_shares_the_failure_budget_of_the_web_page(
    client: Client, submit: Any, settings: Any
) -> None:
    settings.PUBLIC_LOOKUP_MAX_FAILURES = 3
    settings.PUBLIC_LOOKUP_CLIENT_MAX_FAILURES = 5
    application = submit()
    url = f"/api/v1/progress/{application.number}"
    assert client.get(url, {"code": "000000"}).status_code == 404
    web = client.post(reverse("progress"), {"number": application.number, "verification_code": "1"})
    assert web.status_code == 404
    assert client.get(url, {"code": "2"}).status_code == 404
    blocked = client.get(url, {"code": application.verification_code})
    assert blocked.status_code == 429 and "查询失败次数过多" in blocked.json()["detail"]
    refused = client.post(
        reverse("progress"),
        {"number": application.number, "verification_code": application.verification_code},
    )
    assert refused.status_code == 429
    # Spraying over other numbers reaches the per-client budget (5) on both paths.
    assert client.get("/api/v1/progress/NOPE", {"code": "1"}).status_code == 404
    web = client.post(reverse("progress"), {"number": "X", "verification_code": "1"})
    assert web.status_code == 404
    assert client.get("/api/v1/progress/OTHER", {"code": "1"}).status_code == 429
    assert (
        client.post(reverse("progress"), {"number": "Y", "verification_code": "1"}).status_code
        == 429
    )
