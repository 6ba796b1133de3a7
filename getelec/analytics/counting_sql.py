"""The SQL of the counting stage (stages 4 and 5 of `getelec.analytics.pipeline`): the
classification of interruptions, the sequential merge with its pointer doubling, the flags,
the point statistics and the frequent/warning rules. Builders only: `Pipeline` runs them."""

from __future__ import annotations

from getelec.analytics.codes import ST_OPEN, code_list, day_of
from getelec.analytics.params import OutageParams


def classify_sql(source: str, p: OutageParams, p0: int) -> str:
    """{lv}_c: every interruption from the period start with its class (cls) and whether it
    starts a new cluster of candidates (newc: the gap to the previous one is ≥ the window)."""
    win = p.merge_window_s
    # momentary: at most the cut-off (IEEE 1366-2012: sustained = more than five minutes)
    mom = f"(i.st <> {ST_OPEN} AND i.ee - i.s <= {p.momentary_max_s})"
    exc = f"i.cause IN {code_list(p.outage_excluded_causes)}"
    cand_over = "PARTITION BY pkey, iscand ORDER BY s"
    return f"""SELECT pkey, s, ee, st, cause, cls, sd,
              CASE WHEN cls = 0 AND (gap IS NULL OR gap >= {win}) THEN 1 ELSE 0 END AS newc
            FROM (SELECT c.*, s - LAG(s) OVER ({cand_over}) AS gap FROM (
              SELECT i.pkey, i.s, i.ee, i.st, i.cause, {day_of("i.s")} AS sd,
                CASE WHEN {mom} THEN 1 WHEN {exc} THEN 2 WHEN m.dy IS NOT NULL THEN 3 ELSE 0
                  END AS cls,
                CASE WHEN {mom} OR {exc} OR m.dy IS NOT NULL THEN 0 ELSE 1 END AS iscand
              FROM {source} i LEFT JOIN med m ON m.dy = {day_of("i.s")}
              WHERE i.s >= {p0}) c) x"""


def cluster_members_sql(lv: str, win: int) -> str:
    """{lv}_sub: the candidates of points with a merged candidate (only those can have a long
    cluster), numbered, with their cluster and how many start within the window."""
    over = "PARTITION BY pkey ORDER BY s"
    return f"""SELECT pkey, s, rn, nwin, SUM(newc) OVER ({over}
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cl
            FROM (SELECT pkey, s, newc, ROW_NUMBER() OVER ({over}) AS rn,
              COUNT(*) OVER ({over} RANGE BETWEEN CURRENT ROW AND {win - 1} FOLLOWING) AS nwin
              FROM {lv}_c WHERE cls = 0 AND pkey IN (
                SELECT pkey FROM {lv}_c WHERE cls = 0 AND newc = 0)) x"""


def long_clusters_sql(lv: str, win: int) -> str:
    """{lv}_clus: clusters spanning at least the window, by their first and last row."""
    return f"""SELECT pkey, cl, MIN(rn) AS r0, MAX(rn) AS r1 FROM {lv}_sub
            GROUP BY pkey, cl HAVING MAX(s) - MIN(s) >= {win}"""


def first_jump_sql(lv: str) -> str:
    """jmp0: next(i), the first candidate ≥ start(i) + window, inside its long cluster."""
    return f"""SELECT c.pkey, c.rn, CASE WHEN c.rn + c.nwin <= k.r1 THEN c.rn + c.nwin END AS j
            FROM {lv}_sub c JOIN {lv}_clus k ON k.pkey = c.pkey AND k.cl = c.cl"""


def chain_step_sql(m: int) -> str:
    """chain{m + 1}: the chain so far and its members one jump (of 2^m steps) further."""
    return f"""SELECT pkey, rn FROM chain{m} UNION ALL
                SELECT c.pkey, j.j AS rn FROM chain{m} c JOIN jmp{m} j
                  ON j.pkey = c.pkey AND j.rn = c.rn WHERE j.j IS NOT NULL"""


def double_jump_sql(m: int) -> str:
    """jmp{m + 1}: jumps twice as long, by joining jmp{m} with itself."""
    return f"""SELECT a.pkey, a.rn, b.j FROM jmp{m} a LEFT JOIN jmp{m} b
                      ON b.pkey = a.pkey AND b.rn = a.j"""


