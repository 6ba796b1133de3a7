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
