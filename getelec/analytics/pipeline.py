"""The analysis as a sequence of SQL statements, run by either engine.

Stages (table names in brackets):
  1. events → meter interruptions [ev, evw, mint]: pair each `off` with the next event (in
     one second: in the order the meter's state before calls for, `state_order_sql`).
  2. causes → meter interruptions [mi, mcause, mic]: overlap join, narrowest scope wins.
  3. sweep → district episodes [dep], then feeder episodes [fep] from district episodes.
  4. counting [ints, cls, cand, ..., cnt]: momentary, excluded, sequential 6-hour merge.
  5. point statistics, frequent/warning rules, feeders [pstat, prule].
  6. reliability indices [idx].

All times are int64 seconds of naive local time; days are `floor(seconds / 86400)`.
Every number comes from `OutageParams` (see `constants`), never from a literal.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from getelec.analytics import counting_sql, index_sql
from getelec.analytics.codes import (
    CAUSE_NAMES,
    CAUSE_SLOTS,
    DAY,
    LEVELS,
    ST_CAPPED,
    ST_NEXT_OFF,
    ST_OPEN,
    ST_RESTORED,
    UNKNOWN_CODE,
    code_list,
    day_of,
)
from getelec.analytics.engines import Engine
from getelec.analytics.inputs import epoch_seconds
from getelec.analytics.params import OutageParams

__all__ = [
    "CAUSE_NAMES",
    "CAUSE_SLOTS",
    "DAY",
    "LEVELS",
    "ST_CAPPED",
    "ST_NEXT_OFF",
    "ST_OPEN",
    "ST_RESTORED",
    "UNKNOWN_CODE",
    "Pipeline",
    "Progress",
    "Window",
    "code_list",
    "day_of",
]


@dataclass(frozen=True)
class Window:
    """The analysis period and the constants the SQL needs."""

    year: int
    as_of: dt.date
    params: OutageParams

    @property
    def p0(self) -> int:  # period start (1 January, 00:00)
        return epoch_seconds(self.params.period_start(self.year))

    @property
    def ae(self) -> int:  # the as-of moment: end of the as-of date
        return epoch_seconds(self.as_of + dt.timedelta(days=1))

    @property
    def h0(self) -> int:  # earliest interruption start needed (major-event-day history)
        if not self.params.outage_major_event_day_exclusion:
            return self.p0
        return epoch_seconds(
            dt.date(self.year - self.params.outage_major_event_day_history_years, 1, 1)
        )

    @property
    def d0(self) -> int:
        return self.p0 // DAY

    @property
    def da(self) -> int:  # the as-of day number
        return (self.ae // DAY) - 1

    def period_hours(self) -> float:
        return (self.ae - self.p0) / 3600


Progress = Callable[[str], None]


class Pipeline:
    """Runs the stages on an engine that already holds the normalised inputs:
    meters(mkey, dkey, fkey, region, area), districts(dkey, fkey, region, area),
    ev_in(mkey, ts, k), causes(crid, scope_rank, skey, s, e, cause)."""

    def __init__(
        self,
        engine: Engine,
        window: Window,
        progress: Progress | None = None,
        meters: int = 1,
    ):
        self.e = engine
        self.key_mult = 1 << max(1, meters.bit_length())  # > every meter key
        self.w = window
        self.p = window.params
        self.progress = progress or (lambda _step: None)
        self.max_day = window.da + 1
        self.month_labels: list[str] = []  # set by load_months

    # -- helpers ---------------------------------------------------------------------------
    def scalar(self, sql: str) -> object:
        table = self.e.arrow(sql)
        return table.column(0)[0].as_py() if table.num_rows else None

    def load_days(self, first_day: int) -> None:
        """A small table of day numbers, used to expand the rare multi-day rows."""
        first = min(first_day, self.w.d0)
        days = pa.table({"dy": pa.array(range(first, self.max_day + 2), pa.int64())})
        self.e.load("days", days)

    def expand_days(self, name: str, source: str, extra_only: bool) -> None:
        """`source` rows (with sd, ed day columns) once per day they touch, as column dy;
        with `extra_only`, only the days after the first (multi-day rows are rare)."""
        extra = (
            f"SELECT t.*, d.dy AS dy FROM {source} t JOIN days d "
            f"ON d.dy > t.sd AND d.dy <= t.ed WHERE t.ed > t.sd"
        )
        if extra_only:
            self.e.view(name, extra)
        else:
            self.e.view(name, f"SELECT t.*, t.sd AS dy FROM {source} t UNION ALL {extra}")

    @staticmethod
    def overlap_pairs(
        a: str, a_days: str, b: str, b_days: str, on: str, select: str, cond: str
    ) -> str:
        """Each overlapping (a, b) pair exactly once, joined through the day both first touch:
        pairs where b starts on or before a's first day meet on a's first day (b_days: every
        day of b); the others meet on b's first day (a_days: a's days after its first).
        `on` compares keys of aliases a and b."""
        return (
            f"SELECT {select} FROM {a} a JOIN {b_days} b ON {on} AND b.dy = a.sd WHERE {cond} "
            f"UNION ALL SELECT {select} FROM {a_days} a JOIN {b} b ON {on} AND a.dy = b.sd "
            f"WHERE a.sd < b.sd AND {cond}"
        )

    # -- 1. meter interruptions --------------------------------------------------------------
    def districts(self) -> None:
        """districts(dkey, fkey, region, area): region/area of most of the district's meters."""
        self.e.run(
            "districts",
            """SELECT dkey, fkey, region, area FROM (SELECT dkey, fkey, region, area,
              ROW_NUMBER() OVER (PARTITION BY dkey ORDER BY n DESC, region, area) AS rn
              FROM (SELECT dkey, fkey, region, area, COUNT(*) AS n FROM meters
                GROUP BY dkey, fkey, region, area) x) y WHERE rn = 1""",
        )

    def pair_sql(self, events: str, order: str = "ts * 2 + k") -> str:
        """One window pass pairs events and drops duplicates: an `off` keeps its last copy (its
        LEAD is the next different event), an `on` its first copy (its LAG is the previous
        different event). Rows: every distinct `off` as an interruption (k = 0) with its status
        st, plus orphan `on` rows (k = 1) for the quality report.

        `order`: one sort key, time first; by default an `off` before an `on` of the same
        second (`state_order_sql` gives the key for meters where that is wrong)."""
        w, p = self.w, self.p
        cap = p.unrestored_cap_s
        over = f"PARTITION BY mkey ORDER BY {order}"
        closed = f"({w.ae} - ts > {cap})"
        return f"""SELECT mkey, dkey, fkey, k, ts AS s,
              CASE WHEN nk = 1 THEN nts WHEN nk = 0 THEN LEAST(nts, ts + {cap})
                   WHEN {closed} THEN ts + {cap} ELSE {w.ae} END AS ee,
              CASE WHEN nk = 1 THEN {ST_RESTORED} WHEN nk = 0 THEN {ST_NEXT_OFF}
                   WHEN {closed} THEN {ST_CAPPED} ELSE {ST_OPEN} END AS st
            FROM (SELECT mkey, dkey, fkey, ts, k,
                LAG(k) OVER ({over}) AS pk, LAG(ts) OVER ({over}) AS pts,
                LEAD(k) OVER ({over}) AS nk, LEAD(ts) OVER ({over}) AS nts
              FROM {events} WHERE ts < {w.ae}) x
            WHERE (k = 0 AND NOT COALESCE(nk = 0 AND nts = ts, FALSE))
              OR (k = 1 AND NOT COALESCE(pk = 1 AND pts = ts, FALSE)
                AND (pk IS NULL OR pk = 1))"""

    @staticmethod
    def state_order_sql(events: str) -> str:
        """`events` with `o`, the pairing's sort key when the same second holds an `off` and an
        `on` of one meter: they are taken in the order the meter's state just before calls for,
        the `on` first when it was off (a restore, then a new outage: off 10:00, on and off
        10:20, on 10:40 are two interruptions of 20 minutes), else the `off` first (a
        zero-length interruption). That state is the kind of the last earlier second holding
        one kind only (a second holding both leaves the state as it was); none: on."""
        return f"""SELECT mkey, dkey, fkey, ts, k,
              ts * 2 + CASE WHEN mixed = 1 AND prev % 2 = 0 THEN 1 - k ELSE k END AS o
            FROM (SELECT mkey, dkey, fkey, ts, k, mixed,
                MAX(CASE WHEN mixed = 0 THEN ts * 2 + k END) OVER (PARTITION BY mkey
                  ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
              FROM (SELECT mkey, dkey, fkey, ts, k,
                  CASE WHEN MIN(k) OVER (PARTITION BY mkey, ts)
                    < MAX(k) OVER (PARTITION BY mkey, ts) THEN 1 ELSE 0 END AS mixed
                FROM {events}) x) y"""

    def pair_events(self, events: str) -> None:
        """mint from `events`. One pass with the plain sort key (`pair_sql`) is right unless a
        meter has an `off` and an `on` in the same second; each such second shows as a
        zero-length restored interruption, and only the meters with one are paired again in
        `state_order_sql`'s order (rare: the common case costs one scan of mint)."""
        self.e.run("mint", self.pair_sql(events))
        tie = f"k = 0 AND st = {ST_RESTORED} AND ee = s"
        if not self.scalar(f"SELECT COUNT(*) FROM mint WHERE {tie}"):
            return
        self.e.run("mint_tie", f"SELECT DISTINCT mkey FROM mint WHERE {tie}")
        tied = (
            f"(SELECT e.mkey, e.dkey, e.fkey, e.ts, e.k FROM {events} e "
            f"JOIN mint_tie t ON t.mkey = e.mkey)"
        )
        again = self.pair_sql(f"({self.state_order_sql(tied)}) z", order="o")
        self.e.run(
            "mint",
            "SELECT m.* FROM mint m LEFT JOIN mint_tie t ON t.mkey = m.mkey "
            f"WHERE t.mkey IS NULL UNION ALL {again}",
        )
        self.e.drop("mint_tie")

    def meter_interruptions(self, events: str = "ev_in") -> None:
        self.progress("pairing")
        self.pair_events(events)
        self.mi_view("mint")

    def mi_view(self, source: str) -> None:
        """mi: the interruptions the period can see (the MED history reads mint directly)."""
        self.e.view(
            "mi",
            f"""SELECT mkey, dkey, fkey, s, ee, st, {day_of("s")} AS sd, {day_of("ee")} AS ed
            FROM {source} WHERE k = 0 AND ee >= {self.w.p0}""",
        )

    def keep_for_state(self) -> None:
        """The small tables a later incremental run needs from mint and mic, so that those
        can be dropped early: the tails (the last `off` of a meter, capped or open), and the
        interruptions that start before the period (mic_pre)."""
        self.e.run(
            "tails",
            f"SELECT mkey, dkey, fkey, s FROM mint WHERE k = 0 AND st IN ({ST_CAPPED}, {ST_OPEN})",
        )
        self.e.run(
            "mic_pre",
            f"SELECT mkey, dkey, fkey, s, ee, st, cause FROM mic WHERE s < {self.w.p0}",
        )

    def event_quality(self, events: str = "ev_in") -> dict[str, int]:
        w = self.w
        t = self.e.arrow(
            f"""SELECT
              (SELECT COUNT(*) FROM {events} WHERE ts < {w.ae}) AS used,
              (SELECT COUNT(*) FROM {events} WHERE ts >= {w.ae}) AS after,
              (SELECT COUNT(*) FROM mint WHERE k = 0) AS offs,
              (SELECT COUNT(*) FROM mint WHERE k = 0 AND st = {ST_RESTORED}) AS restored,
              (SELECT COUNT(*) FROM mint WHERE k = 1) AS orphans"""
        ).to_pylist()[0]
        distinct = t["offs"] + t["restored"] + t["orphans"]
        return {
            "used": int(t["used"]),
            "duplicates": int(t["used"] - distinct),
            "orphans": int(t["orphans"]),
            "after_as_of": int(t["after"]),
        }

    # -- 2. causes ---------------------------------------------------------------------------
    def prepare_causes(self, first_day: int) -> None:
        """cz: usable cause records with day span and rank of (start, file order)."""
        w = self.w
        self.load_days(first_day)
        self.e.run(
            "cz",
            f"""SELECT crid, scope_rank, skey, fkey, s, e, cause, {day_of("s")} AS sd,
              LEAST({day_of("e")}, {self.max_day}) AS ed,
              ROW_NUMBER() OVER (ORDER BY s, crid) AS crank
            FROM causes WHERE skey IS NOT NULL AND e >= {first_day * DAY} AND s <= {w.ae}""",
        )

    def cause_sql(self, intervals: str, records: str = "cz", keyed: bool = False) -> str:
        """(s, mkey, iid, cause) for the intervals overlapping a record of their meter, district
        or feeder (touching counts): narrowest scope, then largest overlap, then earliest
        start, then file order; with `keyed`, only (iid, cause). iid = s * key_mult + mkey.
        One join on (feeder, day) finds every candidate; the order is packed into one integer
        (scope: 2 bits | 2^30 - 1 - overlap | rank: 25 bits), times 8 plus the cause code, so
        that a plain MIN picks the record and carries its cause."""
        self.expand_days(f"{intervals}_x", intervals, extra_only=True)
        self.expand_days(f"{records}_d", records, extra_only=False)
        select = (
            "a.mkey, a.s, b.cause, b.scope_rank * 36028797018963968 "
            "+ (1073741823 - LEAST(LEAST(a.ee, b.e) - GREATEST(a.s, b.s), 1073741823)) "
            "* 33554432 + b.crank AS ckey"
        )
        cond = (
            "b.s <= a.ee AND b.e >= a.s AND (b.scope_rank = 3 "
            "OR (b.scope_rank = 2 AND b.skey = a.dkey) OR (b.scope_rank = 1 AND b.skey = a.mkey))"
        )
        pairs = self.overlap_pairs(
            intervals, f"{intervals}_x", records, f"{records}_d", "b.fkey = a.fkey", select, cond
        )
        m = self.key_mult  # one integer key per interval: start * m + meter
        best = f"""SELECT s * {m} + mkey AS iid, MIN(ckey * {CAUSE_SLOTS} + cause) % {CAUSE_SLOTS}
            AS cause FROM ({pairs}) x GROUP BY s * {m} + mkey"""
        if keyed:
            return best
        return f"SELECT iid // {m} AS s, iid % {m} AS mkey, iid, cause FROM ({best}) y"

    def assign_causes(self) -> None:
        self.progress("causes")
        first = self.scalar("SELECT MIN(sd) FROM mi")
        self.prepare_causes(int(first) if first is not None else self.w.d0)  # type: ignore[call-overload]
        self.e.run(
            "mic",
            f"""SELECT i.mkey, i.dkey, i.fkey, i.s, i.ee, i.st,
              COALESCE(c.cause, {UNKNOWN_CODE}) AS cause
            FROM mi i LEFT JOIN ({self.cause_sql("mi", keyed=True)}) c
              ON c.iid = i.s * {self.key_mult} + i.mkey""",
        )

    # -- 3. episodes -------------------------------------------------------------------------
    def episodes(self, out: str, child: str, sizes: str) -> None:
        """Maximal runs during which at least k children of a parent are off at once, from the
        moment the share is reached to the moment it is lost. A sweep: +1 at each child start,
        -1 at each end, summed per instant, running total per parent.

        child(pkey, ckey, s, ee, st, cause); sizes(pkey, k). Output `out`(pkey, s, ee, st,
        cause, members). An episode is open (st 3) when it ends at the as-of moment because an
        open child does, unrestored (st 1) when an imputed end ends it. Its cause is the one
        most members carry; a tie goes to the cause of the member that went off first."""
        # one window over the endpoints; at equal times starts come first, so the count never
        # dips below its value before and after the instant (a transient rise gives a
        # zero-length run, dropped below); among simultaneous ends, restored ones first
        # packed order o: t * 4 + (0 start, 1 restored end, 2 imputed end, 3 open end). Rows
        # that tie on o are alike (same time, kind and flags), and the count is monotonic
        # among them: at most one of them crosses the share, and which one does not matter
        unrestored = f"CASE WHEN st IN ({ST_NEXT_OFF}, {ST_CAPPED}) THEN 1 ELSE 0 END"
        is_open = f"CASE WHEN st = {ST_OPEN} THEN 1 ELSE 0 END"
        self.e.run(
            f"{out}_sw",
            f"""SELECT pkey, t, du, dop, CASE WHEN cnt >= k THEN 1 ELSE 0 END AS up FROM (
              SELECT x.pkey, x.t, x.d, x.du, x.dop, z.k, SUM(x.d) OVER (PARTITION BY x.pkey
                ORDER BY x.o ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cnt
              FROM (SELECT pkey, s AS t, s * 4 AS o, 1 AS d, 0 AS du, 0 AS dop FROM {child}
                UNION ALL SELECT pkey, ee AS t, ee * 4 + 1 + {unrestored} + 2 * {is_open} AS o,
                  -1 AS d, {unrestored} AS du, {is_open} AS dop
                FROM {child}) x JOIN {sizes} z ON z.pkey = x.pkey) y
            WHERE (cnt >= k) <> (cnt - d >= k)""",
        )
        over = "PARTITION BY pkey ORDER BY t, up DESC"
        self.e.run(
            f"{out}_ep",
            f"""SELECT pkey, s, ee, CASE WHEN dop = 1 THEN {ST_OPEN} WHEN du = 1 THEN
              {ST_NEXT_OFF} ELSE {ST_RESTORED} END AS st, {day_of("s")} AS sd,
              {day_of("ee")} AS ed
            FROM (SELECT pkey, t AS s, up, LEAD(t) OVER ({over}) AS ee,
              LEAD(du) OVER ({over}) AS du, LEAD(dop) OVER ({over}) AS dop
              FROM {out}_sw) x WHERE up = 1 AND ee > s""",
        )
        self.e.view(
            f"{out}_ch",
            f"SELECT c.*, {day_of('c.s')} AS sd, {day_of('c.ee')} AS ed FROM {child} c",
        )
        self.expand_days(f"{out}_epd", f"{out}_ep", extra_only=True)
        self.expand_days(f"{out}_chd", f"{out}_ch", extra_only=False)
        pairs = self.overlap_pairs(
            f"{out}_ep",
            f"{out}_epd",
            f"{out}_ch",
            f"{out}_chd",
            "b.pkey = a.pkey",
            "a.pkey, a.s, b.s AS cs, b.ckey, b.cause",
            "b.s < a.ee AND b.ee > a.s",
        )
        self.e.run(
            f"{out}_cause",
            f"""SELECT pkey, s, cause, members FROM (
              SELECT pkey, s, cause, SUM(n) OVER (PARTITION BY pkey, s) AS members,
                ROW_NUMBER() OVER (PARTITION BY pkey, s ORDER BY n DESC, first_s, first_c, cause)
                  AS rn
              FROM (SELECT pkey, s, cause, COUNT(*) AS n, MIN(cs) AS first_s, MIN(ckey) AS first_c
                FROM ({pairs}) m GROUP BY pkey, s, cause) y) x WHERE rn = 1""",
        )
        self.e.run(
            out,
            f"""SELECT ep.pkey, ep.s, ep.ee, ep.st, COALESCE(c.cause, {UNKNOWN_CODE}) AS cause,
              COALESCE(c.members, 0) AS members
            FROM {out}_ep ep LEFT JOIN {out}_cause c ON c.pkey = ep.pkey AND c.s = ep.s""",
        )
        self.e.drop(f"{out}_epd", f"{out}_chd", f"{out}_ch")
        self.e.drop(f"{out}_sw", f"{out}_ep", f"{out}_cause")

    def district_sizes(self) -> None:
        p = self.p
        self.e.run(
            "dsize",
            f"SELECT dkey AS pkey, "
            f"CAST(CEIL(ROUND({p.outage_district_share} * COUNT(*), 9)) AS BIGINT) "
            "AS k FROM meters GROUP BY dkey",
        )
        self.e.run(
            "fsize",
            f"SELECT fkey AS pkey, "
            f"CAST(CEIL(ROUND({p.outage_feeder_share} * COUNT(*), 9)) AS BIGINT) "
            "AS k FROM districts GROUP BY fkey",
        )

    def district_and_feeder_episodes(self, meters_src: str = "mic", only: str = "") -> None:
        """dep/fep from meter intervals; `only` restricts to a set of districts (incremental)."""
        self.progress("districts")
        self.district_sizes()
        where = f"WHERE dkey IN (SELECT dkey FROM {only})" if only else ""
        self.e.view(
            "dchild",
            f"SELECT dkey AS pkey, mkey AS ckey, s, ee, st, cause FROM {meters_src} {where}",
        )
        self.episodes("dep", "dchild", "dsize")
        self.progress("feeders")
        self.e.view(
            "fchild",
            "SELECT d.fkey AS pkey, e.pkey AS ckey, e.s, e.ee, e.st, e.cause "
            "FROM dep e JOIN districts d ON d.dkey = e.pkey",
        )
        self.episodes("fep", "fchild", "fsize")

    # -- 4. counting -------------------------------------------------------------------------
    def major_event_days(self) -> dict[str, object]:
        """IEEE 1366 2.5β: days whose LV SAIDI exceeds exp(α + kβ), α/β of ln(daily SAIDI)."""
        w, p = self.w, self.p
        if not p.outage_major_event_day_exclusion:
            self.e.run("med", "SELECT CAST(NULL AS BIGINT) AS dy FROM days WHERE 1 = 0")
            return {"enabled": False}
        self.e.run(
            "dsaidi",
            f"""SELECT {day_of("s")} AS dy, SUM(ee - s) / 60.0 / (SELECT COUNT(*) FROM meters)
              AS saidi FROM mint WHERE k = 0 AND st <> {ST_OPEN}
              AND ee - s > {p.momentary_max_s} AND s >= {w.h0} AND s < {w.ae}
              GROUP BY {day_of("s")}""",
        )
        self.e.run(
            "medt",
            f"""SELECT EXP(AVG(LN(saidi))
                + {p.outage_major_event_day_beta} * STDDEV_SAMP(LN(saidi))) AS t_med,
              COUNT(*) AS days FROM dsaidi WHERE saidi > 0""",
        )
        self.e.run(
            "med",
            f"SELECT d.dy FROM dsaidi d JOIN medt t ON d.saidi > t.t_med WHERE d.dy >= {w.d0}",
        )
        info = self.e.arrow("SELECT t_med, days FROM medt").to_pylist()[0]
        return {"enabled": True, "threshold_minutes": info["t_med"], "history_days": info["days"]}

    def count_level(self, lv: str, source: str) -> None:
        """Counting rules for one level. source(pkey, s, ee, st, cause) → {lv}_fx (flags of the
        interruptions that start in the period) and {lv}_stat0 (one row per point).

        cls: 0 candidate, 1 momentary (at most the cut-off, whatever the cause), 2 excluded
        cause, 3 major event day. Sequential merge among candidates: one starting less than W
        after the start of the point's last counted one is merged. Clusters split where the
        gap to the previous candidate is ≥ W; the first of each cluster is counted (newc).
        Inside a cluster spanning ≥ W the counted chain follows next(i) = first candidate
        ≥ start(i) + W, found by pointer doubling (`chain_long_clusters`)."""
        win = self.p.merge_window_s
        self.e.run(f"{lv}_c", counting_sql.classify_sql(source, self.p, self.w.p0))
        # long clusters: only points with a merged candidate can have one
        self.e.run(f"{lv}_sub", counting_sql.cluster_members_sql(lv, win))
        self.e.run(f"{lv}_clus", counting_sql.long_clusters_sql(lv, win))
        self.chain_long_clusters(lv)
        self.e.run(f"{lv}_fx", counting_sql.flags_sql(lv))
        self.e.drop(f"{lv}_c", f"{lv}_chained")
        self.point_stats(lv, f"{lv}_fx")

    def chain_long_clusters(self, lv: str) -> None:
        """{lv}_chained: the counted members of the long clusters but their first, by pointer
        doubling: ⌈log2(longest cluster)⌉ rounds of joins, each over the rows of such clusters
        only. Drops {lv}_sub and {lv}_clus."""
        longest = int(self.scalar(f"SELECT MAX(r1 - r0 + 1) FROM {lv}_clus") or 0)  # type: ignore[call-overload]
        rounds = math.ceil(math.log2(longest)) if longest > 1 else 0
        self.e.run("jmp0", counting_sql.first_jump_sql(lv))
        self.e.run("chain0", f"SELECT pkey, r0 AS rn FROM {lv}_clus")
        for m in range(rounds):
            self.e.run(f"chain{m + 1}", counting_sql.chain_step_sql(m))
            if m + 1 < rounds:
                self.e.run(f"jmp{m + 1}", counting_sql.double_jump_sql(m))
            self.e.drop(f"chain{m}", f"jmp{m}")
        self.e.run(f"{lv}_chained", counting_sql.chained_sql(lv, rounds))
        self.e.drop(f"chain{rounds}", f"jmp{rounds}", f"{lv}_sub", f"{lv}_clus")

    # -- 5. points ---------------------------------------------------------------------------
    def point_stats(self, lv: str, flags: str) -> None:
        """{lv}_stat0 from the flags (`counting_sql.point_stats_sql`)."""
        self.e.run(f"{lv}_stat0", counting_sql.point_stats_sql(flags, self.p.outage_window_days))

    def window_first_days(self) -> tuple[int, int]:
        """First days of the long and the short as-of warning windows."""
        da = self.w.da
        return da - self.p.outage_warning_long_days + 1, da - self.p.outage_warning_short_days + 1

    def point_rules(self, lv: str, recent: str = "") -> None:
        """{lv}_rule from {lv}_stat0 and the as-of windows over {lv}_f (or `recent`, holding at
        least its rows from the first day of the long window on): frequent, rule, warning.
        Rule codes: year_limit, window_limit; warning codes: warn_year, warn_long, warn_short."""
        long0, short0 = self.window_first_days()
        self.e.run(
            f"{lv}_rule",
            counting_sql.point_rules_sql(lv, self.p, long0, short0, recent or f"{lv}_f"),
        )

    def counting(self, drop_mic: bool = False) -> None:
        """Counting rules for meters, districts and feeders; `drop_mic`: free the meter
        interruptions once the meter level is counted (the full run needs them no more)."""
        self.progress("counting")
        self.e.view("mic_src", "SELECT mkey AS pkey, s, ee, st, cause FROM mic")
        self.e.view("dep_src", "SELECT pkey, s, ee, st, cause FROM dep")
        self.e.view("fep_src", "SELECT pkey, s, ee, st, cause FROM fep")
        for lv, source in (("m", "mic_src"), ("d", "dep_src"), ("f", "fep_src")):
            self.count_level(lv, source)
            if lv == "m" and drop_mic:
                self.e.drop("mic_src", "mic")
            self.e.view(f"{lv}_f", f"SELECT * FROM {lv}_fx")
            self.point_rules(lv)

    # -- 6. indices --------------------------------------------------------------------------
    def index_sums(self, m_flags: str, d_flags: str, sign: int = 1, meters: str = "meters") -> str:
        """Integer sums per (lv, region, area, month) of interruption flags; `sign` -1 gives
        the sums to subtract (the incremental run replaces the rows of the points it redid).

        LV users are registered meters, MV users registered districts; each interruption of a
        user counts once (a user's interruptions never overlap). Open interruptions count
        toward frequency (n1), not duration (d*). `meters` may be any table holding the
        (mkey, region, area) of the meters in `m_flags`."""
        return index_sql.index_sums_sql(self.measures(), m_flags, d_flags, sign, meters)

    def measures(self) -> dict[str, str]:
        return index_sql.measures(self.p)

    def indices(self, sums_ready: bool = False) -> pa.Table:
        """The index table from the sums in `iagg` (computed here unless `sums_ready`)."""
        self.progress("indices")
        measures = self.measures()
        if not sums_ready:
            self.e.run("iagg", self.index_sums("m_f", "d_f"))
        self.e.run("users", index_sql.USERS_SQL)
        usr, aggs = index_sql.grouped_sql(measures)
        self.e.run("iusr", usr)
        self.e.run("isum", aggs)
        return self.e.arrow(index_sql.index_table_sql(measures, self.w.period_hours()))

    def load_months(self) -> None:
        """Calendar months of the period: label, hours inside the period, and day -> month
        (label sm, and mo: the month's position in `month_labels`)."""
        w = self.w
        labels, hours, day_numbers, day_labels, day_months = [], [], [], [], []
        month = dt.date(w.year, 1, 1)
        while epoch_seconds(month) < w.ae:
            nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
            start, end = epoch_seconds(month), min(epoch_seconds(nxt), w.ae)
            label = month.strftime("%Y-%m")
            labels.append(label)
            hours.append((end - start) / 3600)
            for d in range(start // DAY, end // DAY):
                day_numbers.append(d)
                day_labels.append(label)
                day_months.append(len(labels) - 1)
            month = nxt
        self.month_labels = labels
        self.e.load(
            "months",
            pa.table({"sm": pa.array(labels, pa.string()), "hours": pa.array(hours)}),
        )
        self.e.load(
            "dmonth",
            pa.table(
                {
                    "dy": pa.array(day_numbers, pa.int64()),
                    "sm": pa.array(day_labels),
                    "mo": pa.array(day_months, pa.int32()),
                }
            ),
        )
