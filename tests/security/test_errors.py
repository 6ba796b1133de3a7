"""Error answers are the platform's own: Chinese pages, JSON `{detail, field}` under /api/,
the field named (the trial of the hardening issue found English defaults and raw ranges)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_chinese_404_page(client: Client, applicant_a: Any) -> None:
    client.force_login(applicant_a)
    response = client.get("/applications/NOPE/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "未找到" in body and "Not Found" not in body


def test_an_unknown_api_path_is_a_json_404(client: Client) -> None:
    response = client.get("/api/v1/nonexistent")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到", "field": ""}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("area_m2=nan", "area_m2", "必须是有限的数字"),
        ("area_m2=1e400", "area_m2", "必须是有限的数字"),
        ("area_m2=100&on=1900-01-01", "on", "该日期没有生效的政策规定"),
        ("area_m2=100&dwellings=" + "9" * 30, "dwellings", ""),
    ],
)
def test_capacity_suggestion_names_the_bad_field_in_chinese(
    client: Client, query: str, field: str, message: str
) -> None:
    response = client.get(f"/api/v1/capacity-suggestion?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and message in body["detail"]


def test_an_id_that_is_not_a_number_is_named_without_its_range(client: Client, staff: Any) -> None:
    client.force_login(staff)
    response = client.get("/supervision/batches/preview/?company=abc")
    assert response.status_code == 400
    body = response.content.decode()
    assert "参数“供电企业”" in body and "必须是有效的编号" in body
    assert "9223372036854775807" not in body


def test_an_unparseable_api_body_is_a_400_naming_the_body(client: Client, applicant_a: Any) -> None:
    client.force_login(applicant_a)
    response = client.post("/api/v1/applications", "{bad", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "body: 请求体不是有效的 JSON", "field": "body"}


def test_a_form_sent_without_its_security_token_is_the_chinese_page_with_the_navigation(
    applicant_a: Any,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant_a)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "安全校验未通过" in body and "请刷新后重试" in body
    assert 'class="site-nav"' in body and "办电进度查询" in body and "退出登录" in body
    assert "CSRF verification failed" not in body and "Forbidden" not in body


def test_the_security_token_page_speaks_english_through_i18n() -> None:
    from django.conf import settings

    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "The security check failed" in response.content.decode()


def test_the_500_page_has_the_layout_without_touching_the_request_or_the_database() -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        body = render_to_string("500.html")  # as Django's server_error renders it: no request
    assert "服务暂时不可用" in body and 'class="site-nav"' in body and "办电进度查询" in body
    assert "/static/css/site.css" in body and "/static/favicon.svg" in body


def test_every_page_links_the_self_hosted_favicon(client: Client) -> None:
    from django.contrib.staticfiles import finders

    body = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in body
    assert finders.find("favicon.svg") and finders.find("favicon.ico")
    redirect = client.get("/favicon.ico")
    assert (redirect.status_code, redirect["Location"]) == (301, "/static/favicon.ico")


def test_an_api_call_without_its_security_token_is_a_json_403_in_chinese(applicant_a: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant_a)
    response = client.post("/api/v1/applications", "{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "安全校验未通过：页面可能已过期。请返回上一页，刷新后重新提交。",
        "field": "",
    }