def chained_sql(lv: str, rounds: int) -> str:
    """{lv}_chained: counted chain members other than cluster starts (newc counts those)."""
    return f"""SELECT u.pkey, u.s FROM chain{rounds} h
            JOIN {lv}_sub u ON u.pkey = h.pkey AND u.rn = h.rn
            LEFT JOIN {lv}_clus k ON k.pkey = h.pkey AND k.r0 = h.rn WHERE k.r0 IS NULL"""


def flags_sql(lv: str) -> str:
    """{lv}_fx: the flags of every interruption (counted, merged)."""
    return f"""SELECT c.pkey, c.s, c.ee, c.st, c.cause, c.cls, c.sd,
              CASE WHEN c.newc = 1 OR h.s IS NOT NULL THEN 1 ELSE 0 END AS counted,
              CASE WHEN c.cls = 0 AND c.newc = 0 AND h.s IS NULL THEN 1 ELSE 0 END AS merged
            FROM {lv}_c c LEFT JOIN {lv}_chained h ON h.pkey = c.pkey AND h.s = c.s"""


def point_stats_sql(flags: str, window_days: int) -> str:
    """{lv}_stat0: what does not depend on the as-of date once the rows are known.

    max_count_window: the largest count in any window [d, d + days - 1]; a window starting on
    a counted day is as good as any, so one RANGE window over the rows suffices."""
    return f"""SELECT pkey, CAST(SUM(counted) AS BIGINT) AS count_year,
              CAST(COALESCE(MAX(CASE WHEN counted = 1 THEN n END), 0) AS BIGINT)
                AS max_count_window,
              CAST(SUM(CASE WHEN cls = 1 THEN 1 ELSE 0 END) AS BIGINT) AS momentary_count,
              CAST(SUM(CASE WHEN cls = 2 THEN 1 ELSE 0 END) AS BIGINT) AS excluded_count,
              CAST(SUM(CASE WHEN cls = 3 THEN 1 ELSE 0 END) AS BIGINT) AS major_event_count,
              CAST(SUM(merged) AS BIGINT) AS merged_count
            FROM (SELECT pkey, counted, cls, merged, SUM(counted) OVER (PARTITION BY pkey
                ORDER BY sd RANGE BETWEEN CURRENT ROW AND {window_days - 1} FOLLOWING) AS n
              FROM {flags}) x GROUP BY pkey"""


def point_rules_sql(lv: str, p: OutageParams, long0: int, short0: int, recent: str) -> str:
    """{lv}_rule from {lv}_stat0 and the counted rows of `recent` from `long0` (the first day
    of the long warning window; `short0` of the short one): frequent, rule, warning."""
    year_rule = f"count_year > {p.outage_year_max_count}"
    window_rule = f"max_count_window > {p.outage_window_max_count}"
    frequent = f"({year_rule} OR {window_rule})"
    return f"""SELECT pkey, count_year, max_count_window, momentary_count, excluded_count,
              major_event_count, merged_count,
              CASE WHEN {frequent} THEN 1 ELSE 0 END AS frequent,
              NULLIF(CONCAT_WS(',', CASE WHEN {year_rule} THEN 'year_limit' END,
                CASE WHEN {window_rule} THEN 'window_limit' END), '') AS rule,
              CASE WHEN {frequent} THEN NULL ELSE NULLIF(CONCAT_WS(',',
                CASE WHEN count_year >= {p.outage_warning_year_min_count}
                  AND count_year <= {p.outage_year_max_count} THEN 'warn_year' END,
                CASE WHEN recent_long = {p.outage_warning_long_count} THEN 'warn_long' END,
                CASE WHEN recent_short = {p.outage_warning_short_count} THEN 'warn_short' END), '')
              END AS warning
            FROM (SELECT s.*, COALESCE(r.recent_long, 0) AS recent_long,
                COALESCE(r.recent_short, 0) AS recent_short
              FROM {lv}_stat0 s LEFT JOIN (SELECT pkey,
                SUM(CASE WHEN sd >= {short0} THEN 1 ELSE 0 END) AS recent_short,
                COUNT(*) AS recent_long
                FROM {recent} WHERE counted = 1 AND sd >= {long0} GROUP BY pkey) r
              ON r.pkey = s.pkey) x"""
