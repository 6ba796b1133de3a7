"""Connection-application rules: 三零 eligibility, category, time limit and stage deadlines.

One pure function, `assess`, used by `getelec assess`, POST /api/v1/assess and the application
service. Every number comes from policy data; every decision lists the parameter values (with
their clause and quoted sentence) that produced it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from getelec.core.policy import ParameterValue, Policy, default_policy
from getelec.core.reasons import Reason, number
from getelec.core.schedule import PauseSpan, workday_schedule
from getelec.core.workdays import WorkCalendar, shipped_calendar

CustomerType = Literal["residential", "small_micro_enterprise", "private_org", "other"]
RequestType = Literal["new", "increase", "temporary"]
Purpose = Literal["general", "ev_charging", "ebike_charging"]
Category = Literal[
    "lv_residential",
    "lv_three_zero",
    "lv_non_residential",
    "lv_ev_charging",
    "lv_ebike_charging",
    "hv_single",
    "hv_dual",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
# How stage limits run: "cumulative" (stage k due at l1+…+lk, within an overall limit) or "each"
# (T2: every stage on its own clock from the end of the previous one; no overall limit).
StageClock = Literal["cumulative", "each"]
MAX_CAPACITY_KW = 10_000_000  # input sanity bound (not a policy threshold)
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

StrictBool = Annotated[bool, Field(strict=True)]
Kilowatts = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class AssessInput(BaseModel):
    """One application as `getelec assess` and POST /api/v1/assess read it."""

    model_config = ConfigDict(extra="forbid")

    customer_type: CustomerType
    request_type: RequestType = "new"
    purpose: Purpose = "general"
    capacity_kw: Kilowatts
    voltage: Literal["low", "high"] | None = None
    supply: Literal["single", "dual"] = "single"
    external_works: StrictBool = False
    requested_high_voltage: StrictBool = False
    hv_to_lv_deregistration: StrictBool = False
    property_existing_kw: Kilowatts = 0.0
    region: Annotated[str, Field(pattern=r"^[0-9]{6}$")] | None = None
    applied_on: dt.date

    @field_validator("applied_on", mode="before")
    @classmethod
    def _iso_date_only(cls, value: Any) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            raise ValueError("expected a date YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not a valid date ({exc})") from None

    @field_validator("capacity_kw")
    @classmethod
    def _capacity_in_range(cls, value: float) -> float:
        if not (0 < value <= MAX_CAPACITY_KW) or not math.isfinite(value):
            raise ValueError(f"must be > 0 and <= {MAX_CAPACITY_KW:,}")
        return value

    @field_validator("property_existing_kw")
    @classmethod
    def _existing_in_range(cls, value: float) -> float:
        if not (0 <= value <= MAX_CAPACITY_KW) or not math.isfinite(value):
            raise ValueError(f"must be >= 0 and <= {MAX_CAPACITY_KW:,}")
        return value


class AssessError(ValueError):
    """Bad input; `field` names the offending field and str() is a one-line message."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


def parse_input(data: Any) -> AssessInput:
    """Validate raw input (a dict) into AssessInput, raising AssessError naming the field."""
    if not isinstance(data, dict):
        raise AssessError("input", "expected a JSON object")
    try:
        parsed = AssessInput.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(p) for p in error["loc"]) or "input"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = "required"
        elif error["type"] == "string_pattern_mismatch" and loc == "region":
            message = "expected a 6-digit administrative code such as 640100"
        elif error["type"] == "literal_error":
            message = f"unknown value {error.get('input')!r}; {error['msg'].lower()}"
        raise AssessError(loc, message) from None
    if parsed.supply == "dual" and parsed.voltage == "low":
        raise AssessError(
            "supply", "dual supply is high voltage only; it cannot go with voltage=low"
        )
    if parsed.requested_high_voltage and parsed.voltage == "low":
        raise AssessError("requested_high_voltage", "contradicts voltage=low")
    return parsed


