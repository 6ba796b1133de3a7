"""Small builders for hand-checked cases: CSV inputs from Python lists, one analysis run."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from getelec.analytics.api import AnalysisResult, analyze
from getelec.analytics.params import OutageParams, default_params

YEAR = 2026
T0 = dt.datetime(2026, 3, 1)  # day 0 of most cases


def ts(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def day(n: float, hour: float = 10) -> dt.datetime:
    """Day n after T0, at `hour` o'clock."""
    return T0 + dt.timedelta(days=n, hours=hour)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def meters_rows(spec: dict[str, tuple[str, str]], region: str = "640104", area: str = "urban"):
    """{meter: (district, feeder)} -> registry rows."""
    return [(m, d, f, region, area) for m, (d, f) in spec.items()]


def outage(meter: str, start: dt.datetime, minutes: float) -> list[tuple[str, str, str]]:
    """An off/on pair."""
    end = start + dt.timedelta(minutes=minutes)
    return [(meter, ts(start), "off"), (meter, ts(end), "on")]


def run_case(
    tmp: Path,
    meters: list[tuple[str, ...]],
    events: list[tuple[str, str, str]],
    causes: list[tuple[str, str, str, str, str]] | None = None,
    as_of: dt.date = dt.date(2026, 12, 31),
    params: OutageParams | None = None,
    engine: Any = "duckdb",
) -> AnalysisResult:
    m = write_csv(
        tmp / "meters.csv", ("meter_id", "district_id", "feeder_id", "region", "area"), meters
    )
    e = write_csv(tmp / "events.csv", ("meter_id", "ts", "kind"), events)
    c = None
    if causes is not None:
        c = write_csv(tmp / "causes.csv", ("scope", "scope_id", "start", "end", "cause"), causes)
    return analyze(
        m, e, c, year=as_of.year, as_of=as_of, params=params or default_params(), engine=engine
    )


def row(table, key_column: str, key: str) -> dict[str, Any]:
    rows = [r for r in table.to_pylist() if r[key_column] == key]
    assert len(rows) == 1, f"{key}: {len(rows)} rows"
    return rows[0]
