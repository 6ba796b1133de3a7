"""Residential 三零 on the decision page (issue 10): a resident's category is not shown with T1's
enterprise sentence (its basis is the supply rules' LV threshold, PRACTICE; its limit L3), and
no T1 quote appears twice on one decision (an enterprise's cap is a category and a 三零 fact)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from getelec.core.plan import plan_clauses

pytestmark = pytest.mark.django_db

T1_CAP = (
    "用电报装总容量160千瓦及以下的小微企业及各类民营经济组织正式新装用电，原则上采用低压供电，"
    "电能表及以上供电设施全部由供电企业投资。"
)
L3_RESIDENTS = "低压居民用户和实行“三零”服务的低压非居民用户全过程办电时间"


def page(client: Client, user: Any, app: Any) -> str:
    client.force_login(user)
    response = client.get(reverse("application_detail", args=[app.number]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_t1_cap_sentence_is_really_in_t1() -> None:
    assert T1_CAP in plan_clauses()["T1"]


def test_a_residents_decision_cites_l3_and_practice_not_t1s_enterprise_sentence(
    client: Client, applicant_a: Any, submit: Any
) -> None:
    html = page(client, applicant_a, submit())
    assert "小微企业及各类民营经济组织正式新装用电" not in html
    assert L3_RESIDENTS in html  # the time limit
    assert "供电营业规则" in html and "1479号" in html  # LV threshold; residents' 三零


def test_an_enterprise_decision_shows_the_t1_cap_sentence_once(
    client: Client, applicant_a: Any, submit: Any
) -> None:
    app = submit(customer_type="small_micro_enterprise", capacity_kw="50")
    assert app.category == "lv_three_zero"
    html = page(client, applicant_a, app)
    assert html.count(T1_CAP) == 1
    assert html.count("将低压办电“零投资”扩大至160千瓦及以下各类民营经济组织") == 1
