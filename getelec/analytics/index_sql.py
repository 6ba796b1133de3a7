"""The SQL of the index stage (stage 6 of `getelec.analytics.pipeline`): the integer measures
summed per interruption, the sums per (level, region, area, month) and the groupings of the
index table. Builders only: `Pipeline` runs them; the formulas over the sums are
`getelec.analytics.reports.index_block`."""

from __future__ import annotations

from getelec.analytics.codes import ST_OPEN, code_list
from getelec.analytics.params import OutageParams

USERS_SQL = """SELECT 0 AS lv, region, area, COUNT(*) AS n FROM meters GROUP BY region, area
            UNION ALL SELECT 1 AS lv, region, area, COUNT(*) AS n FROM districts
            GROUP BY region, area"""
GROUPS = {  # grouping -> (region, area, month) expressions
    "overall": ("'all'", "'all'", "'all'"),
    "region": ("region", "'all'", "'all'"),
    "area": ("'all'", "area", "'all'"),
    "region_area": ("region", "area", "'all'"),
    "month": ("'all'", "'all'", "sm"),
    "region_month": ("region", "'all'", "sm"),
}


def measures(p: OutageParams) -> dict[str, str]:
    """The per-interruption expressions over a flag row `f` whose sums the indices need."""
    sus = "f.cls <> 1"
    rs2 = f"f.cause NOT IN {code_list(p.outage_rs2_excluded_causes)}"
    rs3 = f"f.cause NOT IN {code_list(p.outage_rs3_excluded_causes)}"
    nomed = "f.cls <> 3"
    closed = f"f.st <> {ST_OPEN}"
    dur = f"(CASE WHEN {closed} THEN f.ee - f.s ELSE 0 END)"
    return {
        "n1": f"CASE WHEN {sus} THEN 1 ELSE 0 END",
        "nc": f"CASE WHEN {sus} AND {closed} THEN 1 ELSE 0 END",
        "d1": f"CASE WHEN {sus} THEN {dur} ELSE 0 END",
        "n2": f"CASE WHEN {sus} AND {rs2} THEN 1 ELSE 0 END",
        "d2": f"CASE WHEN {sus} AND {rs2} THEN {dur} ELSE 0 END",
        "n3": f"CASE WHEN {sus} AND {rs3} THEN 1 ELSE 0 END",
        "d3": f"CASE WHEN {sus} AND {rs3} THEN {dur} ELSE 0 END",
        "nm": "CASE WHEN f.cls = 1 THEN 1 ELSE 0 END",
        "n_nomed": f"CASE WHEN {sus} AND {nomed} THEN 1 ELSE 0 END",
        "nc_nomed": f"CASE WHEN {sus} AND {nomed} AND {closed} THEN 1 ELSE 0 END",
        "d_nomed": f"CASE WHEN {sus} AND {nomed} THEN {dur} ELSE 0 END",
    }


def index_sums_sql(
    measures: dict[str, str], m_flags: str, d_flags: str, sign: int, meters: str
) -> str:
    """Sums per (lv, region, area, month) of the measures over meter and district flags."""
    neg = "-" if sign < 0 else ""
    agg = ", ".join(f"{neg}SUM({expr}) AS {name}" for name, expr in measures.items())
    return f"""SELECT 0 AS lv, g.region, g.area, dm.sm, {agg}
            FROM {m_flags} f JOIN dmonth dm ON dm.dy = f.sd JOIN {meters} g ON g.mkey = f.pkey
            GROUP BY g.region, g.area, dm.sm
            UNION ALL SELECT 1 AS lv, g.region, g.area, dm.sm, {agg}
            FROM {d_flags} f JOIN dmonth dm ON dm.dy = f.sd JOIN districts g ON g.dkey = f.pkey
            GROUP BY g.region, g.area, dm.sm"""


def grouped_sql(measures: dict[str, str]) -> tuple[str, str]:
    """(iusr, isum): the users and the sums of every grouping (GROUPS), from `users`,
    `months` and `iagg`."""
    sums = ", ".join(f"SUM({name}) AS {name}" for name in measures)
    usr, aggs = [], []
    for grp, (r, a, m) in GROUPS.items():
        by = "".join(f", {x}" for x in (r, a) if not x.startswith("'"))
        if m == "'all'":
            usr.append(
                f"SELECT '{grp}' AS grp, lv, {r} AS region, {a} AS area, 'all' AS sm, "
                f"SUM(n) AS n FROM users GROUP BY lv{by}"
            )
        else:
            # Users of a month grouping: the group's users, every month of the period.
            usr.append(
                f"SELECT '{grp}' AS grp, u.lv, {r} AS region, {a} AS area, mo.sm, "
                f"SUM(u.n) AS n FROM users u CROSS JOIN months mo GROUP BY u.lv{by}, mo.sm"
            )
        mby = by + (", sm" if m != "'all'" else "")
        aggs.append(
            f"SELECT '{grp}' AS grp, lv, {r} AS region, {a} AS area, {m} AS sm, {sums} "
            f"FROM iagg GROUP BY lv{mby}"
        )
    return " UNION ALL ".join(usr), " UNION ALL ".join(aggs)


def index_table_sql(measures: dict[str, str], period_hours: float) -> str:
    """The index table: users and sums of every grouping, with the hours of its period."""
    cols = ", ".join(f"CAST(COALESCE(i.{name}, 0) AS BIGINT) AS {name}" for name in measures)
    return f"""SELECT u.grp, u.lv, u.region, u.area, u.sm, CAST(u.n AS BIGINT) AS users, {cols},
              COALESCE(mo.hours, {period_hours}) AS hours
            FROM iusr u LEFT JOIN isum i ON i.grp = u.grp AND i.lv = u.lv
              AND i.region = u.region AND i.area = u.area AND i.sm = u.sm
            LEFT JOIN months mo ON mo.sm = u.sm
            ORDER BY u.grp, u.lv, u.region, u.area, u.sm"""
