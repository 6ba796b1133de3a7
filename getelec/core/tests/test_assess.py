"""Connection-application rules (getelec.core.assess), each case citing its clause. No database.

Categories and limits: L3 (LV residential and 三零 LV non-residential 5/15 wd; LV non-三零 6, HV
single 22, HV dual 32), T2 (LV charging 1+3+2), L33/L34 (charging; e-bike chargers get 三零).
Residents are 三零 customers and supplied at LV up to 100 kW by national practice (PRACTICE).
三零 eligibility: T1, L2 (customer types, 正式新装, ≤ cap, splitting, HV→LV, informed consent).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from getelec.core.assess import AssessError, assess, parse_input, plan
from getelec.core.policy import Policy
from getelec.core.workdays import CalendarYearNotLoaded, calendar_with, parse_year, shipped_calendar

pytestmark = pytest.mark.pure

D = dt.date
# A Monday in November 2026, far enough from the year end for every limit (HV dual: 32 wd).
MONDAY = "2026-11-02"


def application(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "customer_type": "small_micro_enterprise",
        "capacity_kw": 50,
        "applied_on": MONDAY,
    }
    data.update(fields)
    return data


def run(**fields: Any) -> dict[str, Any]:
    return assess(parse_input(application(**fields)), calendar=shipped_calendar()).as_json()


# (clause, why, input fields, category, 三零 eligible, informed consent, limit wd)
RULES = [
    ("L3", "LV residential, no external works: 5 wd",
     dict(customer_type="residential", capacity_kw=8), "lv_residential", True, False, 5),
    ("L3", "LV residential with external works: 15 wd",
     dict(customer_type="residential", capacity_kw=8, external_works=True),
     "lv_residential", True, False, 15),
    ("L3", "LV residential capacity increase keeps the residential limit, not 三零",
     dict(customer_type="residential", capacity_kw=8, request_type="increase"),
     "lv_residential", False, False, 5),
    ("T1/L3", "small/micro enterprise ≤ 160 kW new connection: 三零, 5 wd",
     dict(customer_type="small_micro_enterprise", capacity_kw=100),
     "lv_three_zero", True, False, 5),
    ("T1/L3", "private economic organisation at exactly 160 kW with works: 三零, 15 wd",
     dict(customer_type="private_org", capacity_kw=160, external_works=True),
     "lv_three_zero", True, False, 15),
    ("L2", "'other' organisations are not 三零 customers: LV non-三零, 6 wd (L3)",
     dict(customer_type="other", capacity_kw=50), "lv_non_residential", False, False, 6),
    ("T1/L3", "a capacity increase is not 正式新装: LV non-三零, 6 wd",
     dict(capacity_kw=50, request_type="increase"), "lv_non_residential", False, False, 6),
    ("T1/L3", "temporary supply is not 正式新装: LV non-三零, 6 wd with or without works",
     dict(capacity_kw=50, request_type="temporary", external_works=True),
     "lv_non_residential", False, False, 6),
    ("T1/L3", "above the 160 kW cap: HV single source proposed, 22 wd",
     dict(customer_type="private_org", capacity_kw=160.5), "hv_single", False, False, 22),
    ("L3", "HV single source: 22 wd", dict(customer_type="other", capacity_kw=800),
     "hv_single", False, False, 22),
    ("L3", "HV dual source: 32 wd",
     dict(customer_type="other", capacity_kw=800, supply="dual"), "hv_dual", False, False, 32),
    ("T1", "splitting: existing 80 + new 100 kW in one property scope exceeds 160 kW",
     dict(capacity_kw=100, property_existing_kw=80), "hv_single", False, False, 22),
    ("T1", "existing 60 + new 100 kW = 160 kW stays 三零",
     dict(capacity_kw=100, property_existing_kw=60), "lv_three_zero", True, False, 5),
    ("T1", "an HV customer deregistering to move to LV is not 三零",
     dict(capacity_kw=100, hv_to_lv_deregistration=True), "lv_non_residential", False, False, 6),
    ("T1", "an eligible customer asking for HV: informed consent required, HV limit",
     dict(capacity_kw=100, requested_high_voltage=True), "hv_single", False, True, 22),
    ("T1", "an eligible customer choosing voltage=high is asking for HV: informed consent",
     dict(capacity_kw=100, voltage="high"), "hv_single", False, True, 22),
    ("T1", "an eligible customer asking for a dual source (reliability) gets the 三零 notice",
     dict(capacity_kw=100, supply="dual"), "hv_dual", False, True, 32),
    ("T1", "a non-三零 customer asking for HV needs no 三零 notice",
     dict(customer_type="other", capacity_kw=100, requested_high_voltage=True),
     "hv_single", False, False, 22),
    ("T1", "asking for HV above the cap needs no 三零 notice",
     dict(capacity_kw=200, requested_high_voltage=True), "hv_single", False, False, 22),
    ("T1", "insisting on LV above the cap: LV non-三零, HV still proposed",
     dict(capacity_kw=200, voltage="low"), "lv_non_residential", False, False, 6),
    ("T2/L33", "EV charger: charging stages 1+3+2 = 6 wd, 三零 for a small enterprise",
     dict(purpose="ev_charging", capacity_kw=60), "lv_ev_charging", True, False, 6),
    ("T2/L33", "EV charger of an 'other' organisation: same 6 wd, no 三零",
     dict(customer_type="other", purpose="ev_charging", capacity_kw=60),
     "lv_ev_charging", False, False, 6),
    ("L34", "community e-bike charger gets 三零 whatever the customer type; limits unchanged",
     dict(customer_type="other", purpose="ebike_charging", capacity_kw=30),
     "lv_ebike_charging", True, False, 6),
    ("L34/T2", "e-bike charger with external works: still the charging limit of 6 wd",
     dict(customer_type="other", purpose="ebike_charging", capacity_kw=30, external_works=True),
     "lv_ebike_charging", True, False, 6),
    ("T2/L3", "EV charging above the cap goes HV",
     dict(purpose="ev_charging", capacity_kw=400), "hv_single", False, False, 22),
]  # fmt: skip


@pytest.mark.parametrize(
    ("clause", "why", "fields", "category", "eligible", "consent", "limit"),
    RULES,
    ids=[f"{r[0]} {r[1]}" for r in RULES],
)
def test_category_eligibility_and_limit_follow_the_policy(
    clause: str,
    why: str,
    fields: dict[str, Any],
    category: str,
    eligible: bool,
    consent: bool,
    limit: int,
) -> None:
    result = run(**fields)

    assert (
        result["category"],
        result["three_zero"]["eligible"],
        result["informed_consent_required"],
        result["time_limit_working_days"],
    ) == (category, eligible, consent, limit)
    assert sum(s["limit_working_days"] for s in result["stages"]) == limit


@pytest.mark.parametrize(
    ("clause", "why", "fields", "category", "eligible", "consent", "limit"),
    RULES,
    ids=[f"{r[0]} {r[1]}" for r in RULES],
)
def test_every_reason_cites_a_clause_and_an_ineligible_result_says_why(
    clause: str,
    why: str,
    fields: dict[str, Any],
    category: str,
    eligible: bool,
    consent: bool,
    limit: int,
) -> None:
    reasons = run(**fields)["three_zero"]["reasons"]

    assert all(r["clause"] and r["text"] and r["rule"] for r in reasons)
    assert any(not r["met"] for r in reasons) == (not eligible)


# (input fields, the unmet reasons as (rule code, clause)); HV proposed adds the voltage reason
NOT_ELIGIBLE_BECAUSE = [
    (dict(customer_type="other"), [("customer_type", "L2")]),
    (dict(request_type="increase"), [("request_type", "T1")]),
    (dict(capacity_kw=161), [("capacity", "T1"), ("voltage", "T1")]),
    (
        dict(capacity_kw=100, property_existing_kw=61),
        [("property_scope_split", "T1"), ("voltage", "T1")],
    ),
    (dict(hv_to_lv_deregistration=True), [("hv_to_lv_deregistration", "T1")]),
    (dict(requested_high_voltage=True), [("voltage", "T1")]),
]


@pytest.mark.parametrize(
    ("fields", "unmet"), NOT_ELIGIBLE_BECAUSE, ids=[r[1][0][0] for r in NOT_ELIGIBLE_BECAUSE]
)
def test_the_unmet_reasons_name_the_rule_and_its_clause(
    fields: dict[str, Any], unmet: list[tuple[str, str]]
) -> None:
    reasons = run(**fields)["three_zero"]["reasons"]

    assert [(r["rule"], r["clause"]) for r in reasons if not r["met"]] == unmet


def test_above_the_cap_the_reasons_propose_high_voltage() -> None:
    result = run(capacity_kw=200)

    assert result["proposed_voltage"] == "high"
    capacity = next(r for r in result["three_zero"]["reasons"] if r["rule"] == "capacity")
    assert capacity == {
        "rule": "capacity",
        "clause": "T1",
        "met": False,
        "variant": "over",
        "values": {"kw": 200, "cap": 160},
        "text": "报装容量200千瓦超过160千瓦上限，建议采用高压供电",
    }


def test_splitting_is_explained_with_the_property_scope_total() -> None:
    result = run(capacity_kw=100, property_existing_kw=80)

    split = next(r for r in result["three_zero"]["reasons"] if r["rule"] == "property_scope_split")
    assert "合计180千瓦" in split["text"] and "拆分报装" in split["text"]
    assert result["proposed_voltage"] == "high"


def test_the_informed_consent_case_tells_the_customer_about_three_zero() -> None:
    result = run(capacity_kw=100, requested_high_voltage=True)

    voltage = next(r for r in result["three_zero"]["reasons"] if r["rule"] == "voltage")
    assert "告知三零服务政策" in voltage["text"] and "签字确认" in voltage["text"]
    assert result["proposed_voltage"] == "low"


def test_charging_facilities_require_a_site_survey_t2() -> None:
    assert run(purpose="ev_charging")["site_survey_required"] is True
    assert run(purpose="ebike_charging")["site_survey_required"] is True
    assert run()["site_survey_required"] is False


def test_ebike_three_zero_is_based_on_l34() -> None:
    result = run(customer_type="other", purpose="ebike_charging", capacity_kw=30)

    assert result["three_zero"]["reasons"][0]["clause"] == "L34"
    assert "L34" in [v["clause"] for v in result["basis"]["three_zero"]]


# --- due dates: stage k is due at the end of working day l1+…+lk after applied_on -------------


def test_stage_due_dates_accumulate_across_national_day_t2() -> None:
    result = run(customer_type="residential", capacity_kw=8, external_works=True,
                 applied_on="2026-09-30")  # fmt: skip

    # 国庆 10/1–10/7 off, Sat 10/10 a make-up working day (PRACTICE.md, 2026 schedule).
    assert [(s["name"], s["limit_working_days"], s["due_on"]) for s in result["stages"]] == [
        ("intake", 1, "2026-10-08"),
        ("supply_scheme", 2, "2026-10-10"),
        ("external_works", 10, "2026-10-23"),
        ("energizing", 2, "2026-10-27"),
    ]
    assert result["due_on"] == "2026-10-27"


def test_hv_dual_stage_due_dates_accumulate_to_32_working_days_l3() -> None:
    result = run(customer_type="other", capacity_kw=800, supply="dual")

    assert [(s["name"], s["due_on"]) for s in result["stages"]] == [
        ("intake", "2026-11-03"),
        ("supply_scheme", "2026-11-26"),
        ("design_review", "2026-12-02"),
        ("midway_inspection", "2026-12-07"),
        ("completion_inspection", "2026-12-11"),
        ("energizing", "2026-12-16"),
    ]
    assert result["due_on"] == "2026-12-16"


def test_charging_stages_are_1_3_2_applied_on_a_friday_t2() -> None:
    result = run(purpose="ev_charging", applied_on="2026-11-27")

    assert [(s["name"], s["due_on"]) for s in result["stages"]] == [
        ("intake", "2026-11-30"),
        ("supply_scheme", "2026-12-03"),
        ("energizing", "2026-12-07"),
    ]


def test_a_due_date_in_2027_raises_calendar_year_not_loaded() -> None:
    with pytest.raises(CalendarYearNotLoaded, match="2027 calendar not loaded"):
        run(customer_type="other", capacity_kw=800, supply="dual", applied_on="2026-11-26")


def test_plan_decides_everything_but_dates_without_a_calendar() -> None:
    decided = plan(parse_input(application(customer_type="other", capacity_kw=800,
                                           applied_on="2026-12-30")))  # fmt: skip

    assert (decided.category, decided.time_limit_wd) == ("hv_single", 22)


def test_after_importing_2027_the_due_date_is_computed() -> None:
    fake_2027 = parse_year({"year": 2027, "holidays": ["2027-01-01"], "workdays": []})
    result = assess(
        parse_input(application(customer_type="residential", capacity_kw=8,
                                applied_on="2026-12-28")),
        calendar=calendar_with([fake_2027]),
    )  # fmt: skip

    # 12/29, 12/30, 12/31, (1/1 off, weekend), 1/4, 1/5.
    assert result.due_on == D(2027, 1, 5)


# --- regional cap (T1/L2: regions may raise it; fixture 640100 raises it to 200 kW) ------------


@pytest.mark.parametrize(
    ("region", "applied_on", "category", "eligible"),
    [
        ("640100", "2026-06-30", "hv_single", False),  # the region's 180 kW is in force
        ("640100", "2026-07-01", "lv_three_zero", True),  # 银川市 200 kW from 2026-07-01
        ("640104", "2026-07-01", "lv_three_zero", True),  # a county of 银川市
        ("640200", "2026-07-01", "hv_single", False),  # 石嘴山市: the region's 180 kW
        (None, "2026-07-01", "hv_single", False),  # no region: 160 kW
    ],
)
def test_a_190_kw_enterprise_is_three_zero_only_where_the_regional_cap_allows(
    regional_policy: Policy, region: str | None, applied_on: str, category: str, eligible: bool
) -> None:
    fields = application(capacity_kw=190, applied_on=applied_on)
    if region:
        fields["region"] = region

    result = assess(parse_input(fields), policy=regional_policy, calendar=shipped_calendar())

    assert (result.category, result.three_zero_eligible) == (category, eligible)


def test_the_decision_records_the_regional_value_and_its_document(regional_policy: Policy) -> None:
    result = assess(
        parse_input(application(capacity_kw=190, region="640100", applied_on="2026-07-01")),
        policy=regional_policy,
        calendar=shipped_calendar(),
    ).as_json()

    cap = next(v for v in result["basis"]["three_zero"] if v["parameter"] == "three_zero_max_kw")
    assert (cap["value"], cap["region"], cap["source"]) == (
        200,
        "640100",
        "银发改示例〔2026〕7号第3条（测试用虚构文件）",
    )


# --- bad input: one error naming the field ---------------------------------------------------


def without(field: str) -> dict[str, Any]:
    data = application()
    data.pop(field)
    return data


BAD_INPUT = [
    ("missing customer_type", without("customer_type"), "customer_type", "required"),
    ("missing capacity_kw", without("capacity_kw"), "capacity_kw", "required"),
    ("missing applied_on", without("applied_on"), "applied_on", "required"),
    ("unknown key", application(colour="red"), "colour", "unknown field"),
    ("unknown customer type", application(customer_type="alien"), "customer_type", "unknown value"),
    ("unknown request type", application(request_type="move"), "request_type", "unknown value"),
    ("unknown purpose", application(purpose="heating"), "purpose", "unknown value"),
    ("unknown voltage", application(voltage="medium"), "voltage", "unknown value"),
    ("unknown supply", application(supply="triple"), "supply", "unknown value"),
    ("capacity 0", application(capacity_kw=0), "capacity_kw", "must be > 0"),
    ("capacity negative", application(capacity_kw=-5), "capacity_kw", "must be > 0"),
    ("capacity NaN", application(capacity_kw=math.nan), "capacity_kw", "finite"),
    ("capacity Infinity", application(capacity_kw=math.inf), "capacity_kw", "finite"),
    ("capacity > 10,000,000", application(capacity_kw=10_000_001), "capacity_kw", "<= 10,000,000"),
    ("capacity as text", application(capacity_kw="50"), "capacity_kw", "valid number"),
    ("capacity as bool", application(capacity_kw=True), "capacity_kw", "valid number"),
    ("existing negative", application(property_existing_kw=-1), "property_existing_kw", ">= 0"),
    ("existing NaN", application(property_existing_kw=math.nan), "property_existing_kw", "finite"),
    ("bool as text", application(external_works="yes"), "external_works", "valid boolean"),
    ("date malformed", application(applied_on="26-11-2026"), "applied_on", "YYYY-MM-DD"),
    ("date impossible", application(applied_on="2026-02-30"), "applied_on", "not a valid date"),
    ("date as ISO week", application(applied_on="2026-W48-4"), "applied_on", "YYYY-MM-DD"),
    ("date as number", application(applied_on=20261126), "applied_on", "YYYY-MM-DD"),
    ("date with time", application(applied_on="2026-11-26T10:00"), "applied_on", "YYYY-MM-DD"),
    ("region too short", application(region="64010"), "region", "6-digit"),
    ("region full-width digits", application(region="６４０１００"), "region", "6-digit"),
    ("dual supply at LV", application(supply="dual", voltage="low"), "supply", "high voltage only"),
    ("HV request with voltage=low",
     application(requested_high_voltage=True, voltage="low"), "requested_high_voltage",
     "contradicts"),
    ("not an object", ["x"], "input", "expected a JSON object"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "data", "field", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_one_error_naming_the_field(
    why: str, data: Any, field: str, message: str
) -> None:
    with pytest.raises(AssessError) as caught:
        parse_input(data)

    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
