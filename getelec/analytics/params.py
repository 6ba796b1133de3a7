"""The counting-rule parameters as one plain object.

The engine receives an `OutageParams` and never reads policy files itself, so tests can build
any rule set by hand. `params_from_policy` fills it from the policy data (getelec/policy/
outages.yaml) in force on the as-of date and keeps the citations for the output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

CAUSES: tuple[str, ...] = (
    "planned",
    "fault",
    "force_majeure",
    "external_damage",
    "supply_shortage",
    "other",
)
UNKNOWN_CAUSE = "unknown"


@dataclass(frozen=True)
class OutageParams:
    """Every threshold the engine applies. Build it with `params_from_policy` in production.

    Each field is named as its policy parameter (getelec/policy/outages.yaml): one identifier
    from the policy data through the engine and the desk's rules to the templates."""

    outage_period: str
    outage_momentary_below_minutes: float
    outage_merge_window_hours: float
    outage_unrestored_cap_hours: float
    outage_district_share: float
    outage_feeder_share: float
    outage_excluded_causes: tuple[str, ...]
    outage_year_max_count: int
    outage_window_days: int
    outage_window_max_count: int
    outage_problem_line_min_districts: int
    outage_warning_year_min_count: int
    outage_warning_long_days: int
    outage_warning_long_count: int
    outage_warning_short_days: int
    outage_warning_short_count: int
    outage_major_event_day_exclusion: bool
    outage_major_event_day_beta: float
    outage_major_event_day_history_years: int
    outage_rs2_excluded_causes: tuple[str, ...]
    outage_rs3_excluded_causes: tuple[str, ...]
    # The policy values behind each field (parameter, value, clause, quote, ...); not compared.
    citations: tuple[dict[str, Any], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.outage_period != "calendar_year_to_date":  # the only period the engine knows
            raise ValueError(f"unsupported outage period {self.outage_period!r}")
        for name in (
            "outage_excluded_causes",
            "outage_rs2_excluded_causes",
            "outage_rs3_excluded_causes",
        ):
            unknown = set(getattr(self, name)) - set(CAUSES)
            if unknown:
                raise ValueError(f"{name}: unknown cause(s) {sorted(unknown)}")

    # Derived values in the engine's unit (whole seconds of naive local time).
    @property
    def momentary_max_s(self) -> int:
        """The longest momentary interruption: sustained iff longer (IEEE 1366-2012: "more than
        five minutes"); the parameter keeps its historical name."""
        return round(self.outage_momentary_below_minutes * 60)

    @property
    def merge_window_s(self) -> int:
        return round(self.outage_merge_window_hours * 3600)

    @property
    def unrestored_cap_s(self) -> int:
        return round(self.outage_unrestored_cap_hours * 3600)

    def period_start(self, year: int) -> dt.date:
        return dt.date(year, 1, 1)

    def values(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("citations")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    def fingerprint(self) -> str:
        """Identifies the rule set; an incremental run must use the same one."""
        raw = json.dumps(self.values(), sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


# The policy parameters the engine reads: OutageParams' fields, by name.
POLICY_NAMES: tuple[str, ...] = tuple(f.name for f in fields(OutageParams) if f.name != "citations")


def default_params(**overrides: Any) -> OutageParams:
    """The shipped national-practice defaults (for tests and the synthetic benchmark)."""
    base: dict[str, Any] = {
        "outage_period": "calendar_year_to_date",
        "outage_momentary_below_minutes": 5,
        "outage_merge_window_hours": 6,
        "outage_unrestored_cap_hours": 24,
        "outage_district_share": 0.5,
        "outage_feeder_share": 0.5,
        "outage_excluded_causes": ("force_majeure", "external_damage"),
        "outage_year_max_count": 5,
        "outage_window_days": 60,
        "outage_window_max_count": 3,
        "outage_problem_line_min_districts": 2,
        "outage_warning_year_min_count": 4,
        "outage_warning_long_days": 50,
        "outage_warning_long_count": 3,
        "outage_warning_short_days": 30,
        "outage_warning_short_count": 2,
        "outage_major_event_day_exclusion": False,
        "outage_major_event_day_beta": 2.5,
        "outage_major_event_day_history_years": 5,
        "outage_rs2_excluded_causes": ("force_majeure", "external_damage"),
        "outage_rs3_excluded_causes": ("supply_shortage",),
    }
    base.update(overrides)
    return OutageParams(**base)


def params_from_policy(
    on: dt.date, region: str | None = None, policy: Any | None = None
) -> OutageParams:
    """Read every parameter from the policy data in force on `on` (the as-of date)."""
    from getelec.core.policy import default_policy

    policy = policy or default_policy()
    values: dict[str, Any] = {}
    cites: list[dict[str, Any]] = []
    for name in POLICY_NAMES:
        found = policy.get(name, on, region)
        value = found.value
        values[name] = tuple(value) if isinstance(value, list) else value
        cites.append(found.as_dict())
    return OutageParams(**values, citations=tuple(cites))