@dataclass(frozen=True)
class StageDeadline:
    stage: str
    limit_wd: int
    cumulative_wd: int
    due_on: dt.date


@dataclass
class Assessment:
    """The outcome of `assess`, with the policy values behind each decision."""

    category: str
    voltage: str
    proposed_voltage: str
    three_zero_eligible: bool
    reasons: list[Reason]
    informed_consent_required: bool
    time_limit_wd: int
    stages: list[StageDeadline]
    due_on: dt.date
    site_survey_required: bool
    basis: dict[str, list[ParameterValue]] = field(default_factory=dict)
    # "each": every stage on its own clock (T2, charging); the total is then only their sum.
    stage_clock: StageClock = "cumulative"

    def as_json(self, render: Callable[[Reason], str] | None = None) -> dict[str, Any]:
        """The answer of `getelec assess` and POST /api/v1/assess: each reason with its `text`
        (from `render`, the page language in the web; default Chinese)."""
        text = render or _chinese
        return {
            "category": self.category,
            "voltage": self.voltage,
            "proposed_voltage": self.proposed_voltage,
            "three_zero": {
                "eligible": self.three_zero_eligible,
                "reasons": [{**r.as_dict(), "text": text(r)} for r in self.reasons],
            },
            "informed_consent_required": self.informed_consent_required,
            "time_limit_working_days": self.time_limit_wd,
            "stage_clock": self.stage_clock,
            "due_on": self.due_on.isoformat(),
            "site_survey_required": self.site_survey_required,
            "stages": [
                {
                    "name": s.stage,
                    "limit_working_days": s.limit_wd,
                    "cumulative_working_days": s.cumulative_wd,
                    "due_on": s.due_on.isoformat(),
                }
                for s in self.stages
            ],
            "basis": {k: [v.as_dict() for v in vs] for k, vs in self.basis.items()},
        }


@dataclass(frozen=True)
class Plan:
    """Category, limit and stages: everything `assess` decides before touching the calendar."""

    category: str
    voltage: str
    proposed_voltage: str
    three_zero_eligible: bool
    reasons: list[Reason]
    informed_consent_required: bool
    time_limit_wd: int
    stages: list[tuple[str, int]]
    site_survey_required: bool
    basis: dict[str, list[ParameterValue]]
    stage_clock: StageClock = "cumulative"

    @property
    def each_on_own_clock(self) -> bool:
        return self.stage_clock == "each"

    def as_json(self) -> dict[str, Any]:
        """The decision as an application stores it: reasons as data (no sentences)."""
        return {
            "category": self.category,
            "voltage": self.voltage,
            "proposed_voltage": self.proposed_voltage,
            "three_zero": {
                "eligible": self.three_zero_eligible,
                "reasons": [r.as_dict() for r in self.reasons],
            },
            "informed_consent_required": self.informed_consent_required,
            "site_survey_required": self.site_survey_required,
            "time_limit_working_days": self.time_limit_wd,
            "stage_clock": self.stage_clock,
            "stages": [{"name": s, "limit_working_days": n} for s, n in self.stages],
            "basis": {k: [v.as_dict() for v in vs] for k, vs in self.basis.items()},
        }


def _chinese(reason: Reason) -> str:
    return reason.text


@dataclass(frozen=True)
class _ThreeZero:
    """The 三零 (T1) checks: the reasons, whether eligible at LV, the policy values used."""

    reasons: list[Reason]
    eligible_at_lv: bool
    basis: list[ParameterValue]


def _threshold(application: AssessInput, get: Callable[[str], ParameterValue]) -> ParameterValue:
    """The capacity up to which the customer is supplied at low voltage: for residents the
    national supply rules' LV threshold (`capacity_lv_max_kw`, practice), for the others the
    plan's 三零 cap (`three_zero_max_kw`, T1; regions may raise it, L2)."""
    if application.customer_type == "residential":
        return get("capacity_lv_max_kw")
    return get("three_zero_max_kw")


