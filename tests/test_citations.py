"""How citations read on a page: the plan's clause ids, national practice with its source, a
platform default with its reason (never a quote of a plan clause it does not come from)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from getelec.citations import cite_text, clause_label
from getelec.core.policy import Citation, default_policy

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("clause", "label"),
    [
        ("L28", "L28"),
        ("T2", "T2"),
        ("PRACTICE", "国家行业惯例"),
        ("LOCAL", "地方规定"),
        ("DEFAULT", "平台缺省值（管理员可调整）"),
    ],
)
def test_a_clause_reads_as_its_label(clause: str, label: str) -> None:
    with translation.override("zh-hans"):
        assert clause_label(clause) == label


def test_a_default_shows_its_reason_and_a_paraphrase_says_so() -> None:
    default = Citation("DEFAULT", "", reason="方案未规定观察期。")
    paraphrase = Citation("PRACTICE", "短于5分钟的停电不计入。", "南方电网", paraphrase=True)
    with translation.override("zh-hans"):
        assert cite_text(default) == "方案未规定观察期。"
        assert cite_text(default.as_dict()) == "方案未规定观察期。"
        assert cite_text(paraphrase) == "短于5分钟的停电不计入。（大意）"


def test_the_cite_tag_renders_a_shipped_default_with_its_label_and_reason() -> None:
    value = default_policy().get("quality_observation_days", dt.date(2026, 1, 1))
    with translation.override("zh-hans"):
        html = Template("{% cite b %}").render(Context({"b": value.as_dict()}))
    assert '<span class="clause">平台缺省值（管理员可调整）</span>' in html
    assert value.citation.reason in html and "L30" in html  # the reason names the task


def test_the_cite_tag_renders_practice_with_its_source_and_unconfirmed() -> None:
    citation = Citation("PRACTICE", "每户4千瓦。", "某省标准", unconfirmed=True, paraphrase=True)
    with translation.override("zh-hans"):
        html = Template("{% cite b %}").render(Context({"b": citation}))
    assert html == (
        '<span class="cite"><span class="clause">国家行业惯例</span> 每户4千瓦。（大意）'
        ' <span class="source">（某省标准）</span> <span class="tag tag-muted">待确认</span></span>'
    )


def test_stored_defaults_keep_their_reasons_and_are_not_merged_as_one_sentence() -> None:
    from getelec.connection.selectors import _citations

    stored = [
        {"parameter": "a", "clause": "DEFAULT", "quote": "", "reason": "甲理由。"},
        {"parameter": "b", "clause": "DEFAULT", "quote": "", "reason": "乙理由。"},
        {"parameter": "c", "clause": "DEFAULT", "quote": "", "reason": "甲理由。"},
        {
            "parameter": "d",
            "clause": "PRACTICE",
            "quote": "某句。",
            "source": "某标准",
            "paraphrase": True,
        },
    ]
    shown = _citations(stored)
    assert [c["reason"] or c["quote"] for c in shown] == ["甲理由。", "乙理由。", "某句。"]
    with translation.override("zh-hans"):
        assert [cite_text(c) for c in shown] == ["甲理由。", "乙理由。", "某句。（大意）"]
