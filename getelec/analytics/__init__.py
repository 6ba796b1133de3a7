"""Outage analytics: smart-meter events → interruptions → frequent outages (L28),
early warnings and reliability indices, on DuckDB (default) or Spark. No Django here.

    from getelec.analytics import analyze
    result = analyze("meters.csv", "events.csv", "causes.csv", year=2026, as_of=date(2026, 6, 30))

For one point and a handful of dates, the same L28 rule in plain Python:

    from getelec.analytics import frequent_status, params_from_policy
    status = frequent_status(starts, as_of, params_from_policy(as_of))

See docs/outages.md.
"""

from getelec.analytics.api import (
    AnalysisResult,
    analyze,
    index_block,
    indices_by_region_month,
    write_outputs,
)
from getelec.analytics.frequent import FrequentStatus, frequent_status
from getelec.analytics.inputs import InputError
from getelec.analytics.params import OutageParams, default_params, params_from_policy

__all__ = [
    "AnalysisResult",
    "FrequentStatus",
    "InputError",
    "OutageParams",
    "analyze",
    "default_params",
    "frequent_status",
    "index_block",
    "indices_by_region_month",
    "params_from_policy",
    "write_outputs",
]
