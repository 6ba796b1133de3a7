"""The analysis as a sequence of SQL statements, run by either engine.

Stages (table names in brackets):
  1. events → meter interruptions [ev, evw, mint]: pair each `off` with the next event.
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

from getelec.analytics.engines import Engine
from getelec.analytics.inputs import epoch_seconds
from getelec.analytics.params import UNKNOWN_CAUSE, OutageParams

LEVELS = ("meter", "district", "feeder")  # lv code 0, 1, 2
DAY = 86400  # seconds per day: a unit, not a policy threshold


def day_of(expr: str) -> str:
    return f"CAST(FLOOR(({expr}) / 86400.0) AS BIGINT)"


def sql_list(values: tuple[str, ...] | list[str]) -> str:
    """A SQL IN-list of string literals; an empty list matches nothing."""
    if not values:
        return "(NULL)"
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


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
        if not self.params.med_exclusion:
            return self.p0
        return epoch_seconds(dt.date(self.year - self.params.med_history_years, 1, 1))

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

    def __init__(self, engine: Engine, window: Window, progress: Progress | None = None):
        self.e = engine
        self.w = window
        self.p = window.params
        self.progress = progress or (lambda _step: None)
        self.max_day = window.da + 1

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

    def meter_interruptions(self, events: str = "ev_in") -> None:
        """One window pass pairs events and drops duplicates: an `off` keeps its last copy (its
        LEAD is the next different event), an `on` its first copy (its LAG is the previous
        different event). Output mint: every distinct `off` as an interruption, plus orphan
        `on` rows (k = 1) for the quality report."""
        w, p = self.w, self.p
        cap = p.unrestored_cap_s
        self.progress("pairing")
        over = "PARTITION BY mkey ORDER BY ts, k"
        closed = f"({w.ae} - ts > {cap})"
        self.e.run(
            "mint",
            f"""SELECT mkey, dkey, fkey, k, ts AS s, nk,
              CASE WHEN nk = 1 THEN nts WHEN nk = 0 THEN LEAST(nts, ts + {cap})
                   WHEN {closed} THEN ts + {cap} END AS e,
              CASE WHEN nk = 1 THEN nts WHEN nk = 0 THEN LEAST(nts, ts + {cap})
                   WHEN {closed} THEN ts + {cap} ELSE {w.ae} END AS ee,
              CASE WHEN nk = 0 OR (nk IS NULL AND {closed}) THEN 1 ELSE 0 END AS unrestored,
              CASE WHEN nk IS NULL AND NOT {closed} THEN 1 ELSE 0 END AS is_open
            FROM (SELECT mkey, dkey, fkey, ts, k,
                LAG(k) OVER ({over}) AS pk, LAG(ts) OVER ({over}) AS pts,
                LEAD(k) OVER ({over}) AS nk, LEAD(ts) OVER ({over}) AS nts
              FROM {events} WHERE ts < {w.ae}) x
            WHERE (k = 0 AND NOT COALESCE(nk = 0 AND nts = ts, FALSE))
              OR (k = 1 AND NOT COALESCE(pk = 1 AND pts = ts, FALSE)
                AND (pk IS NULL OR pk = 1))""",
        )
        # the interruptions the period can see (MED history reads mint directly)
        self.e.view(
            "mi",
            f"""SELECT mkey, dkey, fkey, s, e, ee, unrestored, is_open, {day_of("s")} AS sd,
              {day_of("ee")} AS ed FROM mint WHERE k = 0 AND ee >= {w.p0}""",
        )

    def event_quality(self, events: str = "ev_in") -> dict[str, int]:
        w = self.w
        t = self.e.arrow(
            f"""SELECT
              (SELECT COUNT(*) FROM {events} WHERE ts < {w.ae}) AS used,
              (SELECT COUNT(*) FROM {events} WHERE ts >= {w.ae}) AS after,
              (SELECT COUNT(*) FROM mint WHERE k = 0) AS offs,
              (SELECT COUNT(*) FROM mint WHERE k = 0 AND nk = 1) AS restored,
              (SELECT COUNT(*) FROM mint WHERE k = 1) AS orphans"""
        ).to_pylist()[0]
        distinct = t["offs"] + t["restored"] + t["orphans"]
        return {
            "duplicates": int(t["used"] - distinct),
            "orphans": int(t["orphans"]),
            "after_as_of": int(t["after"]),
        }

    # -- 2. causes ---------------------------------------------------------------------------
    def assign_causes(self) -> None:
        """Each interruption takes the cause record of its meter, district or feeder that
        overlaps it (touching counts): narrowest scope, then largest overlap, then earliest
        start, then file order. One join on (feeder, day) finds every candidate; the order is
        packed into one integer so a single MIN_BY picks the winner."""
        w = self.w
        self.progress("causes")
        first = self.scalar("SELECT MIN(sd) FROM mi")
        first_day = int(first) if first is not None else w.d0  # type: ignore[call-overload]
        self.load_days(first_day)
        # rank of (start, file order); packed key: scope (2 bits) | 2^30-1-overlap | rank (25)
        self.e.run(
            "cz",
            f"""SELECT crid, scope_rank, skey, fkey, s, e, cause, {day_of("s")} AS sd,
              LEAST({day_of("e")}, {self.max_day}) AS ed,
              ROW_NUMBER() OVER (ORDER BY s, crid) AS crank
            FROM causes WHERE skey IS NOT NULL AND e >= {first_day * DAY} AND s <= {w.ae}""",
        )
        self.expand_days("czd", "cz", extra_only=False)
        self.expand_days("mix", "mi", extra_only=True)
        select = (
            "a.mkey, a.s, b.cause, b.scope_rank * 36028797018963968 "
            "+ (1073741823 - LEAST(LEAST(a.ee, b.e) - GREATEST(a.s, b.s), 1073741823)) "
            "* 33554432 + b.crank AS ckey"
        )
        cond = (
            "b.s <= a.ee AND b.e >= a.s AND (b.scope_rank = 3 "
            "OR (b.scope_rank = 2 AND b.skey = a.dkey) OR (b.scope_rank = 1 AND b.skey = a.mkey))"
        )
        pairs = self.overlap_pairs("mi", "mix", "cz", "czd", "b.fkey = a.fkey", select, cond)
        self.e.run(
            "mcause",
            f"SELECT mkey, s, ARG_MIN(cause, ckey) AS cause FROM ({pairs}) x GROUP BY mkey, s",
        )
        self.e.run(
            "mic",
            f"""SELECT i.mkey, i.dkey, i.fkey, i.s, i.e, i.ee, i.unrestored, i.is_open, i.sd,
              i.ed, COALESCE(c.cause, '{UNKNOWN_CAUSE}') AS cause
            FROM mi i LEFT JOIN mcause c ON c.mkey = i.mkey AND c.s = i.s""",
        )
        self.e.drop("mcause", "mix", "czd")

    # -- 3. episodes -------------------------------------------------------------------------
    def episodes(self, out: str, child: str, sizes: str) -> None:
        """Maximal runs during which at least k children of a parent are off at once.

        child(pkey, ckey, s, ee, unrestored, is_open, cause, sd, ed): ee = end, or the as-of
        moment for an open child; sizes(pkey, k). Output `out`(pkey, s, e, ee, unrestored,
        is_open, cause, members, sd, ed), e null when open."""
        w = self.w
        self.e.run(
            f"{out}_pts",
            f"""SELECT pkey, t, SUM(d) AS d, MAX(du) AS du, MAX(dop) AS dop FROM (
              SELECT pkey, s AS t, 1 AS d, 0 AS du, 0 AS dop FROM {child}
              UNION ALL SELECT pkey, ee AS t, -1 AS d, unrestored AS du, is_open AS dop
              FROM {child}) x GROUP BY pkey, t""",
        )
        self.e.run(
            f"{out}_sw",
            f"""SELECT pkey, t, du, dop, CASE WHEN cnt >= k THEN 1 ELSE 0 END AS up FROM (
              SELECT p.pkey, p.t, p.d, p.du, p.dop, z.k, SUM(p.d) OVER (PARTITION BY p.pkey
                ORDER BY p.t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cnt
              FROM {out}_pts p JOIN {sizes} z ON z.pkey = p.pkey) x
            WHERE (cnt >= k) <> (cnt - d >= k)""",
        )
        over = "PARTITION BY pkey ORDER BY t"
        self.e.run(
            f"{out}_ep",
            f"""SELECT pkey, s, e, unrestored, is_open, {day_of("s")} AS sd, {day_of("e")} AS ed
            FROM (SELECT pkey, t AS s, up, LEAD(t) OVER ({over}) AS e,
              LEAD(du) OVER ({over}) AS unrestored, LEAD(dop) OVER ({over}) AS is_open
              FROM {out}_sw) x WHERE up = 1""",
        )
        self.expand_days(f"{out}_epd", f"{out}_ep", extra_only=True)
        self.expand_days(f"{out}_chd", child, extra_only=False)
        pairs = self.overlap_pairs(
            f"{out}_ep",
            f"{out}_epd",
            child,
            f"{out}_chd",
            "b.pkey = a.pkey",
            "a.pkey, a.s, b.s AS cs, b.ckey, b.cause",
            "b.s < a.e AND b.ee > a.s",
        )
        self.e.run(f"{out}_mem", pairs)
        self.e.run(
            f"{out}_cause",
            f"""SELECT pkey, s, cause, members FROM (
              SELECT pkey, s, cause, SUM(n) OVER (PARTITION BY pkey, s) AS members,
                ROW_NUMBER() OVER (PARTITION BY pkey, s ORDER BY n DESC, first_s, first_c, cause)
                  AS rn
              FROM (SELECT pkey, s, cause, COUNT(*) AS n, MIN(cs) AS first_s, MIN(ckey) AS first_c
                FROM {out}_mem GROUP BY pkey, s, cause) y) x WHERE rn = 1""",
        )
        self.e.run(
            out,
            f"""SELECT ep.pkey, ep.s, CASE WHEN ep.is_open = 1 THEN NULL ELSE ep.e END AS e,
              CASE WHEN ep.is_open = 1 THEN {w.ae} ELSE ep.e END AS ee,
              ep.unrestored, ep.is_open, COALESCE(c.cause, '{UNKNOWN_CAUSE}') AS cause,
              COALESCE(c.members, 0) AS members, ep.sd, ep.ed
            FROM {out}_ep ep LEFT JOIN {out}_cause c ON c.pkey = ep.pkey AND c.s = ep.s""",
        )
        self.e.drop(f"{out}_epd", f"{out}_chd")
        self.e.drop(f"{out}_pts", f"{out}_sw", f"{out}_ep", f"{out}_mem", f"{out}_cause")

    def district_and_feeder_episodes(self) -> None:
        p = self.p
        self.progress("districts")
        self.e.run(
            "dsize",
            f"SELECT dkey AS pkey, CAST(CEIL(ROUND({p.district_share} * COUNT(*), 9)) AS BIGINT) "
            "AS k FROM meters GROUP BY dkey",
        )
        self.e.view(
            "dchild",
            "SELECT dkey AS pkey, mkey AS ckey, s, ee, unrestored, is_open, cause, sd, ed FROM mic",
        )
        self.episodes("dep", "dchild", "dsize")
        self.progress("feeders")
        self.e.run(
            "fsize",
            f"SELECT fkey AS pkey, CAST(CEIL(ROUND({p.feeder_share} * COUNT(*), 9)) AS BIGINT) "
            "AS k FROM districts GROUP BY fkey",
        )
        self.e.view(
            "fchild",
            "SELECT d.fkey AS pkey, e.pkey AS ckey, e.s, e.ee, e.unrestored, e.is_open, e.cause, "
            "e.sd, e.ed FROM dep e JOIN districts d ON d.dkey = e.pkey",
        )
        self.episodes("fep", "fchild", "fsize")

    # -- 4. counting -------------------------------------------------------------------------
    def major_event_days(self) -> dict[str, object]:
        """IEEE 1366 2.5β: days whose LV SAIDI exceeds exp(α + kβ), α/β of ln(daily SAIDI)."""
        w, p = self.w, self.p
        if not p.med_exclusion:
            self.e.run("med", "SELECT CAST(NULL AS BIGINT) AS dy FROM days WHERE 1 = 0")
            return {"enabled": False}
        self.e.run(
            "dsaidi",
            f"""SELECT {day_of("s")} AS dy, SUM(e - s) / 60.0 / (SELECT COUNT(*) FROM meters)
              AS saidi FROM mint WHERE k = 0 AND e IS NOT NULL AND e - s >= {p.momentary_below_s}
              AND s >= {w.h0} AND s < {w.ae} GROUP BY {day_of("s")}""",
        )
        self.e.run(
            "medt",
            f"""SELECT EXP(AVG(LN(saidi)) + {p.med_beta} * STDDEV_SAMP(LN(saidi))) AS t_med,
              COUNT(*) AS days FROM dsaidi WHERE saidi > 0""",
        )
        self.e.run(
            "med",
            f"SELECT d.dy FROM dsaidi d JOIN medt t ON d.saidi > t.t_med WHERE d.dy >= {w.d0}",
        )
        info = self.e.arrow("SELECT t_med, days FROM medt").to_pylist()[0]
        return {"enabled": True, "threshold_minutes": info["t_med"], "history_days": info["days"]}

    def classify(self) -> None:
        """All interruptions that start in the period, with momentary/excluded flags, and the
        window columns the merge needs (over candidates: neither momentary nor excluded)."""
        w, p = self.w, self.p
        win = p.merge_window_s
        self.progress("counting")
        mom = f"(i.is_open = 0 AND i.e - i.s < {p.momentary_below_s})"
        exc = f"i.cause IN {sql_list(p.excluded_causes)}"
        self.e.view(
            "ints",
            f"""SELECT 0 AS lv, mkey AS pkey, s, e, unrestored, is_open, cause, 1 AS members
              FROM mic WHERE s >= {w.p0}
            UNION ALL SELECT 1 AS lv, pkey, s, e, unrestored, is_open, cause, members
              FROM dep WHERE s >= {w.p0}
            UNION ALL SELECT 2 AS lv, pkey, s, e, unrestored, is_open, cause, members
              FROM fep WHERE s >= {w.p0}""",
        )
        self.e.view(
            "cls",
            f"""SELECT i.lv, i.pkey, i.s, i.e, i.unrestored, i.is_open, i.cause, i.members,
              {day_of("i.s")} AS sd,
              CASE WHEN {mom} THEN 1 ELSE 0 END AS momentary,
              CASE WHEN {mom} THEN NULL WHEN {exc} THEN 'cause'
                   WHEN m.dy IS NOT NULL THEN 'major_event_day' END AS excluded_reason
            FROM ints i LEFT JOIN med m ON m.dy = {day_of("i.s")}""",
        )
        over = "PARTITION BY lv, pkey, cand ORDER BY s"
        self.e.run(
            "cand",
            f"""SELECT y.*, SUM(newc) OVER ({over}
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cl
            FROM (SELECT x.*, CASE WHEN cand = 1 AND (gap IS NULL OR gap >= {win}) THEN 1
                ELSE 0 END AS newc
              FROM (SELECT c.*, ROW_NUMBER() OVER ({over}) AS rn,
                COUNT(*) OVER ({over} RANGE BETWEEN CURRENT ROW AND {win - 1} FOLLOWING)
                  AS nwin,
                s - LAG(s) OVER ({over}) AS gap
                FROM (SELECT cls.*, CASE WHEN momentary = 0 AND excluded_reason IS NULL
                  THEN 1 ELSE 0 END AS cand FROM cls) c) x) y""",
        )

    def merge(self) -> None:
        """Sequential merge: a candidate starting less than W after the start of the point's
        last counted interruption is merged. Clusters split where the gap to the previous
        candidate is ≥ W; the first of each cluster is counted. Inside a cluster spanning ≥ W
        the counted chain follows next(i) = first candidate ≥ start(i) + W, found by pointer
        doubling: ⌈log2(longest cluster)⌉ rounds of joins, each over long-cluster rows only."""
        win = self.p.merge_window_s
        self.e.run(
            "clus",
            f"""SELECT lv, pkey, cl, MIN(rn) AS r0, MAX(rn) AS r1 FROM cand WHERE cand = 1
            GROUP BY lv, pkey, cl HAVING MAX(s) - MIN(s) >= {win}""",
        )
        longest = self.scalar("SELECT MAX(r1 - r0 + 1) FROM clus")
        longest = int(longest or 0)  # type: ignore[call-overload]
        rounds = math.ceil(math.log2(longest)) if longest > 1 else 0
        # jump table over long-cluster rows: next counted candidate (null: none in the cluster)
        self.e.run(
            "jmp0",
            """SELECT c.lv, c.pkey, c.rn, CASE WHEN c.rn + c.nwin <= k.r1 THEN c.rn + c.nwin
              END AS j FROM cand c
            JOIN clus k ON k.lv = c.lv AND k.pkey = c.pkey AND k.cl = c.cl WHERE c.cand = 1""",
        )
        self.e.run("chain0", "SELECT lv, pkey, r0 AS rn FROM clus")
        for m in range(rounds):
            self.e.run(
                f"chain{m + 1}",
                f"""SELECT lv, pkey, rn FROM chain{m} UNION ALL
                SELECT c.lv, c.pkey, j.j AS rn FROM chain{m} c JOIN jmp{m} j
                  ON j.lv = c.lv AND j.pkey = c.pkey AND j.rn = c.rn WHERE j.j IS NOT NULL""",
            )
            if m + 1 < rounds:
                self.e.run(
                    f"jmp{m + 1}",
                    f"""SELECT a.lv, a.pkey, a.rn, b.j FROM jmp{m} a LEFT JOIN jmp{m} b
                      ON b.lv = a.lv AND b.pkey = a.pkey AND b.rn = a.j""",
                )
            self.e.drop(f"chain{m}", f"jmp{m}")
        # chain rows other than cluster starts (those are counted through newc already)
        self.e.run(
            "chained",
            f"""SELECT h.lv, h.pkey, h.rn FROM chain{rounds} h LEFT JOIN clus k
              ON k.lv = h.lv AND k.pkey = h.pkey AND k.r0 = h.rn WHERE k.r0 IS NULL""",
        )
        self.e.drop(f"chain{rounds}", f"jmp{rounds}")
        self.e.run(
            "flags",
            """SELECT c.lv, c.pkey, c.s, c.e, c.unrestored, c.is_open, c.cause, c.members, c.sd,
              c.momentary, c.excluded_reason,
              CASE WHEN c.newc = 1 OR h.rn IS NOT NULL THEN 1 ELSE 0 END AS counted,
              CASE WHEN c.cand = 1 AND c.newc = 0 AND h.rn IS NULL THEN 1 ELSE 0 END AS merged
            FROM cand c LEFT JOIN chained h ON c.cand = 1 AND h.lv = c.lv AND h.pkey = c.pkey
              AND h.rn = c.rn""",
        )
        self.e.drop("cand", "clus", "chained")

    # -- 5. points ---------------------------------------------------------------------------
    def point_stats(self) -> None:
        w, p = self.w, self.p
        self.progress("rules")
        long0 = w.da - p.warning_long_days + 1
        short0 = w.da - p.warning_short_days + 1
        self.e.run(
            "win",
            f"""SELECT lv, pkey, MAX(n) AS max_count_window FROM (
              SELECT lv, pkey, COUNT(*) OVER (PARTITION BY lv, pkey ORDER BY sd
                RANGE BETWEEN CURRENT ROW AND {p.window_days - 1} FOLLOWING) AS n
              FROM flags WHERE counted = 1) x GROUP BY lv, pkey""",
        )
        self.e.run(
            "pstat",
            f"""SELECT f.lv, f.pkey, SUM(f.counted) AS count_year,
              COALESCE(MAX(w.max_count_window), 0) AS max_count_60,
              SUM(f.momentary) AS momentary_count,
              SUM(CASE WHEN f.excluded_reason = 'cause' THEN 1 ELSE 0 END) AS excluded_count,
              SUM(CASE WHEN f.excluded_reason = 'major_event_day' THEN 1 ELSE 0 END)
                AS major_event_count,
              SUM(f.merged) AS merged_count,
              SUM(CASE WHEN f.counted = 1 AND f.sd >= {long0} THEN 1 ELSE 0 END) AS recent_long,
              SUM(CASE WHEN f.counted = 1 AND f.sd >= {short0} THEN 1 ELSE 0 END) AS recent_short
            FROM flags f LEFT JOIN win w ON w.lv = f.lv AND w.pkey = f.pkey
            GROUP BY f.lv, f.pkey""",
        )
        year_rule = f"count_year > {p.year_max_count}"
        window_rule = f"max_count_60 > {p.window_max_count}"
        frequent = f"({year_rule} OR {window_rule})"
        self.e.run(
            "prule",
            f"""SELECT lv, pkey, count_year, max_count_60, momentary_count, excluded_count,
              major_event_count, merged_count,
              CASE WHEN {frequent} THEN 1 ELSE 0 END AS frequent,
              NULLIF(CONCAT_WS(',', CASE WHEN {year_rule} THEN 'year_limit' END,
                CASE WHEN {window_rule} THEN 'window_limit' END), '') AS rule,
              CASE WHEN {frequent} THEN NULL ELSE NULLIF(CONCAT_WS(',',
                CASE WHEN count_year >= {p.warning_year_min_count}
                  AND count_year <= {p.year_max_count} THEN 'warn_year' END,
                CASE WHEN recent_long = {p.warning_long_count} THEN 'warn_long' END,
                CASE WHEN recent_short = {p.warning_short_count} THEN 'warn_short' END), '')
              END AS warning
            FROM pstat""",
        )
        self.e.drop("win")

    # -- 6. indices --------------------------------------------------------------------------
    def indices(self) -> pa.Table:
        """Integer sums per (lv, region, area, month), then per grouping level.

        LV users are registered meters, MV users registered districts; each interruption of a
        user counts once (a user's interruptions never overlap). Open interruptions count
        toward frequency (n1), not duration (d*)."""
        p = self.p
        self.progress("indices")
        sus = "f.momentary = 0"
        rs2 = f"f.cause NOT IN {sql_list(p.rs2_excluded_causes)}"
        rs3 = f"f.cause NOT IN {sql_list(p.rs3_excluded_causes)}"
        nomed = "(f.excluded_reason IS NULL OR f.excluded_reason <> 'major_event_day')"
        dur = "(CASE WHEN f.is_open = 0 THEN f.e - f.s ELSE 0 END)"
        measures = {
            "n1": f"CASE WHEN {sus} THEN 1 ELSE 0 END",
            "nc": f"CASE WHEN {sus} AND f.is_open = 0 THEN 1 ELSE 0 END",
            "d1": f"CASE WHEN {sus} THEN {dur} ELSE 0 END",
            "n2": f"CASE WHEN {sus} AND {rs2} THEN 1 ELSE 0 END",
            "d2": f"CASE WHEN {sus} AND {rs2} THEN {dur} ELSE 0 END",
            "n3": f"CASE WHEN {sus} AND {rs3} THEN 1 ELSE 0 END",
            "d3": f"CASE WHEN {sus} AND {rs3} THEN {dur} ELSE 0 END",
            "nm": "CASE WHEN f.momentary = 1 THEN 1 ELSE 0 END",
            "n_nomed": f"CASE WHEN {sus} AND {nomed} THEN 1 ELSE 0 END",
            "nc_nomed": f"CASE WHEN {sus} AND {nomed} AND f.is_open = 0 THEN 1 ELSE 0 END",
            "d_nomed": f"CASE WHEN {sus} AND {nomed} THEN {dur} ELSE 0 END",
        }
        self.e.run(
            "iagg",
            f"""SELECT f.lv, g.region, g.area, dm.sm,
              {", ".join(f"SUM({expr}) AS {name}" for name, expr in measures.items())}
            FROM flags f JOIN dmonth dm ON dm.dy = f.sd
            JOIN (SELECT 0 AS lv, mkey AS pkey, region, area FROM meters
              UNION ALL SELECT 1 AS lv, dkey AS pkey, region, area FROM districts) g
              ON g.lv = f.lv AND g.pkey = f.pkey
            WHERE f.lv IN (0, 1)
            GROUP BY f.lv, g.region, g.area, dm.sm""",
        )
        self.e.run(
            "users",
            """SELECT 0 AS lv, region, area, COUNT(*) AS n FROM meters GROUP BY region, area
            UNION ALL SELECT 1 AS lv, region, area, COUNT(*) AS n FROM districts
            GROUP BY region, area""",
        )
        groups = {  # grouping -> (region, area, month) expressions
            "overall": ("'all'", "'all'", "'all'"),
            "region": ("region", "'all'", "'all'"),
            "area": ("'all'", "area", "'all'"),
            "region_area": ("region", "area", "'all'"),
            "month": ("'all'", "'all'", "sm"),
        }
        sums = ", ".join(f"SUM({name}) AS {name}" for name in measures)
        usr, agg = [], []
        for grp, (r, a, m) in groups.items():
            keys = [x for x in (r, a) if not x.startswith("'")]
            by = "".join(f", {x}" for x in keys)
            if m == "'all'":
                usr.append(
                    f"SELECT '{grp}' AS grp, lv, {r} AS region, {a} AS area, 'all' AS sm, "
                    f"SUM(n) AS n FROM users GROUP BY lv{by}"
                )
            else:
                usr.append(
                    f"SELECT '{grp}' AS grp, u.lv, 'all' AS region, 'all' AS area, mo.sm, "
                    f"SUM(u.n) AS n FROM users u CROSS JOIN months mo GROUP BY u.lv, mo.sm"
                )
            mby = by + (", sm" if m != "'all'" else "")
            agg.append(
                f"SELECT '{grp}' AS grp, lv, {r} AS region, {a} AS area, {m} AS sm, {sums} "
                f"FROM iagg GROUP BY lv{mby}"
            )
        self.e.run("iusr", " UNION ALL ".join(usr))
        self.e.run("isum", " UNION ALL ".join(agg))
        cols = ", ".join(f"CAST(COALESCE(i.{name}, 0) AS BIGINT) AS {name}" for name in measures)
        return self.e.arrow(
            f"""SELECT u.grp, u.lv, u.region, u.area, u.sm, CAST(u.n AS BIGINT) AS users, {cols},
              COALESCE(mo.hours, {self.w.period_hours()}) AS hours
            FROM iusr u LEFT JOIN isum i ON i.grp = u.grp AND i.lv = u.lv
              AND i.region = u.region AND i.area = u.area AND i.sm = u.sm
            LEFT JOIN months mo ON mo.sm = u.sm
            ORDER BY u.grp, u.lv, u.region, u.area, u.sm"""
        )

    def load_months(self) -> None:
        """Calendar months of the period: label, hours inside the period, and day -> month."""
        w = self.w
        labels, hours, day_numbers, day_labels = [], [], [], []
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
            month = nxt
        self.e.load(
            "months",
            pa.table({"sm": pa.array(labels, pa.string()), "hours": pa.array(hours)}),
        )
        self.e.load(
            "dmonth",
            pa.table({"dy": pa.array(day_numbers, pa.int64()), "sm": pa.array(day_labels)}),
        )