def _voltages(application: AssessInput, cap_kw: float) -> tuple[str, str]:
    """The proposed voltage (by total capacity and supply) and the one applied for."""
    total_kw = application.capacity_kw + application.property_existing_kw
    proposed = "high" if total_kw > cap_kw or application.supply == "dual" else "low"
    voltage = "high" if application.requested_high_voltage else application.voltage or proposed
    return proposed, voltage


def _three_zero(application: AssessInput, get: Callable[[str], ParameterValue]) -> _ThreeZero:
    """T1: customer type, request type, capacity, the property-scope split, HV→LV deregistration."""
    cap = _threshold(application, get)
    # Residents are in 三零 by national practice (`three_zero_residential`); the plan's scope
    # (`three_zero_customer_types`) names small/micro enterprises and private organisations.
    residential = application.customer_type == "residential"
    customer_types = get("three_zero_residential" if residential else "three_zero_customer_types")
    request_types = get("three_zero_request_types")
    ebike = get("ebike_charging_three_zero")
    total_kw = application.capacity_kw + application.property_existing_kw

    reasons: list[Reason] = []
    ebike_rule = application.purpose == "ebike_charging" and ebike.value
    if residential:
        in_scope = bool(customer_types.value)
    else:
        in_scope = application.customer_type in customer_types.value
    type_ok = in_scope or ebike_rule
    if ebike_rule:
        variant = "ebike_charging"
    elif residential and type_ok:
        variant = "residential"
    else:
        variant = "in_scope" if type_ok else "out_of_scope"
    reasons.append(
        Reason(
            rule="customer_type",
            clause=ebike.citation.clause if ebike_rule else customer_types.citation.clause,
            met=bool(type_ok),
            variant=variant,
        )
    )
    request_ok = application.request_type in request_types.value
    reasons.append(
        Reason(
            rule="request_type",
            clause=request_types.citation.clause,
            met=request_ok,
            variant="new" if request_ok else "not_new",
        )
    )
    capacity_ok = application.capacity_kw <= cap.value
    reasons.append(
        Reason(
            rule="capacity",
            clause=cap.citation.clause,
            met=capacity_ok,
            variant="within" if capacity_ok else "over",
            values={"kw": number(application.capacity_kw), "cap": number(cap.value)},
        )
    )
    split_ok = _split_check(application, reasons, total_kw, cap.value, capacity_ok)
    deregistration_ok = not application.hv_to_lv_deregistration
    if application.hv_to_lv_deregistration:
        reasons.append(
            Reason(rule="hv_to_lv_deregistration", clause="T1", met=False, variant="excluded")
        )
    eligible_at_lv = type_ok and request_ok and capacity_ok and split_ok and deregistration_ok
    basis = [customer_types, request_types, cap] + ([ebike] if ebike_rule else [])
    return _ThreeZero(reasons=reasons, eligible_at_lv=bool(eligible_at_lv), basis=basis)


def _split_check(
    application: AssessInput,
    reasons: list[Reason],
    total_kw: float,
    cap_kw: float,
    capacity_ok: bool,
) -> bool:
    """T1: an application within the cap whose property already has capacity must not split a
    larger supply into 三零 pieces; adds its reason when it applies."""
    split_ok = total_kw <= cap_kw or not capacity_ok
    if application.property_existing_kw > 0 and capacity_ok:
        reasons.append(
            Reason(
                rule="property_scope_split",
                clause="T1",
                met=split_ok,
                variant="within" if split_ok else "split",
                values={
                    "existing": number(application.property_existing_kw),
                    "total": number(total_kw),
                    "cap": number(cap_kw),
                },
            )
        )
    return split_ok


def _asks_for_hv(application: AssessInput) -> bool:
    # T1: a customer eligible at LV who asks for HV for its own reasons (load character,
    # reliability such as a second source, own HV equipment) is told about 三零 and signs.
    return (
        application.requested_high_voltage
        or application.voltage == "high"
        or application.supply == "dual"
    )


