"""Every citation of a plan clause quotes the plan word for word, from the clause it names; a
value the plan does not give cites national practice (with its source) or a platform default
(with its reason), never a plan clause.

The plan's Chinese text ships at getelec/policy/source/plan.zh.txt (PLAN_TEXT), so these tests run
in a clean clone and in CI; none of them skips.
"""

from __future__ import annotations

import re

import pytest

from getelec.core.plan import PLAN_TEXT, PlanTextError, parse_clauses, plan_clauses, quote_in
from getelec.core.policy import ParameterValue, default_policy

pytestmark = pytest.mark.pure


def _all_values() -> list[ParameterValue]:
    policy = default_policy()
    return [value for name in sorted(policy.names()) for value in policy.history(name)]


def _plan_citations() -> list[ParameterValue]:
    return [value for value in _all_values() if value.citation.is_plan]


def _ids(value: ParameterValue) -> str:
    return f"{value.name}@{value.effective}:{value.citation.clause}"


def test_the_plan_text_ships_in_the_repository() -> None:
    text = PLAN_TEXT.read_text(encoding="utf-8")
    assert text.startswith("附件\n宁夏回族自治区深化提升“获得电力”")
    assert "二、重点任务" in text and "深化提升“获得电力”服务水平工作任务台账" in text


def test_every_clause_of_the_plan_is_read_from_its_text() -> None:
    clauses = plan_clauses()
    assert len(clauses) == 9 + 3 + 1 + 53
    assert clauses["T2"].startswith("2.提升“三零”服务质效。")
    assert clauses["S2"].startswith("加大监管指导力度。")
    assert clauses["A1"] == "电网改造升级无法满足接电时限用电项目备案表"
    # an L clause is its whole row: task, responsible units, deadline
    assert clauses["L30"].split("\n") == [
        "建立跟踪评价、闭环销号工作机制，采取用户走访、现场检查等方式检验频繁停电治理成效。",
        "国家能源局西北监管局",
        "持续推进",
    ]
    assert clauses["L4"].endswith("2025年底前") and "国家能源局西北监管局" in clauses["L4"]


def test_the_ledger_rows_agree_with_the_shipped_annex() -> None:
    from getelec.supervision import annex

    clauses = plan_clauses()
    for row in annex.read_ledger():
        assert quote_in(row.text, clauses[f"L{row.number}"]), row.number
        assert row.deadline_text in clauses[f"L{row.number}"]


def test_a_text_without_the_task_table_is_refused() -> None:
    with pytest.raises(PlanTextError):
        parse_clauses(
            "二、重点任务\n1.一。\n保障措施\n甲。\n附件：电网改造升级无法满足接电时限用电项目备案表"
        )


# (quote, clause text, found?) — whitespace is ignored; '…' marks an omission, parts in order
QUOTES = [
    ("一年内停电次数不超过5次", "严格按照“一年内停电次数不超过5次”标准", True),
    ("一年内 停电次数\n不超过5次", "严格按照“一年内停电次数不超过5次”标准", True),
    ('"一年内停电次数不超过5次"', "严格按照“一年内停电次数不超过5次”标准", False),
    ("严格按照…不超过5次", "严格按照“一年内停电次数不超过5次”标准", True),
    ("严格按照……标准", "严格按照“一年内停电次数不超过5次”标准", True),
    ("标准…严格按照", "严格按照“一年内停电次数不超过5次”标准", False),
    ("一年内停电次数不超过6次", "严格按照“一年内停电次数不超过5次”标准", False),
    ("…", "严格按照“一年内停电次数不超过5次”标准", False),
]


@pytest.mark.parametrize(("quote", "text", "found"), QUOTES)
def test_a_quote_is_found_verbatim_except_whitespace_with_omissions_in_order(
    quote: str, text: str, found: bool
) -> None:
    assert quote_in(quote, text) is found


def test_the_shipped_policy_cites_the_plan() -> None:
    assert len(_plan_citations()) >= 15


@pytest.mark.parametrize("value", _plan_citations(), ids=_ids)
def test_every_quote_comes_from_the_clause_it_names(value: ParameterValue) -> None:
    clause = value.citation.clause
    assert quote_in(value.citation.quote, plan_clauses()[clause]), (
        f"{value.file}: {value.name}: not in {clause}"
    )


# Values the plan does not give: each cites national practice or a platform default.
NOT_IN_THE_PLAN = [
    "outage_unrestored_cap_hours",  # the 24-hour unrestored cap
    "outage_district_share",  # the district share
    "outage_feeder_share",  # the feeder share
    "quality_observation_days",  # the 60-day observation
    "quality_merge_lookahead_days",  # the 一停多用 look-ahead
    "quality_reward_rs1_min_percent",  # reward/penalty thresholds
    "quality_penalty_rs1_below_percent",
    "quality_penalty_frequent_districts_min",
    "stages_lv_three_zero_no_works",  # stage splits
    "stages_lv_three_zero_with_works",
    "stages_lv_non_three_zero",
    "stages_hv_single",
    "stages_hv_dual",
    "filing_batch_due_wd",  # batch due day
    "ledger_ongoing_report_period",  # ledger reporting rules
    "ledger_quarterly_report_due_wd",
    "ledger_reporting_start_quarter",
    "pattern_pause_factor",
    "pattern_pause_min_wd",
    "pattern_late_registration_wd",
    "pattern_reapply_window_days",
    "three_zero_residential",  # residents' 三零: national practice (issue 10)
    "capacity_lv_max_kw",  # the supply rules' LV threshold
    "capacity_hv_max_kw",  # plausibility limits at HV
]


@pytest.mark.parametrize("name", NOT_IN_THE_PLAN)
def test_a_value_the_plan_does_not_give_cites_practice_or_a_default(name: str) -> None:
    for value in default_policy().history(name):
        citation = value.citation
        assert citation.clause in ("PRACTICE", "DEFAULT"), f"{name} cites {citation.clause}"
        if citation.clause == "DEFAULT":
            assert citation.reason and not citation.quote
        else:
            assert citation.source


@pytest.mark.parametrize(
    "value", [v for v in _all_values() if v.citation.clause == "PRACTICE"], ids=_ids
)
def test_a_practice_citation_names_the_real_source_not_a_developer_file(
    value: ParameterValue,
) -> None:
    citation = value.citation
    assert citation.source and "PRACTICE.md" not in citation.source
    # users read Chinese: no quote is an English sentence (PRACTICE.md's notes were)
    assert not re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", citation.quote), value.name
