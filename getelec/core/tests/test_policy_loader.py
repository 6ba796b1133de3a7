"""The policy loader: strict validation, regional overrides, and the shipped data's consistency.

Broken files live in tests/fixtures/policy/broken/; each is paired with the exact error it must
give (file and key named). Regional fixtures cite invented documents and are never shipped.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from getelec.core.parameters import PARAMETERS
from getelec.core.policy import (
    DEFAULT_POLICY_DIR,
    NATIONAL,
    Policy,
    PolicyError,
    PolicyValueMissing,
    default_policy,
    load_policy,
    region_chain,
)
from getelec.core.tests.conftest import FIXTURES, copy_shipped_base

pytestmark = pytest.mark.pure

D = dt.date


# (fixture file, key named by the error, message after the key)
BROKEN_BASE = [
    ("missing_citation", "three_zero_max_kw.values.2025-01-01.citation", "missing citation"),
    (
        "bad_date",
        "three_zero_max_kw.values.2025-13-01",
        "bad date '2025-13-01' (expected YYYY-MM-DD)",
    ),
    (
        "datetime_not_date",
        "three_zero_max_kw.values.2025-01-01 08:00:00",
        "effective date must be a date, not a time: 2025-01-01 08:00:00",
    ),
    ("duplicate_parameter", "three_zero_max_kw", "duplicate key (line 7)"),
    ("duplicate_date", "2025-01-01", "duplicate key (line 7)"),
    (
        "duplicate_date_quoted",
        "hv_single_limit_wd.values.2025-01-01",
        "duplicate effective date",
    ),
    ("unknown_parameter", "three_zero_max_kva", "unknown parameter name"),
    (
        "unknown_clause",
        "hv_dual_limit_wd.values.2025-01-01.citation.clause",
        "missing or unknown clause id 'L54' (T1–T9, S1–S3, A1, L1–L53, PRACTICE, LOCAL or DEFAULT)",
    ),
    ("missing_quote", "hv_dual_limit_wd.values.2025-01-01.citation.quote", "missing quote"),
    (
        "practice_without_source",
        "capacity_min_per_dwelling_kw.values.2025-01-01.citation.source",
        "a PRACTICE citation must name its source",
    ),
    (
        "wrong_value_type",
        "lv_non_three_zero_limit_wd.values.2025-01-01.value",
        "Input should be a valid integer",
    ),
    (
        "bad_stage",
        "stages_lv_charging.values.2025-01-01.value.1.stage",
        "Input should be 'intake', 'supply_scheme', 'external_works', 'design_review', "
        "'midway_inspection', 'completion_inspection' or 'energizing'",
    ),
    ("unknown_top_level_key", "region", "unknown top-level key"),
    # A plan clause id needs a quote of that clause; a value the plan does not give is DEFAULT
    # with its reason (or PRACTICE with its source).
    (
        "quote_not_in_the_clause",
        "quality_observation_days.values.2025-01-01.citation.quote",
        "not found in L28 of the plan (verbatim except whitespace; '…' marks an omission); "
        "a value the plan does not give cites PRACTICE or DEFAULT",
    ),
    (
        "quote_with_ascii_quotation_marks",
        "outage_year_max_count.values.2025-01-01.citation.quote",
        "not found in L28 of the plan (verbatim except whitespace; '…' marks an omission); "
        "a value the plan does not give cites PRACTICE or DEFAULT",
    ),
    (
        "default_without_reason",
        "quality_observation_days.values.2025-01-01.citation.reason",
        "a DEFAULT citation must give its reason",
    ),
    (
        "default_with_quote",
        "quality_observation_days.values.2025-01-01.citation.quote",
        "a DEFAULT citation quotes nothing (it gives its reason)",
    ),
    (
        "reason_on_a_plan_clause",
        "three_zero_max_kw.values.2025-01-01.citation.reason",
        "only a DEFAULT citation has a reason (cite a source)",
    ),
    (
        "paraphrase_of_the_plan",
        "three_zero_max_kw.values.2025-01-01.citation.paraphrase",
        "a citation of T1 quotes the plan word for word",
    ),
]


@pytest.mark.parametrize(("name", "key", "message"), BROKEN_BASE, ids=[c[0] for c in BROKEN_BASE])
def test_a_broken_base_file_stops_loading_naming_the_file_and_key(
    tmp_path: Path, name: str, key: str, message: str
) -> None:
    broken = tmp_path / f"{name}.yaml"
    shutil.copy(FIXTURES / "broken" / "base" / f"{name}.yaml", broken)

    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)

    assert (caught.value.file, caught.value.key) == (str(broken), key)
    assert str(caught.value) == f"{broken}: {key}: {message}"


# (region folder, fixture file, key named by the error, message after the key)
BROKEN_REGIONAL = [
    (
        "640100",
        "value_without_own_document",
        "three_zero_max_kw.values.2026-07-01.citation.source",
        "a regional value must cite its own document",
    ),
    ("640200", "file_without_document", "document", "a regional file must name its document"),
    ("640100", "wrong_region_field", "region", "must be 640100 (the folder it lives in)"),
]


@pytest.mark.parametrize(
    ("folder", "name", "key", "message"), BROKEN_REGIONAL, ids=[c[1] for c in BROKEN_REGIONAL]
)
def test_a_broken_regional_file_stops_loading_naming_the_file_and_key(
    tmp_path: Path, folder: str, name: str, key: str, message: str
) -> None:
    copy_shipped_base(tmp_path)
    broken = tmp_path / "regions" / folder / f"{name}.yaml"
    broken.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "broken" / "regional" / folder / f"{name}.yaml", broken)

    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)

    assert (caught.value.file, caught.value.key) == (str(broken), key)
    assert str(caught.value) == f"{broken}: {key}: {message}"


def test_a_region_folder_that_is_not_an_admin_code_stops_loading(tmp_path: Path) -> None:
    copy_shipped_base(tmp_path)
    folder = tmp_path / "regions" / "6401"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "broken" / "regional" / "6401" / "folder_not_a_code.yaml", folder)

    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)

    assert str(caught.value) == f"{folder}: region folder must be a 6-digit admin code"


def test_a_parameter_defined_in_two_files_stops_loading(tmp_path: Path) -> None:
    copy_shipped_base(tmp_path)
    shutil.copy(DEFAULT_POLICY_DIR / "connection.yaml", tmp_path / "connection-copy.yaml")

    with pytest.raises(PolicyError, match="defined in more than one file") as caught:
        load_policy(tmp_path)

    assert caught.value.file == str(tmp_path / "connection.yaml")


def test_a_required_parameter_missing_from_every_file_stops_loading(tmp_path: Path) -> None:
    (tmp_path / "only.yaml").write_text(
        "parameters:\n  hv_dual_limit_wd:\n    values:\n      2025-01-01:\n        value: 32\n"
        "        citation: {clause: L3, quote: 高压双电源用户的合计办理时间}\n",
        encoding="utf-8",
    )

    with pytest.raises(PolicyError, match="required parameter") as caught:
        load_policy(tmp_path)

    assert "three_zero_max_kw" in caught.value.key


# --- regional overrides ------------------------------------------------------------------------


# T1/L2 invite regions to raise the LV cap; the most specific code with a value in force on the
# date wins: county → city → 640000 → base. `value: null` ends an override.
REGIONAL_CAP = [
    (None, D(2026, 7, 1), 160, NATIONAL, "no region: the base value (T1)"),
    ("640100", D(2026, 2, 28), 160, NATIONAL, "before any override: base"),
    ("640100", D(2026, 3, 1), 180, "640000", "the autonomous region's override from its date"),
    ("640100", D(2026, 6, 30), 180, "640000", "the day before the city's override"),
    ("640100", D(2026, 7, 1), 200, "640100", "银川市 raises the cap from 2026-07-01"),
    ("640104", D(2026, 7, 31), 200, "640100", "a county without its own value takes the city's"),
    ("640104", D(2026, 8, 1), 250, "640104", "the county's own value wins over the city's"),
    ("640200", D(2026, 8, 1), 180, "640000", "another city falls back to the region"),
    ("640100", D(2026, 10, 1), 180, "640000", "value: null ends the city's override"),
    ("640104", D(2026, 10, 1), 250, "640104", "ending the city override leaves the county's"),
]


@pytest.mark.parametrize(
    ("region", "on", "expected", "from_region", "why"),
    REGIONAL_CAP,
    ids=[c[4] for c in REGIONAL_CAP],
)
def test_the_cap_in_force_comes_from_the_most_specific_region(
    regional_policy: Policy,
    region: str | None,
    on: dt.date,
    expected: int,
    from_region: str,
    why: str,
) -> None:
    value = regional_policy.get("three_zero_max_kw", on, region)

    assert (value.value, value.region) == (expected, from_region)


def test_a_regional_value_records_its_own_document(regional_policy: Policy) -> None:
    value = regional_policy.get("three_zero_max_kw", D(2026, 7, 1), "640100")

    assert value.as_dict() == {
        "parameter": "three_zero_max_kw",
        "value": 200,
        "effective": "2026-07-01",
        "region": "640100",
        "clause": "T1",
        "quote": "银川市低压接入容量上限提高至200千瓦。",
        "source": "银发改示例〔2026〕7号第3条（测试用虚构文件）",
    }


def test_region_chain_goes_county_city_region_then_base() -> None:
    assert region_chain("640104") == ["640104", "640100", "640000", NATIONAL]
    assert region_chain("640100") == ["640100", "640000", NATIONAL]
    assert region_chain("640000") == ["640000", NATIONAL]
    assert region_chain(None) == [NATIONAL]


@pytest.mark.parametrize("bad", ["6401", "64010a", "６４０１００", "6401000"])
def test_region_chain_rejects_a_code_that_is_not_six_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="6-digit administrative code"):
        region_chain(bad)


def test_a_date_before_the_first_value_has_no_value_in_force() -> None:
    with pytest.raises(PolicyValueMissing, match="three_zero_max_kw"):
        default_policy().get("three_zero_max_kw", D(2024, 12, 31))


def test_an_unknown_parameter_name_is_an_error_at_lookup() -> None:
    with pytest.raises(KeyError, match="three_zero_max_kva"):
        default_policy().get("three_zero_max_kva", D(2026, 1, 1))


# --- the shipped data --------------------------------------------------------------------------


def test_the_shipped_policy_loads_and_defines_every_required_parameter() -> None:
    policy = load_policy()

    required = {name for name, p in PARAMETERS.items() if p.required}
    assert required <= policy.names()


# Each category's stage limits must add up to its binding total (L3 for every category that has
# one, LV residential/三零 included; charging has none, see below) on every date any of the two
# parameters changes, in every region.
STAGE_TOTALS = [
    ("stages_lv_three_zero_no_works", "lv_three_zero_no_works_limit_wd", "L3"),
    ("stages_lv_three_zero_with_works", "lv_three_zero_with_works_limit_wd", "L3"),
    ("stages_lv_non_three_zero", "lv_non_three_zero_limit_wd", "L3"),
    ("stages_hv_single", "hv_single_limit_wd", "L3"),
    ("stages_hv_dual", "hv_dual_limit_wd", "L3"),
]


@pytest.mark.parametrize(
    ("stages", "total", "clause"), STAGE_TOTALS, ids=[c[0] for c in STAGE_TOTALS]
)
def test_stage_limits_sum_to_the_binding_total_on_every_effective_date(
    stages: str, total: str, clause: str
) -> None:
    policy = default_policy()
    history = policy.history(stages) + policy.history(total)
    dates = sorted({v.effective for v in history})
    regions = [None, *sorted(policy.regions())]
    assert policy.get(total, dates[-1]).citation.clause == clause

    checked = 0
    for region in regions:
        for on in dates:
            try:
                limits = [s.limit_wd for s in policy.value(stages, on, region)]
                limit = policy.value(total, on, region)
            except PolicyValueMissing:
                continue
            assert sum(limits) == limit, f"{stages} on {on} in {region or 'base'}"
            checked += 1
    assert checked >= 1


def test_charging_has_stage_limits_only_and_no_overall_limit_parameter() -> None:
    # T2 gives charging facilities one limit per stage ("各责任环节办理时限分别不超过1个、3个、2个
    # 工作日") and no total: the stage list is on its own clocks and no parameter claims a total.
    policy = default_policy()
    own = policy.get("own_clock_stage_lists", D(2026, 11, 26))
    assert own.value == ["stages_lv_charging"] and own.citation.clause == "T2"
    assert not any("charging" in name and name.endswith("_limit_wd") for name in policy.names())


def test_charging_stages_are_intake_1_supply_scheme_3_energizing_2_per_t2() -> None:
    stages = default_policy().value("stages_lv_charging", D(2026, 11, 26))

    assert [(s.stage, s.limit_wd) for s in stages] == [
        ("intake", 1),
        ("supply_scheme", 3),
        ("energizing", 2),
    ]