def _category(application: AssessInput, voltage: str, eligible: bool) -> str:
    if voltage == "high":
        return "hv_dual" if application.supply == "dual" else "hv_single"
    if application.purpose == "ev_charging":
        return "lv_ev_charging"
    if application.purpose == "ebike_charging":
        return "lv_ebike_charging"
    if application.customer_type == "residential":
        return "lv_residential"
    if eligible:
        return "lv_three_zero"
    return "lv_non_residential"


@dataclass(frozen=True)
class _Limits:
    """The time limit of a category, its stages and how they run, with the values behind them."""

    limit_wd: int
    limit_basis: list[ParameterValue]
    stages: ParameterValue
    stage_clock: StageClock
    survey: ParameterValue | None


def _limit_and_stages(
    category: str, external_works: bool, get: Callable[[str], ParameterValue]
) -> _Limits:
    """The time limit, the stages and (charging only) the site-survey value of a category.

    A stage list on its own clocks (`own_clock_stage_lists`, T2) has no overall limit in the
    plan: its total is derived, the sum of the stage limits."""
    survey = None
    limit: ParameterValue | None = None
    if category in ("lv_ev_charging", "lv_ebike_charging"):
        stages = get("stages_lv_charging")
        survey = get("charging_site_survey_required")
    elif category in ("lv_residential", "lv_three_zero"):
        if external_works:
            limit = get("lv_three_zero_with_works_limit_wd")
            stages = get("stages_lv_three_zero_with_works")
        else:
            limit = get("lv_three_zero_no_works_limit_wd")
            stages = get("stages_lv_three_zero_no_works")
    elif category == "lv_non_residential":
        limit, stages = get("lv_non_three_zero_limit_wd"), get("stages_lv_non_three_zero")
    elif category == "hv_single":
        limit, stages = get("hv_single_limit_wd"), get("stages_hv_single")
    else:
        limit, stages = get("hv_dual_limit_wd"), get("stages_hv_dual")
    own = get("own_clock_stage_lists")
    derived = sum(s.limit_wd for s in stages.value)
    if stages.name in own.value:
        return _Limits(derived, [stages, own], stages, "each", survey)
    if limit is None:
        raise ValueError(f"{stages.name} has no overall limit and is not on its own clocks")
    return _Limits(limit.value, [limit], stages, "cumulative", survey)


def plan(application: AssessInput, policy: Policy | None = None) -> Plan:
    """Decide eligibility, category, limit and stages from policy data (no calendar needed)."""
    policy = policy or default_policy()
    on, region = application.applied_on, application.region

    def get(name: str) -> ParameterValue:
        return policy.get(name, on, region)

    cap = _threshold(application, get)
    proposed, voltage = _voltages(application, cap.value)
    three_zero = _three_zero(application, get)
    reasons = list(three_zero.reasons)
    informed_consent = _asks_for_hv(application) and three_zero.eligible_at_lv
    if voltage == "high":
        reasons.append(
            Reason(
                rule="voltage",
                clause="T1",
                met=False,
                variant="informed_consent" if informed_consent else "high_voltage",
            )
        )
    eligible = three_zero.eligible_at_lv and voltage == "low"
    category = _category(application, voltage, eligible)
    limits = _limit_and_stages(category, application.external_works, get)
    survey = limits.survey
    return Plan(
        category=category,
        voltage=voltage,
        proposed_voltage=proposed,
        three_zero_eligible=eligible,
        reasons=reasons,
        informed_consent_required=informed_consent,
        time_limit_wd=limits.limit_wd,
        stages=[(s.stage, s.limit_wd) for s in limits.stages.value],
        site_survey_required=bool(survey and survey.value),
        basis={
            "three_zero": three_zero.basis,
            "category": [cap],  # the threshold that set the voltage
            "time_limit": limits.limit_basis,
            "stages": [limits.stages] + ([survey] if survey else []),
        },
        stage_clock=limits.stage_clock,
    )


