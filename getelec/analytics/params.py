"""The counting-rule parameters as one plain object.

The engine receives an `OutageParams` and never reads policy files itself, so tests can build
any rule set by hand. `params_from_policy` fills it from the policy data (getelec/policy/
outages.yaml) in force on the as-of date and keeps the citations for the output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
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

# dataclass field -> policy parameter name
POLICY_NAMES: dict[str, str] = {
    "period": "outage_period",
    "momentary_below_minutes": "outage_momentary_below_minutes",
    "merge_window_hours": "outage_merge_window_hours",
    "unrestored_cap_hours": "outage_unrestored_cap_hours",
    "district_share": "outage_district_share",
    "feeder_share": "outage_feeder_share",
    "excluded_causes": "outage_excluded_causes",
    "year_max_count": "outage_year_max_count",
    "window_days": "outage_window_days",
    "window_max_count": "outage_window_max_count",
    "problem_line_min_districts": "outage_problem_line_min_districts",
    "warning_year_min_count": "outage_warning_year_min_count",
    "warning_long_days": "outage_warning_long_days",
    "warning_long_count": "outage_warning_long_count",
    "warning_short_days": "outage_warning_short_days",
    "warning_short_count": "outage_warning_short_count",
    "med_exclusion": "outage_major_event_day_exclusion",
    "med_beta": "outage_major_event_day_beta",
    "med_history_years": "outage_major_event_day_history_years",
    "rs2_excluded_causes": "outage_rs2_excluded_causes",
    "rs3_excluded_causes": "outage_rs3_excluded_causes",
}


@dataclass(frozen=True)
class OutageParams:
    """Every threshold the engine applies. Build it with `params_from_policy` in production."""

    period: str
    momentary_below_minutes: float
    merge_window_hours: float
    unrestored_cap_hours: float
    district_share: float
    feeder_share: float
    excluded_causes: tuple[str, ...]
    year_max_count: int
    window_days: int
    window_max_count: int
    problem_line_min_districts: int
    warning_year_min_count: int
    warning_long_days: int
    warning_long_count: int
    warning_short_days: int
    warning_short_count: int
    med_exclusion: bool
    med_beta: float
    med_history_years: int
    rs2_excluded_causes: tuple[str, ...]
    rs3_excluded_causes: tuple[str, ...]
    # The policy values behind each field (parameter, value, clause, quote, ...); not compared.
    citations: tuple[dict[str, Any], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.period != "calendar_year_to_date":
            raise ValueError(f"unsupported outage period {self.period!r}")
        for name in ("excluded_causes", "rs2_excluded_causes", "rs3_excluded_causes"):
            unknown = set(getattr(self, name)) - set(CAUSES)
            if unknown:
                raise ValueError(f"{name}: unknown cause(s) {sorted(unknown)}")

    # Derived values in the engine's unit (whole seconds of naive local time).
    @property
    def momentary_below_s(self) -> int:
        return round(self.momentary_below_minutes * 60)

    @property
    def merge_window_s(self) -> int:
        return round(self.merge_window_hours * 3600)

    @property
    def unrestored_cap_s(self) -> int:
        return round(self.unrestored_cap_hours * 3600)

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


def default_params(**overrides: Any) -> OutageParams:
    """The shipped national-practice defaults (for tests and the synthetic benchmark)."""
    base: dict[str, Any] = {
        "period": "calendar_year_to_date",
        "momentary_below_minutes": 5,
        "merge_window_hours": 6,
        "unrestored_cap_hours": 24,
        "district_share": 0.5,
        "feeder_share": 0.5,
        "excluded_causes": ("force_majeure", "external_damage"),
        "year_max_count": 5,
        "window_days": 60,
        "window_max_count": 3,
        "problem_line_min_districts": 2,
        "warning_year_min_count": 4,
        "warning_long_days": 50,
        "warning_long_count": 3,
        "warning_short_days": 30,
        "warning_short_count": 2,
        "med_exclusion": False,
        "med_beta": 2.5,
        "med_history_years": 5,
        "rs2_excluded_causes": ("force_majeure", "external_damage"),
        "rs3_excluded_causes": ("supply_shortage",),
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
    for attr, name in POLICY_NAMES.items():
        found = policy.get(name, on, region)
        value = found.value
        values[attr] = tuple(value) if isinstance(value, list) else value
        cites.append(found.as_dict())
    return OutageParams(**values, citations=tuple(cites))
