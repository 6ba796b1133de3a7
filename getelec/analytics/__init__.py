"""Outage analytics: smart-meter events → interruptions → frequent outages (L28),
early warnings and reliability indices, on DuckDB (default) or Spark. No Django here.

    from getelec.analytics import analyze
    result = analyze("meters.csv", "events.csv", "causes.csv", year=2026, as_of=date(2026, 6, 30))

See docs/outages.md.
"""

from getelec.analytics.api import (
    AnalysisResult,
    analyze,
    index_block,
    indices_by_region_month,
    write_outputs,
)
from getelec.analytics.inputs import InputError
from getelec.analytics.params import OutageParams, default_params, params_from_policy

__all__ = [
    "AnalysisResult",
    "InputError",
    "OutageParams",
    "analyze",
    "default_params",
    "index_block",
    "indices_by_region_month",
    "params_from_policy",
    "write_outputs",
]
