"""三零 reasons are data (rule, clause, met, variant, values); sentences come from one catalogue.

Each case cites its clause (T1: 三零 scope, cap, splitting, HV→LV, informed consent; L2: customer
types; PRACTICE: residents' 三零 by national practice; L34: e-bike chargers). The Chinese
sentences are those the core wrote before reasons were data, so pages in Chinese read as before.
No database.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest

from getelec.core.assess import parse_input, plan
from getelec.core.reasons import MESSAGES, Reason, format_number, render

pytestmark = pytest.mark.pure

CJK = re.compile(r"[\u4e00-\u9fff]")


def application(**fields: Any) -> dict[str, Any]:
    return (
        {"customer_type": "small_micro_enterprise", "capacity_kw": 50}
        | fields
        | {"applied_on": "2026-11-02"}
    )


def reason_of(rule: str, **fields: Any) -> Reason:
    return next(r for r in plan(parse_input(application(**fields))).reasons if r.rule == rule)


# (clause, input fields, rule, variant, met, values, the Chinese sentence)
CASES = [
    ("L34", dict(customer_type="other", purpose="ebike_charging", capacity_kw=30),
     "customer_type", "ebike_charging", True, {}, "小区电动自行车充电设施按三零政策接电"),
    ("L2", dict(customer_type="private_org"), "customer_type", "in_scope", True, {},
     "用户类型属于三零服务对象（居民、小微企业、民营经济组织）"),
    ("PRACTICE", dict(customer_type="residential"), "customer_type", "residential", True, {},
     "居民低压用户按国家“三零”服务要求纳入三零服务"),
    ("L2", dict(customer_type="other"), "customer_type", "out_of_scope", False, {},
     "用户类型不属于三零服务对象（居民、小微企业、民营经济组织）"),
    ("T1", dict(), "request_type", "new", True, {}, "业务类型为正式新装"),
    ("T1", dict(request_type="increase"), "request_type", "not_new", False, {},
     "三零服务仅适用于正式新装，不含增容和临时用电"),
    ("T1", dict(capacity_kw=160), "capacity", "within", True, {"kw": 160, "cap": 160},
     "报装容量160千瓦不超过160千瓦上限"),
    ("T1", dict(capacity_kw=12.5), "capacity", "within", True, {"kw": 12.5, "cap": 160},
     "报装容量12.5千瓦不超过160千瓦上限"),
    ("T1", dict(capacity_kw=200), "capacity", "over", False, {"kw": 200, "cap": 160},
     "报装容量200千瓦超过160千瓦上限，建议采用高压供电"),
    ("T1", dict(capacity_kw=100, property_existing_kw=60), "property_scope_split", "within",
     True, {"existing": 60, "total": 160, "cap": 160},
     "同一产权范围内已有及在途容量60千瓦，合计160千瓦不超过160千瓦"),
    ("T1", dict(capacity_kw=100, property_existing_kw=80.5), "property_scope_split", "split",
     False, {"existing": 80.5, "total": 180.5, "cap": 160},
     "同一产权范围内已有及在途容量80.5千瓦，合计180.5千瓦超过160千瓦，"
     "属拆分报装，不纳入三零服务，建议采用高压供电"),
    ("T1", dict(hv_to_lv_deregistration=True), "hv_to_lv_deregistration", "excluded", False,
     {}, "高压供电用户申请销户转低压用电，不纳入三零服务范围"),
    ("T1", dict(requested_high_voltage=True), "voltage", "informed_consent", False, {},
     "用户因自身原因要求高压供电：须告知三零服务政策并由用户签字确认"),
    ("T1", dict(capacity_kw=200), "voltage", "high_voltage", False, {},
     "高压供电，不适用低压三零服务"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("clause", "fields", "rule", "variant", "met", "values", "chinese"),
    CASES,
    ids=[f"{c[0]} {c[2]}/{c[3]}" for c in CASES],
)
def test_each_reason_is_data_and_reads_as_before_in_chinese(
    clause: str,
    fields: dict[str, Any],
    rule: str,
    variant: str,
    met: bool,
    values: dict[str, Any],
    chinese: str,
) -> None:
    reason = reason_of(rule, **fields)

    assert (reason.clause, reason.variant, reason.met, dict(reason.values)) == (
        clause,
        variant,
        met,
        values,
    )
    assert reason.text == chinese
    assert render(rule, variant, values) == chinese


# Every combination of the inputs the reasons depend on.
EVERY_INPUT = [
    application(
        customer_type=customer_type,
        request_type=request_type,
        purpose=purpose,
        capacity_kw=capacity,
        property_existing_kw=existing,
        requested_high_voltage=hv,
        hv_to_lv_deregistration=dereg,
    )
    for customer_type, request_type, purpose, capacity, existing, hv, dereg in itertools.product(
        ["residential", "private_org", "other"],
        ["new", "increase"],
        ["general", "ebike_charging"],
        [8, 200, 12.5],
        [0, 100, 155],
        [False, True],
        [False, True],
    )
]


def every_reason() -> list[Reason]:
    """The reasons the core gives over EVERY_INPUT (also used by the web catalogue's tests)."""
    return [r for data in EVERY_INPUT for r in plan(parse_input(data)).reasons]


def test_the_catalogue_has_exactly_the_sentences_the_core_can_give() -> None:
    produced = {(r.rule, r.variant) for r in every_reason()}

    assert produced == set(MESSAGES)
    assert {(c[2], c[3]) for c in CASES} == set(MESSAGES)


def test_a_stored_decision_holds_data_not_sentences() -> None:
    for data in EVERY_INPUT[::7]:
        stored = plan(parse_input(data)).as_json()
        reasons = stored["three_zero"]["reasons"]
        assert all(set(r) == {"rule", "clause", "met", "variant", "values"} for r in reasons)
        assert not CJK.search(json.dumps(reasons, ensure_ascii=False))
        assert json.loads(json.dumps(stored)) == stored  # values serialise exactly


def test_the_assessment_output_adds_the_text_from_the_renderer_given() -> None:
    from getelec.core.assess import assess
    from getelec.core.workdays import shipped_calendar

    result = assess(parse_input(application(capacity_kw=200)), calendar=shipped_calendar())

    chinese = result.as_json()["three_zero"]["reasons"]
    assert [r["text"] for r in chinese] == [r.text for r in result.reasons]
    coded = result.as_json(render=lambda r: f"{r.rule}/{r.variant}")["three_zero"]["reasons"]
    assert [r["text"] for r in coded][-2:] == ["capacity/over", "voltage/high_voltage"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(200, "200"), (12.5, "12.5"), (1234567, "1234567"), (0.1 + 0.2, "0.3"), ("7", "7")],
)
def test_numbers_are_shown_plainly(value: Any, shown: str) -> None:
    assert format_number(value) == shown


def test_whole_numbers_are_stored_as_integers() -> None:
    reason = reason_of("capacity", capacity_kw=100.0)

    assert reason.values == {"kw": 100, "cap": 160}
    assert all(type(v) is int for v in reason.values.values())
