"""The shipped ledger data is 附件2, row by row, as written in the plan's Chinese text."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from getelec.core.policy import PLAN_TEXT
from getelec.supervision import annex

pytestmark = pytest.mark.pure


def _independent_rows(text: str) -> dict[int, tuple[str, str, str, str]]:
    """A second, deliberately simple reading of the text: a number cell is followed by task,
    units and deadline cells; the header cells and section titles are skipped."""
    cells = [line[1:].rstrip() for line in text.splitlines() if line.startswith("\t")]
    rows: dict[int, tuple[str, str, str, str]] = {}
    section = ""
    skip = {"序号", "工作任务", "责任单位", "完成时限"}
    i = 0
    while i < len(cells):
        cell = cells[i]
        if cell in skip:
            i += 1
        elif re.fullmatch(r"\d+", cell):
            rows[int(cell)] = (section, cells[i + 1], cells[i + 2], cells[i + 3])
            i += 4
        else:
            section = cell
            i += 1
    return rows


def test_the_shipped_excerpt_is_a_verbatim_part_of_the_plan() -> None:
    """The plan's text ships in the repository (getelec/policy/source/), so this never skips."""
    assert annex.ANNEX_TEXT.read_text(encoding="utf-8") in PLAN_TEXT.read_text(encoding="utf-8")


def test_the_ledger_has_all_53_rows_in_order() -> None:
    rows = annex.read_ledger()
    assert [r.number for r in rows] == list(range(1, 54))


def test_every_row_matches_the_chinese_text_exactly() -> None:
    expected = _independent_rows(annex.ANNEX_TEXT.read_text(encoding="utf-8"))
    assert sorted(expected) == list(range(1, 54))
    for row in annex.read_ledger():
        section, text, units, deadline = expected[row.number]
        assert row.section_title == section, row.number
        assert row.text == text, row.number
        assert row.units_as_written == [u for u in re.split(r"[\s、]+", units) if u], row.number
        assert row.deadline_text == deadline, row.number


def test_the_shipped_json_is_what_the_parser_gives_today() -> None:
    data = json.loads(annex.LEDGER_JSON.read_text(encoding="utf-8"))
    parsed = annex.parse_annex(annex.ANNEX_TEXT.read_text(encoding="utf-8"))
    assert data["rows"] == annex.rows_as_json(parsed)


@pytest.mark.parametrize(
    ("number", "section", "units", "deadline"),
    [
        (1, "综合类", ["自治区发展改革委"], "持续推进"),
        (2, "办电便捷化", ["各供电企业"], "2025年底前"),
        (4, "办电便捷化", ["自治区发展改革委", "国家能源局西北监管局", "各供电企业"], "2025年底前"),
        (7, "办电便捷化", ["自治区发展改革委", "各供电企业"], "2026年底前"),
        (9, "办电便捷化", ["住房和城乡建设厅", "各供电企业"], "持续推进"),
        (
            10,
            "办电便捷化",
            ["住房和城乡建设厅", "自然资源厅", "水利厅", "交通运输厅", "公安厅"],
            "持续推进",
        ),
        (17, "供电高质化", ["自治区发展改革委", "各供电企业"], "持续推进"),
        (21, "供电高质化", ["各供电企业"], "2027年底前"),
        (30, "供电高质化", ["国家能源局西北监管局"], "持续推进"),
        (31, "用电绿色化", ["自治区发展改革委"], "2025年底前"),
        (44, "服务普惠化", ["各供电企业", "住房和城乡建设厅"], "2026年底前"),
        (50, "监管协同化", ["自治区发展改革委"], "持续推进"),
        (53, "监管协同化", ["自治区发展改革委", "国家能源局西北监管局"], "2025年底前"),
    ],
)
def test_sample_rows_have_their_units_and_deadlines(
    number: int, section: str, units: list[str], deadline: str
) -> None:
    row = annex.read_ledger()[number - 1]
    assert (row.section_title, row.units, row.deadline_text) == (section, units, deadline)


def test_the_texts_spelling_of_the_housing_department_maps_to_its_name() -> None:
    row = annex.read_ledger()[8]  # row 9 writes 住房和城乡住建厅
    assert row.units_as_written[0] == "住房和城乡住建厅"
    assert row.units[0] == "住房和城乡建设厅"


@pytest.mark.parametrize(
    ("wording", "resolved"),
    [
        ("2025年底前", dt.date(2025, 12, 31)),
        ("2026年底前", dt.date(2026, 12, 31)),
        ("2027年底前", dt.date(2027, 12, 31)),
        ("持续推进", None),
    ],
)
def test_deadline_wording_resolves_to_a_date_or_ongoing(
    wording: str, resolved: dt.date | None
) -> None:
    assert annex.resolve_deadline(wording) == resolved


def test_unknown_deadline_wording_is_an_error() -> None:
    with pytest.raises(annex.AnnexError, match="完成时限"):
        annex.resolve_deadline("尽快")


def test_deadline_counts_match_the_text() -> None:
    rows = annex.read_ledger()
    counts = {
        w: sum(r.deadline_text == w for r in rows)
        for w in ("持续推进", "2025年底前", "2026年底前", "2027年底前")
    }
    assert counts == {"持续推进": 31, "2025年底前": 17, "2026年底前": 4, "2027年底前": 1}
