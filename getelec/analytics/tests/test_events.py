"""From raw events to meter interruptions: pairing, duplicates, orphans, unrestored, open."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from getelec.analytics.tests.util import day, meters_rows, outage, run_case, ts

pytestmark = pytest.mark.pure

METERS = meters_rows({"M1": ("D1", "F1"), "M2": ("D1", "F1"), "M3": ("D1", "F1")})


def meter_rows(result, meter="M1"):
    return [
        r for r in result.interruptions.to_pylist() if r["level"] == "meter" and r["id"] == meter
    ]


def test_identical_rows_collapse_and_are_counted(tmp_path):
    events = outage("M1", day(0), 30) * 2 + [("M1", ts(day(0)), "off")]
    result = run_case(tmp_path, METERS, events)
    assert len(meter_rows(result)) == 1
    assert result.quality["events"]["duplicates"] == 3  # 5 rows, 2 distinct


def test_off_followed_by_off_ends_there_and_is_unrestored(tmp_path):
    events = [
        ("M1", ts(day(0, 10)), "off"),
        ("M1", ts(day(0, 12)), "off"),
        ("M1", ts(day(0, 13)), "on"),
    ]
    rows = meter_rows(run_case(tmp_path, METERS, events))
    assert [(r["minutes"], r["unrestored"]) for r in rows] == [(120, True), (60, False)]


def test_off_followed_by_off_after_the_cap_is_capped(tmp_path):
    events = [
        ("M1", ts(day(0, 10)), "off"),
        ("M1", ts(day(1, 16)), "off"),
        ("M1", ts(day(1, 17)), "on"),
    ]
    rows = meter_rows(run_case(tmp_path, METERS, events))
    assert rows[0]["minutes"] == 24 * 60 and rows[0]["unrestored"]


def test_last_off_within_the_cap_is_open_and_counts_frequency_only(tmp_path):
    as_of = dt.date(2026, 3, 1)
    events = [("M1", ts(dt.datetime(2026, 3, 1, 20)), "off")]
    result = run_case(tmp_path, METERS, events, as_of=as_of)
    (r,) = meter_rows(result)
    assert r["open"] and r["end"] is None and r["minutes"] is None and r["counted"]
    assert result.quality["interruptions"]["meter"]["open"] == 1


def test_last_off_beyond_the_cap_is_unrestored_for_the_cap(tmp_path):
    events = [("M1", ts(dt.datetime(2026, 2, 27, 20)), "off")]
    result = run_case(tmp_path, METERS, events, as_of=dt.date(2026, 3, 1))
    (r,) = meter_rows(result)
    assert r["unrestored"] and not r["open"] and r["minutes"] == 24 * 60
    assert result.quality["unrestored"] == 1


def test_an_on_without_off_is_an_orphan(tmp_path):
    events = [("M1", ts(day(0)), "on"), *outage("M1", day(1), 30), ("M1", ts(day(2)), "on")]
    result = run_case(tmp_path, METERS, events)
    assert len(meter_rows(result)) == 1
    assert result.quality["events"]["orphans"] == 2


def test_events_of_unknown_meters_are_counted_not_used(tmp_path):
    events = outage("X9", day(0), 30) + outage("M1", day(0), 30)
    result = run_case(tmp_path, METERS, events)
    assert result.quality["events"]["unknown_meter_rows"] == 2
    assert result.quality["events"]["unknown_meters"] == 1
    assert set(result.meters.column("meter_id").to_pylist()) == {"M1"}


def test_row_order_does_not_matter(tmp_path):
    events = outage("M1", day(0), 30) + outage("M1", day(3), 10) + outage("M2", day(0), 7)
    first = run_case(tmp_path, METERS, events)
    random.Random(3).shuffle(events)
    second = run_case(tmp_path, METERS, events)
    assert first.interruptions.equals(second.interruptions)
    assert first.meters.equals(second.meters)


def test_events_after_the_as_of_moment_are_ignored_and_reported(tmp_path):
    events = outage("M1", day(0), 30) + outage("M1", day(40), 30)
    result = run_case(tmp_path, METERS, events, as_of=day(10).date())
    assert len(meter_rows(result)) == 1
    assert result.quality["events"]["after_as_of"] == 2


def test_an_outage_across_the_new_year_pairs_but_does_not_count(tmp_path):
    events = [
        ("M1", ts(dt.datetime(2025, 12, 31, 23, 50)), "off"),
        ("M1", ts(dt.datetime(2026, 1, 1, 0, 30)), "on"),
    ]
    result = run_case(tmp_path, METERS, events)
    assert result.quality["events"]["orphans"] == 0
    assert meter_rows(result) == []


def test_few_value_lookup_matches_index_in():
    import pyarrow as pa
    import pyarrow.compute as pc

    from getelec.analytics.inputs import _lookup_few

    ids = pa.array([f"M{i:03d}" for i in range(200)])
    values = pa.chunked_array([["M005", "X1", "M199", "M005"], ["M000", "M100"]])
    expected = pc.index_in(values, value_set=ids).to_pylist()
    assert _lookup_few(values, ids).to_pylist() == expected == [5, None, 199, 5, 0, 100]


def _events_parquet(path, ids, times, kinds, id_type=None):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "meter_id": pa.array(ids, id_type),
            "ts": pa.array(times, pa.timestamp("ms")),
            "kind": pa.array(kinds, pa.string()),
        }
    )
    pq.write_table(table, path)
    return path


def _registry(tmp_path):
    from getelec.analytics.inputs import load_meters
    from getelec.analytics.tests.util import write_csv

    rows = meters_rows({"10": ("D1", "F1"), "11": ("D1", "F1"), "12": ("D2", "F1")})
    return load_meters(
        write_csv(
            tmp_path / "m.csv", ("meter_id", "district_id", "feeder_id", "region", "area"), rows
        )
    )


@pytest.mark.parametrize("id_type", [None, "int64"])
def test_parquet_events_read_inside_duckdb_equal_the_arrow_reader(tmp_path, id_type):
    """The DuckDB fast path (Parquet, plain layout) gives the rows and counts the Arrow reader
    gives: keys, truncated seconds, kinds, duplicates kept, unknown meters counted."""
    import duckdb
    import pyarrow as pa

    from getelec.analytics.inputs import events_into_duckdb, load_events

    registry = _registry(tmp_path)
    t0 = dt.datetime(2026, 3, 1, 8, 0, 0, 900000)  # sub-second: both truncate to 08:00:00
    ids: list[int | str] = [10, 11, 11, 99, 12, 10, 98, 99]
    times = [t0 + dt.timedelta(minutes=i) for i in range(len(ids))]
    times[2] = times[1]  # an exact duplicate row
    kinds = ["off", "off", "off", "on", "on", "on", "off", "off"]
    if id_type is None:
        ids = [str(i) for i in ids]
    path = _events_parquet(tmp_path / "e.parquet", ids, times, kinds, id_type and pa.int64())
    con = duckdb.connect()
    fast = events_into_duckdb(con, path, registry)
    slow = load_events(path, registry)
    assert fast is not None
    assert (
        (fast.rows, fast.unknown_meter_rows, fast.unknown_meters, fast.unknown_ids)
        == (
            slow.rows,
            slow.unknown_meter_rows,
            slow.unknown_meters,
            slow.unknown_ids,
        )
        == (8, 3, 2, ["98", "99"])
    )
    got = sorted(con.execute("SELECT mkey, dkey, fkey, ts, k FROM ev_in").fetchall())
    want = sorted(tuple(r.values()) for r in slow.table.to_pylist())
    assert got == want and len(got) == 5


@pytest.mark.parametrize(
    ("ids", "kinds", "null_ts", "row", "column"),
    [
        (["10", "11", "12"], ["off", "of", "on"], False, 2, "kind"),
        (["10", "", "12"], ["off", "off", "on"], False, 2, "meter_id"),
        (["10", "11", "12"], ["off", "off", "on"], True, 3, "ts"),
    ],
)
def test_bad_parquet_events_are_named_by_row_and_column(tmp_path, ids, kinds, null_ts, row, column):
    """A Parquet file with a bad row leaves the fast path; the Arrow reader names it."""
    import duckdb

    from getelec.analytics.inputs import InputError, events_into_duckdb, load_events

    registry = _registry(tmp_path)
    times: list[dt.datetime | None] = [dt.datetime(2026, 3, 1, 8, m) for m in range(3)]
    if null_ts:
        times[2] = None
    path = _events_parquet(tmp_path / "bad.parquet", ids, times, kinds)
    con = duckdb.connect()
    assert events_into_duckdb(con, path, registry) is None
    assert con.execute(
        "SELECT COUNT(*) FROM duckdb_tables() WHERE table_name LIKE 'ev_%'"
    ).fetchone() == (0,)
    with pytest.raises(InputError) as err:
        load_events(path, registry)
    assert (err.value.row, err.value.column) == (row, column)


def _at(hh_mm: str, day_n: int = 0) -> str:
    """A time of day `n` after T0 (2026-03-01), to the second."""
    hh, mm = map(int, hh_mm.split(":"))
    return ts(day(day_n, 0) + dt.timedelta(hours=hh, minutes=mm))


def _events(meter: str, *spec: str) -> list[tuple[str, str, str]]:
    """ "off 10:00", "on 10:20", ... -> event rows."""
    return [(meter, _at(s.split()[1]), s.split()[0]) for s in spec]


def _boundary(hh_mm: str) -> tuple[str, str]:
    """A restore and a new outage in the same second."""
    return f"on {hh_mm}", f"off {hh_mm}"


# Events of one meter in the same second are taken in the order the meter's state just before
# calls for: an `on` first when it was off (a restore, then a new outage), the `off` first
# when it was on (a zero-length interruption). A second holding both kinds leaves the state as
# it was. (meter rows: start HH:MM, minutes, unrestored; orphans; duplicates)
SAME_SECOND = [
    (
        "restore and new outage in one second: two interruptions of 20 minutes (issue 10)",
        ["off 10:00", "on 10:20", "off 10:20", "on 10:40"],
        [("10:00", 20, False), ("10:20", 20, False)],
        0,
        0,
    ),
    (
        "the same, the rows of the second listed the other way round",
        ["off 10:00", "off 10:20", "on 10:20", "on 10:40"],
        [("10:00", 20, False), ("10:20", 20, False)],
        0,
        0,
    ),
    (
        "three same-second boundaries in a row: four interruptions of 20 minutes",
        ["off 10:00", *_boundary("10:20"), *_boundary("10:40"), *_boundary("11:00"), "on 11:20"],
        [("10:00", 20, False), ("10:20", 20, False), ("10:40", 20, False), ("11:00", 20, False)],
        0,
        0,
    ),
    (
        "copies at a same-second boundary collapse",
        ["off 10:00", "on 10:20", "on 10:20", "off 10:20", "off 10:20", "on 10:40"],
        [("10:00", 20, False), ("10:20", 20, False)],
        0,
        2,
    ),
    (
        "an off after an unrestored off: the meter is off, the on comes first",
        ["off 09:00", "off 10:00", "on 10:20", "off 10:20", "on 10:40"],
        [("09:00", 60, True), ("10:00", 20, False), ("10:20", 20, False)],
        0,
        0,
    ),
    (
        "meter on before: an off and an on in one second are a zero-length interruption",
        ["off 08:00", "on 08:30", "off 10:00", "on 10:00", "off 10:20", "on 10:20"],
        [("08:00", 30, False), ("10:00", 0, False), ("10:20", 0, False)],
        0,
        0,
    ),
    (
        "no event before: the off first, as when the meter was on",
        ["on 10:00", "off 10:00", "on 10:30"],
        [("10:00", 0, False)],
        1,
        0,
    ),
]


@pytest.mark.parametrize(
    ("name", "spec", "expected", "orphans", "duplicates"),
    SAME_SECOND,
    ids=[c[0] for c in SAME_SECOND],
)
def test_events_in_the_same_second_follow_the_meter_state(
    tmp_path, name, spec, expected, orphans, duplicates
):
    result = run_case(tmp_path, METERS, _events("M1", *spec))
    got = [
        (r["start"].strftime("%H:%M"), round(r["minutes"]), r["unrestored"])
        for r in meter_rows(result)
    ]
    assert got == expected
    assert result.quality["events"]["orphans"] == orphans
    assert result.quality["events"]["duplicates"] == duplicates
    assert result.quality["unrestored"] == sum(u for _, _, u in expected)


def test_a_restore_and_an_outage_in_one_second_count_twice_in_the_indices(tmp_path):
    """Issue 10's example: two sustained interruptions of 20 minutes, no quality flags;
    SAIFI counts both (3 registered meters)."""
    events = _events("M1", "off 10:00", "on 10:20", "off 10:20", "on 10:40")
    events += outage("M2", day(5), 30)  # another meter, paired in the plain order
    result = run_case(tmp_path, METERS, events)
    rows = meter_rows(result)
    assert [(r["minutes"], r["momentary"], r["unrestored"], r["open"]) for r in rows] == [
        (20, False, False, False),
        (20, False, False, False),
    ]
    assert [r["minutes"] for r in meter_rows(result, "M2")] == [30]
    assert result.quality["events"] == {
        "duplicates": 0,
        "orphans": 0,
        "unknown_meter_rows": 0,
        "unknown_meters": 0,
        "after_as_of": 0,
    }
    assert result.quality["unrestored"] == 0
    lv = result.indices["lv"]["overall"]
    assert lv["SAIFI"] == pytest.approx(3 / 3, abs=1e-6)
    assert lv["SAIDI"] == pytest.approx(70 / 3, abs=1e-6)
    assert lv["MAIFI"] == 0