@dataclass(frozen=True)
class CapacityCheck:
    """Whether the requested capacity is plausible for the customer type at the voltage the
    rules give (`limit_kw` None: no limit but the input bound). Not a rule of the plan: an
    over-limit capacity is most likely a typing error, accepted only when staff confirm it."""

    voltage: str
    limit_kw: float | None
    exceeded: bool
    basis: list[ParameterValue]


def capacity_check(application: AssessInput, policy: Policy | None = None) -> CapacityCheck:
    """LV: residents up to the supply rules' LV threshold (`capacity_lv_max_kw`), others up to
    the larger of it and the 三零 cap in force (the plan connects those at LV, T1/L2). HV: the
    per-type limit of `capacity_hv_max_kw`, if the type has one."""
    policy = policy or default_policy()
    on, region = application.applied_on, application.region

    def get(name: str) -> ParameterValue:
        return policy.get(name, on, region)

    _, voltage = _voltages(application, _threshold(application, get).value)
    basis: list[ParameterValue]
    if voltage == "low":
        lv = get("capacity_lv_max_kw")
        limit: float | None = float(lv.value)
        basis = [lv]
        if application.customer_type != "residential":
            cap = get("three_zero_max_kw")
            if cap.value > lv.value:
                limit, basis = float(cap.value), [cap]
    else:
        hv = get("capacity_hv_max_kw")
        value = hv.value.get(application.customer_type)
        limit = None if value is None else float(value)
        basis = [hv]
    exceeded = limit is not None and application.capacity_kw > limit
    return CapacityCheck(voltage=voltage, limit_kw=limit, exceeded=exceeded, basis=basis)


def schedule(
    applied_on: dt.date,
    stages: list[tuple[str, int]],
    time_limit_wd: int,
    calendar: WorkCalendar,
    paused_wd: int = 0,
    each_on_own_clock: bool = False,
) -> tuple[list[StageDeadline], dt.date]:
    """Stage k is due at the end of working day l1+…+lk after `applied_on` (+ paused days);
    on its own clock (T2, `each_on_own_clock`) at lk after the previous stage's due date, the
    same dates until a stage is completed. The overall date returned is then the last stage's
    (the derived total: when every stage keeps its own limit), not a limit of the plan.

    The dates come from getelec.core.schedule.workday_schedule (the one working-day schedule).
    Raises CalendarYearNotLoaded when a deadline falls in a year not loaded.
    """
    pauses = [PauseSpan.of_length(paused_wd)] if paused_wd else []
    dates = workday_schedule(
        applied_on,
        [limit for _, limit in stages],
        time_limit_wd,
        calendar,
        pauses,
        each_on_own_clock=each_on_own_clock,
    )
    dates.raise_if_pending()
    if dates.due_on is None or None in dates.stage_due:  # raise_if_pending() rules this out
        raise RuntimeError("a schedule without pending year has no missing date")
    deadlines, cumulative = [], 0
    for (stage, limit), due in zip(stages, dates.stage_due, strict=True):
        cumulative += limit
        deadlines.append(StageDeadline(stage, limit, cumulative, cast(dt.date, due)))
    if each_on_own_clock and deadlines:
        return deadlines, deadlines[-1].due_on
    return deadlines, dates.due_on


def assess(
    application: AssessInput,
    policy: Policy | None = None,
    calendar: WorkCalendar | None = None,
) -> Assessment:
    """Full assessment including dates; raises CalendarYearNotLoaded for an unloaded year."""
    decided = plan(application, policy)
    deadlines, due_on = schedule(
        application.applied_on,
        decided.stages,
        decided.time_limit_wd,
        calendar or shipped_calendar(),
        each_on_own_clock=decided.each_on_own_clock,
    )
    return Assessment(
        category=decided.category,
        voltage=decided.voltage,
        proposed_voltage=decided.proposed_voltage,
        three_zero_eligible=decided.three_zero_eligible,
        reasons=decided.reasons,
        informed_consent_required=decided.informed_consent_required,
        time_limit_wd=decided.time_limit_wd,
        stages=deadlines,
        due_on=due_on,
        site_survey_required=decided.site_survey_required,
        basis=decided.basis,
        stage_clock=decided.stage_clock,
    )


