"""`getelec outages analyze|synth`: exit codes, atomic output, reproducibility, incremental."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from getelec.cli import main

pytestmark = pytest.mark.pure

OUTPUTS = ("meters", "districts", "feeders", "interruptions")


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synth")
    assert (
        main(
            [
                "outages",
                "synth",
                "--meters",
                "3000",
                "--year",
                "2026",
                "--out",
                str(folder),
                "--split",
                "2026-06-01",
                "--quiet",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "outages",
                "synth",
                "--meters",
                "300",
                "--year",
                "2026",
                "--seed",
                "7",
                "--out",
                str(folder / "csv"),
                "--format",
                "csv",
                "--quiet",
            ]
        )
        == 0
    )
    return folder


def analyze(
    synth: Path, out: Path, *extra: str, events: str = "events.parquet", as_of: str = "2026-07-31"
) -> int:
    return main(
        [
            "outages",
            "analyze",
            "--meters",
            str(synth / "meters.parquet"),
            "--events",
            str(synth / events),
            "--causes",
            str(synth / "causes.parquet"),
            "--year",
            "2026",
            "--as-of",
            as_of,
            "--out",
            str(out),
            "--quiet",
            *extra,
        ]
    )


def digests(folder: Path) -> dict[str, str]:
    """Every output file (the monthly interruption files too; not the state)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".state" not in p.parts
    }


