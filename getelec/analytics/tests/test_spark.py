"""The Spark engine runs the same SQL (transpiled by SQLGlot) and gives identical results."""

from __future__ import annotations

import datetime as dt
import importlib.util
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from getelec.analytics.api import analyze
from getelec.analytics.params import default_params
from getelec.analytics.synth import SynthConfig, generate, write

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None,
        reason="PySpark is not installed (pip install 'getting-electricity[spark]')",
    ),
]


def test_duckdb_and_spark_agree_on_a_generated_data_set(tmp_path):
    from getelec.analytics.engines import SparkEngine

    tables = generate(SynthConfig(meters=1500, seed=11, chatter_share=0.6))
    # one meter chattering every 2 h for 2 days: the pointer-doubling merge runs on Spark too
    start = dt.datetime(2026, 3, 2)
    chatter = [
        (start + dt.timedelta(hours=h, minutes=m), kind)
        for h in range(0, 49, 2)
        for m, kind in ((0, "off"), (10, "on"))
    ]
    extra = pa.table(
        {
            "meter_id": ["M00000001"] * len(chatter),
            "ts": pa.array([t for t, _ in chatter], pa.timestamp("s")),
            "kind": [k for _, k in chatter],
        }
    )
    tables["events"] = pa.concat_tables([tables["events"], extra.cast(tables["events"].schema)])
    paths = write(tables, tmp_path)
    args = (paths["meters"], paths["events"], paths["causes"])
    options: dict[str, Any] = {
        "year": 2026,
        "as_of": dt.date(2026, 9, 30),
        "params": default_params(),
    }
    duck = analyze(*args, engine="duckdb", **options)
    spark = SparkEngine(shuffle_partitions=1)
    try:
        other = analyze(*args, engine=spark, **options)
    finally:
        spark.close()
    for name in ("meters", "districts", "feeders", "interruptions"):
        left, right = getattr(duck, name), getattr(other, name)
        assert left.num_rows > 0, name
        assert left.schema.names == right.schema.names, name
        assert left.to_pylist() == right.to_pylist(), name
    assert duck.indices == other.indices
    assert duck.quality == other.quality
    assert sum(duck.meters.column("count_year").to_pylist()) > 0
    assert sum(duck.meters.column("merged_count").to_pylist()) > 0
    chattering = duck.meters.filter(pc.equal(duck.meters["meter_id"], "M00000001"))
    assert chattering["count_year"][0].as_py() >= 9


def test_every_statement_transpiles_for_spark():
    """Cheap guard without a JVM: SQLGlot accepts the whole pipeline for Spark."""
    from getelec.analytics.engines import to_spark_sql

    assert "MIN_BY" in to_spark_sql("SELECT ARG_MIN(a, b) FROM t")


def test_incremental_run_on_spark_equals_a_full_duckdb_run(tmp_path):
    """`--since` on Spark (state, deltas, month files) gives the full run's outputs."""
    import pyarrow.parquet as pq

    from getelec.analytics.service import analyze_to_folder

    tables = generate(SynthConfig(meters=800, seed=5))
    events = tables["events"]
    split = pa.scalar(dt.datetime(2026, 6, 1), events["ts"].type)
    end = pa.scalar(dt.datetime(2026, 7, 1), events["ts"].type)
    tables["before"] = events.filter(pc.less(events["ts"], split))
    tables["since"] = events.filter(
        pc.and_(pc.greater_equal(events["ts"], split), pc.less(events["ts"], end))
    )
    tables["upto"] = events.filter(pc.less(events["ts"], end))
    assert tables["since"].num_rows > 0
    paths = write(tables, tmp_path)
    common: dict[str, Any] = {"meters": paths["meters"], "causes": paths["causes"], "year": 2026}
    daily, full = tmp_path / "daily", tmp_path / "full"
    # the state is the engine's business no more than the outputs: DuckDB starts, Spark goes on
    analyze_to_folder(**common, events=paths["before"], as_of=dt.date(2026, 5, 31), out=daily)
    analyze_to_folder(
        **common,
        events=paths["since"],
        as_of=dt.date(2026, 6, 30),
        since=dt.date(2026, 6, 1),
        out=daily,
        engine="spark",
    )
    analyze_to_folder(
        **common, events=paths["upto"], as_of=dt.date(2026, 6, 30), out=full, keep_state=False
    )
    for name in ("meters", "districts", "feeders", "interruptions"):
        left = pq.read_table(daily / f"{name}.parquet")
        right = pq.read_table(full / f"{name}.parquet")
        assert left.num_rows > 0 and left.equals(right), name
    for name in ("indices", "quality"):
        assert (daily / f"{name}.json").read_text() == (full / f"{name}.json").read_text()


def test_spark_pairs_same_second_events_by_the_meter_state(tmp_path):
    """Issue 10 on Spark: the re-pairing of meters with an `off` and an `on` in one second
    (a state-ordered window, and `mint` rebuilt from itself) gives DuckDB's result: off 10:00,
    on and off 10:20, on and off 10:40, on 11:00 are three interruptions of 20 minutes."""
    from getelec.analytics.engines import SparkEngine
    from getelec.analytics.tests.util import meters_rows, outage, run_case, ts

    meters = meters_rows({"M1": ("D1", "F1"), "M2": ("D1", "F1"), "M3": ("D2", "F1")})
    t0 = dt.datetime(2026, 3, 1, 10)
    events = [("M1", ts(t0), "off")]
    for minutes in (20, 40):
        at = ts(t0 + dt.timedelta(minutes=minutes))
        events += [("M1", at, "off"), ("M1", at, "on")]
    events += [("M1", ts(t0 + dt.timedelta(minutes=60)), "on")]
    events += outage("M2", t0, 30) + outage("M3", t0 + dt.timedelta(days=1), 3)
    for sub in ("duck", "spark"):
        (tmp_path / sub).mkdir()
    duck = run_case(tmp_path / "duck", meters, events)
    spark = SparkEngine(shuffle_partitions=1)
    try:
        other = run_case(tmp_path / "spark", meters, events, engine=spark)
    finally:
        spark.close()
    m1 = [
        r["minutes"]
        for r in other.interruptions.to_pylist()
        if r["level"] == "meter" and r["id"] == "M1"
    ]
    assert m1 == [20, 20, 20]
    for name in ("meters", "districts", "feeders", "interruptions"):
        assert getattr(duck, name).to_pylist() == getattr(other, name).to_pylist(), name
    assert duck.indices == other.indices and duck.quality == other.quality
    assert other.quality["events"]["orphans"] == 0 and other.quality["unrestored"] == 0