# --- L7 capacity standard: a suggested capacity for the application form ------------------------

MAX_FLOOR_AREA_M2 = 100_000  # input sanity bounds (not policy thresholds)
MAX_DWELLINGS = 10_000
MAX_CHARGERS = 10_000


@dataclass(frozen=True)
class CapacityPart:
    item: str  # "dwelling" | "ev_charger"
    count: int
    kw_each: float
    kw: float
    parameters: tuple[str, ...]  # the policy parameters that produced kw_each

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "count": self.count,
            "kw_each": self.kw_each,
            "kw": self.kw,
            "parameters": list(self.parameters),
        }


@dataclass(frozen=True)
class CapacitySuggestion:
    """A recommended capacity (L7) with the parameter values and citations behind it."""

    kw: float
    parts: list[CapacityPart]
    basis: list[ParameterValue]
    area_m2: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kw": self.kw,
            "area_m2": self.area_m2,
            "parts": [p.as_dict() for p in self.parts],
            "basis": [v.as_dict() for v in self.basis],
        }


def _count(name: str, value: Any, maximum: int, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AssessError(name, "expected a whole number")
    if not minimum <= value <= maximum:
        raise AssessError(name, f"must be >= {minimum} and <= {maximum:,}")
    return value


def suggest_capacity(
    on: dt.date,
    area_m2: float | None = None,
    dwellings: int | None = None,
    ev_chargers: int = 0,
    region: str | None = None,
    policy: Policy | None = None,
) -> CapacitySuggestion:
    """Recommended capacity from the published capacity standard (L7), all values from policy.

    - Dwellings: the residential band for the floor area of one dwelling
      (`capacity_residential_bands`), never below `capacity_min_per_dwelling_kw`, times the
      number of dwellings (default 1 when an area is given).
    - EV chargers: `capacity_ev_slow_charger_kw` per AC slow charger.
    Raises AssessError naming the field for bad input.
    """
    policy = policy or default_policy()
    if area_m2 is not None:
        if isinstance(area_m2, bool) or not isinstance(area_m2, int | float):
            raise AssessError("area_m2", "expected a number")
        if not math.isfinite(area_m2) or not 0 < area_m2 <= MAX_FLOOR_AREA_M2:
            raise AssessError("area_m2", f"must be > 0 and <= {MAX_FLOOR_AREA_M2:,}")
    if dwellings is not None:
        dwellings = _count("dwellings", dwellings, MAX_DWELLINGS, minimum=1)
        if area_m2 is None:
            raise AssessError("area_m2", "required when dwellings are given")
    ev_chargers = _count("ev_chargers", ev_chargers, MAX_CHARGERS)
    if area_m2 is None and not ev_chargers:
        raise AssessError("area_m2", "give a floor area or a number of EV chargers")

    parts: list[CapacityPart] = []
    basis: list[ParameterValue] = []
    if area_m2 is not None:
        bands = policy.get("capacity_residential_bands", on, region)
        minimum = policy.get("capacity_min_per_dwelling_kw", on, region)
        band = next(b for b in bands.value if b.max_area_m2 is None or area_m2 <= b.max_area_m2)
        each = float(max(band.kw, minimum.value))
        count = dwellings or 1
        parts.append(
            CapacityPart("dwelling", count, each, each * count, (bands.name, minimum.name))
        )
        basis += [bands, minimum]
    if ev_chargers:
        charger = policy.get("capacity_ev_slow_charger_kw", on, region)
        each = float(charger.value)
        parts.append(
            CapacityPart("ev_charger", ev_chargers, each, each * ev_chargers, (charger.name,))
        )
        basis.append(charger)
    return CapacitySuggestion(
        kw=sum(p.kw for p in parts), parts=parts, basis=basis, area_m2=area_m2
    )