def read(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = {n: pq.read_table(folder / f"{n}.parquet") for n in OUTPUTS}
    for name in ("indices", "quality"):
        data[name] = json.loads((folder / f"{name}.json").read_text())
    return data


def test_writes_every_output(synth, tmp_path):
    assert analyze(synth, tmp_path / "out") == 0
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert {f"{n}.parquet" for n in OUTPUTS} | {
        "indices.json",
        "quality.json",
        "parameters.json",
    } <= names
    meters = pq.read_table(tmp_path / "out" / "meters.parquet")
    assert meters.column_names[:11] == [
        "meter_id",
        "district_id",
        "feeder_id",
        "count_year",
        "max_count_window",
        "window_days",
        "frequent",
        "rule",
        "warning",
        "momentary_count",
        "excluded_count",
    ]
    ids = meters.column("meter_id").to_pylist()
    assert ids == sorted(ids)
    # the window length behind max_count_window, from the policy data in force (L28: 60 days)
    for name in ("meters", "districts", "feeders"):
        table = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        assert set(table.column("window_days").to_pylist()) == {60}, name
    params = json.loads((tmp_path / "out" / "parameters.json").read_text())
    assert {c["parameter"] for c in params["citations"]} >= {"outage_year_max_count"}


def test_rerun_gives_identical_files(synth, tmp_path):
    assert analyze(synth, tmp_path / "a") == 0
    assert analyze(synth, tmp_path / "b") == 0
    assert digests(tmp_path / "a") == digests(tmp_path / "b")


def test_csv_inputs_work(synth, tmp_path):
    csv = synth / "csv"
    assert (
        main(
            [
                "outages",
                "analyze",
                "--meters",
                str(csv / "meters.csv"),
                "--events",
                str(csv / "events.csv"),
                "--causes",
                str(csv / "causes.csv"),
                "--year",
                "2026",
                "--as-of",
                "2026-12-31",
                "--out",
                str(tmp_path / "o"),
                "--quiet",
            ]
        )
        == 0
    )
    assert pq.read_table(tmp_path / "o" / "meters.parquet").num_rows > 0


def test_appended_duplicate_events_change_no_count(synth, tmp_path):
    events = pq.read_table(synth / "events.parquet")
    pq.write_table(pa.concat_tables([events, events]), tmp_path / "twice.parquet")
    assert analyze(synth, tmp_path / "once") == 0
    assert (
        main(
            [
                "outages",
                "analyze",
                "--meters",
                str(synth / "meters.parquet"),
                "--events",
                str(tmp_path / "twice.parquet"),
                "--causes",
                str(synth / "causes.parquet"),
                "--year",
                "2026",
                "--as-of",
                "2026-07-31",
                "--out",
                str(tmp_path / "twice"),
                "--quiet",
            ]
        )
        == 0
    )
    once, twice = read(tmp_path / "once"), read(tmp_path / "twice")
    for name in (*OUTPUTS, "indices"):
        assert once[name] == twice[name], name
    q1, q2 = once["quality"]["events"], twice["quality"]["events"]
    used = events.num_rows - q1["unknown_meter_rows"] - q1["after_as_of"]
    assert q2["duplicates"] == q1["duplicates"] + used
    assert q2["after_as_of"] == 2 * q1["after_as_of"]


def test_incremental_since_equals_a_full_run(synth, tmp_path):
    out = tmp_path / "daily"
    assert (
        analyze(synth, out, "--keep-state", events="events-before.parquet", as_of="2026-05-31") == 0
    )
    assert analyze(synth, out, "--since", "2026-06-01", events="events-since.parquet") == 0
    assert analyze(synth, tmp_path / "full") == 0
    daily, full = read(out), read(tmp_path / "full")
    for name in (*OUTPUTS, "indices", "quality"):
        assert daily[name] == full[name], name


def test_incremental_refuses_a_gap(synth, tmp_path, capsys):
    out = tmp_path / "daily"
    assert (
        analyze(synth, out, "--keep-state", events="events-before.parquet", as_of="2026-05-30") == 0
    )
    before = digests(out)
    assert analyze(synth, out, "--since", "2026-06-01", events="events-since.parquet") == 2
    assert "--since must be the day after" in capsys.readouterr().err
    assert digests(out) == before


def test_incremental_refuses_a_state_of_an_older_version(synth, tmp_path, capsys):
    """A state kept before max_count_60 became max_count_window (version 2) is not misread."""
    out = tmp_path / "daily"
    assert (
        analyze(synth, out, "--keep-state", events="events-before.parquet", as_of="2026-05-31") == 0
    )
    meta_path = out / ".state" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["version"] = 2
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    before = digests(out)
    assert analyze(synth, out, "--since", "2026-06-01", events="events-since.parquet") == 2
    err = capsys.readouterr().err
    assert "analysis state of version 2" in err and "run a full analysis" in err
    assert digests(out) == before


def _bad_events(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / "bad.csv"
    header = "meter_id,ts,kind\n"
    path.write_text(header + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [
                ("M00000001", "2026-01-01 10:00:00", "off"),
                ("M00000001", "2026-01-01 11:00:00", "restore"),
            ],
            "bad.csv, row 2, column kind: unknown value 'restore'",
        ),
        (
            [("M00000001", "2026-01-01 10:00", "off")],
            "bad.csv, row 1, column ts: bad timestamp '2026-01-01 10:00'",
        ),
        ([("M00000001", "2026-02-30 10:00:00", "off")], "bad.csv, row 1, column ts"),
        ([("", "2026-01-01 10:00:00", "off")], "bad.csv, row 1, column meter_id: missing value"),
    ],
    ids=["unknown kind", "short timestamp", "impossible date", "missing meter id"],
)
def test_bad_events_exit_2_naming_file_row_column(synth, tmp_path, capsys, rows, message):
    out = tmp_path / "out"
    code = main(
        [
            "outages",
            "analyze",
            "--meters",
            str(synth / "meters.parquet"),
            "--events",
            str(_bad_events(tmp_path, rows)),
            "--year",
            "2026",
            "--as-of",
            "2026-07-31",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_missing_column_and_unknown_cause(synth, tmp_path, capsys):
    meters = tmp_path / "meters.csv"
    meters.write_text("meter_id,district_id,feeder_id,region\nM1,D1,F1,640104\n")
    events = _bad_events(tmp_path, [("M1", "2026-01-01 10:00:00", "off")])
    code = main(
        [
            "outages",
            "analyze",
            "--meters",
            str(meters),
            "--events",
            str(events),
            "--year",
            "2026",
            "--as-of",
            "2026-07-31",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "meters.csv, row 1, column area: missing column" in capsys.readouterr().err
    causes = pa.table(
        {
            "scope": ["feeder"],
            "scope_id": ["F00001"],
            "start": ["2026-01-01 10:00:00"],
            "end": ["2026-01-01 11:00:00"],
            "cause": ["lightning"],
        }
    )
    pacsv.write_csv(causes, tmp_path / "causes.csv")
    code = main(
        [
            "outages",
            "analyze",
            "--meters",
            str(synth / "meters.parquet"),
            "--events",
            str(synth / "events.parquet"),
            "--causes",
            str(tmp_path / "causes.csv"),
            "--year",
            "2026",
            "--as-of",
            "2026-07-31",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "causes.csv, row 1, column cause: unknown value 'lightning'" in (capsys.readouterr().err)


def test_failed_run_keeps_the_previous_output(synth, tmp_path):
    out = tmp_path / "out"
    assert analyze(synth, out) == 0
    before = digests(out)
    bad = _bad_events(tmp_path, [("M00000001", "yesterday", "off")])
    code = main(
        [
            "outages",
            "analyze",
            "--meters",
            str(synth / "meters.parquet"),
            "--events",
            str(bad),
            "--year",
            "2026",
            "--as-of",
            "2026-07-31",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 2 and digests(out) == before


def test_as_of_outside_the_year_is_bad_input(synth, tmp_path, capsys):
    assert analyze(synth, tmp_path / "o", as_of="2025-12-31") == 2
    assert "is not in 2026" in capsys.readouterr().err


def test_incremental_with_new_cause_records_equals_a_full_run(synth, tmp_path):
    causes = pq.read_table(synth / "causes.parquet")
    keep = causes.num_rows * 3 // 4
    pq.write_table(causes.slice(0, keep), tmp_path / "causes-early.parquet")
    base = [
        "outages",
        "analyze",
        "--meters",
        str(synth / "meters.parquet"),
        "--year",
        "2026",
        "--quiet",
    ]
    out = tmp_path / "daily"
    assert (
        main(
            [
                *base,
                "--events",
                str(synth / "events-before.parquet"),
                "--causes",
                str(tmp_path / "causes-early.parquet"),
                "--as-of",
                "2026-05-31",
                "--keep-state",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                *base,
                "--events",
                str(synth / "events-since.parquet"),
                "--causes",
                str(synth / "causes.parquet"),
                "--as-of",
                "2026-07-31",
                "--since",
                "2026-06-01",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert analyze(synth, tmp_path / "full") == 0
    daily, full = read(out), read(tmp_path / "full")
    for name in (*OUTPUTS, "indices", "quality"):
        assert daily[name] == full[name], name


def test_since_needs_a_kept_state(synth, tmp_path, capsys):
    out = tmp_path / "daily"
    assert analyze(synth, out, events="events-before.parquet", as_of="2026-05-31") == 0
    assert not (out / ".state").exists()
    assert analyze(synth, out, "--since", "2026-06-01", events="events-since.parquet") == 2
    assert "run once with --keep-state" in capsys.readouterr().err


def test_daily_runs_across_a_month_end_equal_a_full_run_and_reuse_unchanged_months(synth, tmp_path):
    events = pq.read_table(synth / "events.parquet")

    def upto(day: str) -> pa.ChunkedArray:
        return pc.less(events["ts"], pa.scalar(dt.datetime.fromisoformat(day), events["ts"].type))

    def write(name: str, mask) -> None:
        pq.write_table(events.filter(mask), tmp_path / name)

    write("before.parquet", upto("2026-05-30"))
    days = ["2026-05-30", "2026-05-31", "2026-06-01"]
    for day, nxt in zip(days, [*days[1:], "2026-06-02"], strict=True):
        write(f"{day}.parquet", pc.and_(pc.invert(upto(day)), upto(nxt)))
    write("upto.parquet", upto("2026-06-02"))
    write("2026-06-02.parquet", pc.less(events["ts"], pa.scalar(0, events["ts"].type)))  # none

    def run(events_file: str, as_of: str, *extra: str) -> int:
        return main(
            [
                "outages", "analyze", "--meters", str(synth / "meters.parquet"),
                "--events", str(tmp_path / events_file), "--causes", str(synth / "causes.parquet"),
                "--year", "2026", "--as-of", as_of, "--out", str(tmp_path / "daily"), "--quiet",
                *extra,
            ]
        )  # fmt: skip

    assert run("before.parquet", "2026-05-29", "--keep-state") == 0
    months = tmp_path / "daily" / "interruptions.parquet"
    assert sorted(p.name for p in months.iterdir()) == [f"2026-0{m}.parquet" for m in range(1, 6)]
    for day in [*days, "2026-06-02"]:  # the last day brought no events at all
        january = (months / "2026-01.parquet").stat().st_ino
        assert run(f"{day}.parquet", day, "--since", day) == 0
        # a day's events leave January's rows alone: its file is the same (a hard link)
        assert (months / "2026-01.parquet").stat().st_ino == january
    assert sorted(p.name for p in months.iterdir())[-1] == "2026-06.parquet"
    assert main(
        [
            "outages", "analyze", "--meters", str(synth / "meters.parquet"),
            "--events", str(tmp_path / "upto.parquet"), "--causes", str(synth / "causes.parquet"),
            "--year", "2026", "--as-of", "2026-06-02", "--out", str(tmp_path / "full"), "--quiet",
        ]
    ) == 0  # fmt: skip
    daily, full = read(tmp_path / "daily"), read(tmp_path / "full")
    for name in (*OUTPUTS, "indices", "quality"):
        assert daily[name] == full[name], name


def test_unchanged_files_are_copied_where_hard_links_fail(tmp_path, monkeypatch):
    import os

    from getelec.analytics import api

    source = tmp_path / "a.parquet"
    source.write_bytes(b"month")
    api.link_or_copy(source, tmp_path / "linked.parquet")
    assert (tmp_path / "linked.parquet").stat().st_ino == source.stat().st_ino

    def no_links(*_args):
        raise OSError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    api.link_or_copy(source, tmp_path / "copied.parquet")
    copied = tmp_path / "copied.parquet"
    assert copied.read_bytes() == b"month" and copied.stat().st_ino != source.stat().st_ino


def test_incremental_keeps_district_outages_that_began_last_year(tmp_path):
    """Regression: a --since run that recomputes a district must still see its members that
    went off before 1 January (their days), or the district outage loses members and its
    cause — and the feeder outage built on it changes. Feeder F1's 1 January outage takes the
    cause of district D1's outage: A (planned, off first) and B (force majeure) tie, A wins."""
    from getelec.analytics.params import default_params
    from getelec.analytics.service import analyze_to_folder
    from getelec.analytics.tests.util import meters_rows, ts, write_csv

    t = dt.datetime
    meters = write_csv(
        tmp_path / "meters.csv",
        ("meter_id", "district_id", "feeder_id", "region", "area"),
        meters_rows(
            {"A": ("D1", "F1"), "B": ("D1", "F1"), "C": ("D1", "F1"), "E": ("D2", "F1"),
             "G": ("D3", "F1")}
        ),
    )  # fmt: skip
    before = [
        ("A", ts(t(2025, 12, 20, 10)), "off"), ("A", ts(t(2026, 1, 3, 10)), "on"),
        ("B", ts(t(2025, 12, 21, 10)), "off"), ("B", ts(t(2026, 1, 2, 10)), "on"),
        ("E", ts(t(2026, 1, 1, 10)), "off"), ("E", ts(t(2026, 1, 1, 12)), "on"),
    ]  # fmt: skip
    day = [("C", ts(t(2026, 3, 2, 10)), "off"), ("C", ts(t(2026, 3, 2, 10, 30)), "on")]
    causes = write_csv(
        tmp_path / "causes.csv",
        ("scope", "scope_id", "start", "end", "cause"),
        [
            ("meter", "A", ts(t(2025, 12, 20, 9)), ts(t(2026, 1, 3, 11)), "planned"),
            ("meter", "B", ts(t(2025, 12, 21, 9)), ts(t(2026, 1, 2, 11)), "force_majeure"),
            ("meter", "E", ts(t(2026, 1, 1, 9)), ts(t(2026, 1, 1, 13)), "fault"),
        ],
    )
    header = ("meter_id", "ts", "kind")
    common: dict[str, Any] = {
        "meters": meters,
        "causes": causes,
        "year": 2026,
        "params": default_params(),
    }
    daily, full = tmp_path / "daily", tmp_path / "full"
    first = write_csv(tmp_path / "before.csv", header, before)
    analyze_to_folder(**common, events=first, as_of=dt.date(2026, 3, 1), out=daily)
    nxt = write_csv(tmp_path / "day.csv", header, day)
    analyze_to_folder(
        **common, events=nxt, as_of=dt.date(2026, 3, 2), since=dt.date(2026, 3, 2), out=daily
    )
    every = write_csv(tmp_path / "all.csv", header, before + day)
    analyze_to_folder(**common, events=every, as_of=dt.date(2026, 3, 2), out=full)
    got, want = read(daily), read(full)
    feeder = [r for r in want["interruptions"].to_pylist() if r["level"] == "feeder"]
    assert [(r["cause"], r["counted"]) for r in feeder] == [("planned", True)]
    for name in (*OUTPUTS, "indices", "quality"):
        assert got[name] == want[name], name


def test_incremental_follows_an_edited_causes_file(tmp_path):
    """Cause records may be inserted anywhere and reordered between daily runs. File order
    breaks ties only between records that start at the same moment: two district records
    alike but for their cause — the first in the file wins; swapped, the other does."""
    from getelec.analytics.params import default_params
    from getelec.analytics.service import analyze_to_folder
    from getelec.analytics.tests.util import meters_rows, ts, write_csv

    t = dt.datetime
    meters = write_csv(
        tmp_path / "meters.csv",
        ("meter_id", "district_id", "feeder_id", "region", "area"),
        meters_rows({"M1": ("D1", "F1"), "M2": ("D2", "F1")}),
    )
    events = [
        ("M1", ts(t(2026, 3, 1, 10)), "off"), ("M1", ts(t(2026, 3, 1, 11)), "on"),
        ("M2", ts(t(2026, 3, 5, 10)), "off"), ("M2", ts(t(2026, 3, 5, 11)), "on"),
    ]  # fmt: skip
    planned = ("district", "D1", ts(t(2026, 3, 1, 9)), ts(t(2026, 3, 1, 12)), "planned")
    fault = ("district", "D1", ts(t(2026, 3, 1, 9)), ts(t(2026, 3, 1, 12)), "fault")
    other = ("meter", "M2", ts(t(2026, 3, 5, 9)), ts(t(2026, 3, 5, 12)), "external_damage")
    header = ("scope", "scope_id", "start", "end", "cause")
    v1 = write_csv(tmp_path / "c1.csv", header, [planned, fault])
    v2 = write_csv(tmp_path / "c2.csv", header, [other, fault, planned])  # inserted, swapped
    ev = write_csv(tmp_path / "e.csv", ("meter_id", "ts", "kind"), events)
    none = write_csv(tmp_path / "none.csv", ("meter_id", "ts", "kind"), [])
    common: dict[str, Any] = {"meters": meters, "year": 2026, "params": default_params()}
    daily, full = tmp_path / "daily", tmp_path / "full"
    analyze_to_folder(**common, events=ev, causes=v1, as_of=dt.date(2026, 3, 10), out=daily)
    first = {
        r["id"]: r["cause"]
        for r in pq.read_table(daily / "interruptions.parquet").to_pylist()
        if r["level"] == "meter"
    }
    assert first == {"M1": "planned", "M2": "unknown"}
    analyze_to_folder(
        **common,
        events=none,
        causes=v2,
        as_of=dt.date(2026, 3, 11),
        since=dt.date(2026, 3, 11),
        out=daily,
    )
    analyze_to_folder(**common, events=ev, causes=v2, as_of=dt.date(2026, 3, 11), out=full)
    got, want = read(daily), read(full)
    causes = {
        r["id"]: r["cause"] for r in want["interruptions"].to_pylist() if r["level"] == "meter"
    }
    assert causes == {"M1": "fault", "M2": "external_damage"}
    for name in (*OUTPUTS, "indices", "quality"):
        assert got[name] == want[name], name


def test_incremental_pairs_same_second_events_by_the_meter_state_like_a_full_run(tmp_path):
    """Issue 10: a restore and a new outage in the same second pair in the order the meter's
    state just before calls for (an `on` first when it is off) in a `--since` run as in a
    full run. M1 went off the day before (a tail), M2's tail follows a same-second boundary of
    the day before, M3 was on (an `off` and an `on` in one second: a zero-length one)."""
    from getelec.analytics.params import default_params
    from getelec.analytics.service import analyze_to_folder
    from getelec.analytics.tests.util import meters_rows, ts, write_csv

    t = dt.datetime
    meters = write_csv(
        tmp_path / "meters.csv",
        ("meter_id", "district_id", "feeder_id", "region", "area"),
        meters_rows({"M1": ("D1", "F1"), "M2": ("D1", "F1"), "M3": ("D2", "F1")}),
    )
    before = [
        ("M1", ts(t(2026, 3, 1, 23, 50)), "off"),
        ("M2", ts(t(2026, 3, 1, 10)), "off"), ("M2", ts(t(2026, 3, 1, 10, 20)), "on"),
        ("M2", ts(t(2026, 3, 1, 10, 20)), "off"),
        ("M3", ts(t(2026, 3, 1, 8)), "off"), ("M3", ts(t(2026, 3, 1, 8, 30)), "on"),
    ]  # fmt: skip
    day = [
        ("M1", ts(t(2026, 3, 2, 0, 10)), "off"), ("M1", ts(t(2026, 3, 2, 0, 10)), "on"),
        ("M1", ts(t(2026, 3, 2, 0, 30)), "on"),
        ("M2", ts(t(2026, 3, 2, 9)), "on"), ("M2", ts(t(2026, 3, 2, 9)), "off"),
        ("M2", ts(t(2026, 3, 2, 9, 20)), "on"),
        ("M3", ts(t(2026, 3, 2, 12)), "off"), ("M3", ts(t(2026, 3, 2, 12)), "on"),
    ]  # fmt: skip
    header = ("meter_id", "ts", "kind")
    common: dict[str, Any] = {
        "meters": meters,
        "causes": None,
        "year": 2026,
        "params": default_params(),
    }
    daily, full = tmp_path / "daily", tmp_path / "full"
    first = write_csv(tmp_path / "before.csv", header, before)
    analyze_to_folder(**common, events=first, as_of=dt.date(2026, 3, 1), out=daily)
    nxt = write_csv(tmp_path / "day.csv", header, day)
    analyze_to_folder(
        **common, events=nxt, as_of=dt.date(2026, 3, 2), since=dt.date(2026, 3, 2), out=daily
    )
    every = write_csv(tmp_path / "all.csv", header, before + day)
    analyze_to_folder(**common, events=every, as_of=dt.date(2026, 3, 2), out=full)
    got, want = read(daily), read(full)
    rows = [
        (r["id"], r["start"].strftime("%d %H:%M"), round(r["minutes"]), r["unrestored"])
        for r in got["interruptions"].to_pylist()
        if r["level"] == "meter"
    ]
    assert sorted(rows) == [
        ("M1", "01 23:50", 20, False),
        ("M1", "02 00:10", 20, False),
        ("M2", "01 10:00", 20, False),
        ("M2", "01 10:20", 1360, False),  # to 9:00 the next day
        ("M2", "02 09:00", 20, False),
        ("M3", "01 08:00", 30, False),
        ("M3", "02 12:00", 0, False),
    ]
    assert got["quality"]["events"]["orphans"] == 0
    assert got["quality"]["unrestored"] == 0
    for name in (*OUTPUTS, "indices", "quality"):
        assert got[name] == want[name], name


@pytest.mark.parametrize("which", ["meters", "events"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_header_only_input_is_bad_input_and_keeps_the_output(synth, tmp_path, capsys, which, fmt):
    """A header-only export (meters or events) must not replace a good analysis (exit 2)."""
    out = tmp_path / "out"
    assert analyze(synth, out) == 0
    before = digests(out)
    good = pq.read_table(synth / f"{which}.parquet")
    empty = tmp_path / f"empty-{which}.{fmt}"
    if fmt == "csv":
        empty.write_text(",".join(good.column_names) + "\n", encoding="utf-8")
    else:
        pq.write_table(good.schema.empty_table(), empty)
    inputs = {"meters": synth / "meters.parquet", "events": synth / "events.parquet"}
    inputs[which] = empty
    code = main(
        [
            "outages",
            "analyze",
            "--meters",
            str(inputs["meters"]),
            "--events",
            str(inputs["events"]),
            "--year",
            "2026",
            "--as-of",
            "2026-07-31",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert empty.name in err and "no data rows" in err
    assert digests(out) == before


def test_leftovers_of_an_interrupted_run_are_removed(synth, tmp_path):
    out = tmp_path / "out"
    dead = tmp_path / ".out.tmp-999999999-abc"  # no such process
    legacy = tmp_path / ".out.tmp-k2j3h4"  # the name before the pid was recorded
    replaced = tmp_path / ".out.old-999999999"
    for folder in (dead, legacy, replaced):
        folder.mkdir()
        (folder / "meters.parquet").write_bytes(b"partial")
    import os

    running = tmp_path / f".out.tmp-{os.getppid()}-xyz"  # a live process's run is left alone
    running.mkdir()
    assert analyze(synth, out) == 0
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out."))
    assert left == [running.name]
