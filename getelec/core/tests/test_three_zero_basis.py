"""Residential 三零 (issue 10): each fact of a decision cites the clause that says it.

- T1/L2: the plan's 三零 scope names small/micro enterprises and private economic organisations
  (`three_zero_customer_types`, L2), with the 160 kW cap (`three_zero_max_kw`, T1).
- L3: residents share the 5/15-day limits ("低压居民用户和实行“三零”服务的低压非居民用户").
- PRACTICE: residents' 三零 (zero investment) rests on national practice (发改能源规〔2020〕1479号,
  `three_zero_residential`); their LV threshold is the national supply rules' (《供电营业规则》,
  `capacity_lv_max_kw`), not T1's enterprise sentence.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from getelec.core.assess import parse_input, plan
from getelec.core.policy import default_policy

pytestmark = pytest.mark.pure

T1_ENTERPRISES = "小微企业及各类民营经济组织正式新装用电，原则上采用低压供电"


def decided(**fields: Any) -> Any:
    return plan(parse_input({"capacity_kw": 8, "applied_on": "2026-11-02", **fields})).as_json()


def quotes(basis: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(b["clause"], b["quote"]) for b in basis]


# (clause, customer type, the basis part, the parameter and clause expected there)
CASES = [
    ("L3", "residential", "time_limit", "lv_three_zero_no_works_limit_wd", "L3"),
    ("PRACTICE", "residential", "category", "capacity_lv_max_kw", "PRACTICE"),
    ("PRACTICE", "residential", "three_zero", "three_zero_residential", "PRACTICE"),
    ("L3", "small_micro_enterprise", "time_limit", "lv_three_zero_no_works_limit_wd", "L3"),
    ("T1", "small_micro_enterprise", "category", "three_zero_max_kw", "T1"),
    ("L2", "small_micro_enterprise", "three_zero", "three_zero_customer_types", "L2"),
]


@pytest.mark.parametrize(
    ("cited", "customer_type", "part", "parameter", "clause"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES],
)
def test_each_fact_of_a_decision_cites_its_clause(
    cited: str, customer_type: str, part: str, parameter: str, clause: str
) -> None:
    basis = decided(customer_type=customer_type)["basis"][part]
    found = next(b for b in basis if b["parameter"] == parameter)
    assert found["clause"] == clause == cited
    if clause == "L3":
        assert "低压居民用户和实行“三零”服务的低压非居民用户" in found["quote"]
    if clause == "PRACTICE":
        assert found["source"]


def test_a_residents_decision_never_shows_t1s_enterprise_sentence_as_its_category() -> None:
    result = decided(customer_type="residential")
    assert result["category"] == "lv_residential" and result["three_zero"]["eligible"]
    assert all(b["clause"] != "T1" for b in result["basis"]["category"])
    assert not any(
        T1_ENTERPRISES in q
        for _c, q in [q for part in result["basis"].values() for q in quotes(part)]
    )
    reason = next(r for r in result["three_zero"]["reasons"] if r["rule"] == "customer_type")
    assert (reason["clause"], reason["variant"]) == ("PRACTICE", "residential")
    capacity = next(r for r in result["three_zero"]["reasons"] if r["rule"] == "capacity")
    assert (capacity["clause"], capacity["values"]["cap"]) == ("PRACTICE", 100)


def test_residents_above_the_lv_threshold_are_proposed_high_voltage() -> None:
    result = decided(customer_type="residential", capacity_kw=120)
    assert (result["proposed_voltage"], result["category"]) == ("high", "hv_single")
    assert not result["three_zero"]["eligible"]


def test_an_enterprise_decision_cites_t1_and_l2_and_residents_are_out_of_the_plans_list() -> None:
    result = decided(customer_type="small_micro_enterprise")
    assert result["category"] == "lv_three_zero" and result["three_zero"]["eligible"]
    t1 = [q for c, q in quotes(result["basis"]["three_zero"]) if c == "T1"]
    assert len(t1) == len(set(t1)) == 2  # the request type and the cap: different sentences
    scope = default_policy().value("three_zero_customer_types", dt.date(2026, 11, 2))
    assert scope == ["small_micro_enterprise", "private_org"]  # residents: by practice
