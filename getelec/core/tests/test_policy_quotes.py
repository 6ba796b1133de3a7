"""Every citation of a plan clause quotes the plan word for word, from the clause it names.

The plan's Chinese text ships at getelec/policy/source/plan.zh.txt (PLAN_TEXT), so these tests run
in a clean clone and in CI; none of them skips.
"""

from __future__ import annotations

import re

import pytest

from getelec.core.policy import PLAN_TEXT, ParameterValue, default_policy

pytestmark = pytest.mark.pure

# Citations that quote another document (PRACTICE.md, a region's own document) are not the plan.
_NOT_THE_PLAN = {"PRACTICE", "LOCAL"}


def _plan() -> str:
    return PLAN_TEXT.read_text(encoding="utf-8")


def _task_items(text: str) -> dict[str, str]:
    """T1…T9: the numbered paragraphs of 二、重点任务 (one paragraph per line in the text)."""
    body = text.split("二、重点任务", 1)[1].split("保障措施", 1)[0]
    return {f"T{m.group(1)}": m.group(0) for m in re.finditer(r"^([1-9])\..*$", body, re.MULTILINE)}


def _ledger_rows() -> dict[str, str]:
    """L1…L53: the task text of each row of 附件2 (the shipped ledger, itself checked against the
    plan by getelec/supervision/tests/test_ledger_data.py)."""
    from getelec.supervision import annex

    return {f"L{row.number}": row.text for row in annex.read_ledger()}


def _plan_citations() -> list[ParameterValue]:
    policy = default_policy()
    return [
        value
        for name in sorted(policy.names())
        for value in policy.history(name)
        if value.citation.clause not in _NOT_THE_PLAN
    ]


def test_the_plan_text_ships_in_the_repository() -> None:
    text = _plan()
    assert text.startswith("附件\n宁夏回族自治区深化提升“获得电力”")
    assert "二、重点任务" in text and "深化提升“获得电力”服务水平工作任务台账" in text


def test_the_task_items_are_read_from_the_plan() -> None:
    items = _task_items(_plan())
    assert sorted(items) == [f"T{n}" for n in range(1, 10)]
    assert items["T2"].startswith("2.提升“三零”服务质效。")


def test_the_shipped_policy_cites_the_plan() -> None:
    assert len(_plan_citations()) >= 20


@pytest.mark.parametrize(
    "value", _plan_citations(), ids=lambda v: f"{v.name}@{v.effective}:{v.citation.clause}"
)
def test_every_quote_of_the_plan_is_verbatim_in_the_plan(value: ParameterValue) -> None:
    assert value.citation.quote in _plan(), f"{value.file}: {value.name}: quote not in the plan"


@pytest.mark.parametrize(
    "value",
    [v for v in _plan_citations() if v.citation.clause[0] in "TL"],
    ids=lambda v: f"{v.name}@{v.effective}:{v.citation.clause}",
)
def test_every_quote_comes_from_the_clause_it_names(value: ParameterValue) -> None:
    clause = value.citation.clause
    texts = _task_items(_plan()) if clause.startswith("T") else _ledger_rows()
    assert value.citation.quote in texts[clause], f"{value.file}: {value.name}: not in {clause}"
