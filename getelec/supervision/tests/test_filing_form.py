"""Form A1 on the page (T2/L4): it keeps what the application already says, names every
missing field in Chinese, and is reachable from the application once it is marked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from getelec.supervision import services

pytestmark = pytest.mark.usefixtures("frozen")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None


def test_the_dates_of_the_mark_arrive_in_the_iso_form_a_date_input_accepts(
    users: dict[str, Any], blocked: Any
) -> None:
    app = blocked()  # committed 2026-12-15, customer informed 2026-09-11
    html = (
        signed_in(users["staff_a"])
        .get(reverse("supervision:filing_new", args=[app.number]))
        .content.decode()
    )
    assert input_value(html, "committed_on") == "2026-12-15"
    assert input_value(html, "customer_informed_on") == "2026-09-11"
    assert input_value(html, "upgrade_project") == "10千伏解放线改造工程"


def test_every_missing_field_is_named_in_chinese(users: dict[str, Any], blocked: Any) -> None:
    app = blocked()
    response = signed_in(users["staff_a"]).post(
        reverse("supervision:filing_new", args=[app.number]), {}
    )
    html = response.content.decode()
    assert "这个字段是必填项" not in html
    for label in (
        "项目名称",
        "无法满足时限的原因",
        "原因说明",
        "配套电网工程（审批事项）名称",
        "承诺完成（接电）日期",
        "已采取措施",
        "告知用户日期",
        "告知方式",
        "填报人及联系电话",
    ):
        assert f"请填写“{label}”。" in html, label
    bad_date = signed_in(users["staff_a"]).post(
        reverse("supervision:filing_new", args=[app.number]), {"committed_on": "2026/13/45"}
    )
    assert "“承诺完成（接电）日期”格式不正确。" in bad_date.content.decode()


def test_the_application_links_to_form_a1_once_marked_and_to_the_filing_once_made(
    users: dict[str, Any], blocked: Any, make_application: Any
) -> None:
    staff = signed_in(users["staff_a"])
    unmarked = make_application()
    page = staff.get(reverse("application_detail", args=[unmarked.number])).content.decode()
    assert 'id="filing-a1"' not in page
    app = blocked()
    new_url = reverse("supervision:filing_new", args=[app.number])
    page = staff.get(reverse("application_detail", args=[app.number])).content.decode()
    assert f'id="filing-a1" class="button small" href="{new_url}"' in page
    data = services.FilingInput.from_application(app)
    data.cause_detail, data.measures = "更换配电变压器", "同步建设配套电网"
    data.customer_informed_how, data.contact = "书面告知书", "张工 0951-1234567"
    filing = services.create_filing(users["staff_a"], app, data)
    filing_url = reverse("supervision:filing", args=[filing.pk])
    page = staff.get(reverse("application_detail", args=[app.number])).content.decode()
    assert f'id="filing-a1" href="{filing_url}"' in page
    response = staff.get(new_url)  # the old link opens the filing instead of a dead end
    assert response.status_code == 302 and response["Location"] == filing_url
    # The applicant and the regulator see no such link.
    for who in ("applicant", "regulator_ndrc"):
        seen = signed_in(users[who]).get(reverse("application_detail", args=[app.number]))
        assert 'id="filing-a1"' not in seen.content.decode(), who
