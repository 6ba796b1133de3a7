"""Reliability dashboards (L21, L22) and the yearly reward/penalty table by region (L27).

Figures come from the engine's indices (kept by the refresh in ReliabilitySnapshot); the
reward/penalty criteria from policy data (getelec/policy/quality.yaml).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from getelec.accounts.models import Region
from getelec.kernel.policy import param
from getelec.outages import rules
from getelec.outages.models import ReliabilitySnapshot

INDEX_KEYS = ("RS-1", "AIHC-1", "AITC-1", "SAIFI", "SAIDI", "CAIDI", "MAIFI")
AREA_LABELS = {"urban": _("城区"), "rural": _("农村")}
VERDICT_LABELS = {
    "reward": _("奖励"),
    "penalty": _("处罚"),
    "pass": _("达标"),
    "no_data": _("无数据"),
}
# What each reward/penalty criterion means, shown instead of its parameter name.
CRITERION_LABELS = {
    "quality_reward_rs1_min_percent": _("奖励线：中压用户供电可靠率RS-1不低于（%）"),
    "quality_penalty_rs1_below_percent": _("处罚线：中压用户供电可靠率RS-1低于（%）"),
    "quality_penalty_frequent_districts_min": _("处罚线：频繁停电台区数达到（个）"),
}
REASON_LABELS = {
    "rs1_below_penalty": _("RS-1低于处罚线"),
    "frequent_districts": _("频繁停电台区数达到处罚数"),
    "rs1_reward": _("RS-1达到奖励线"),
    "no_frequent_districts": _("无频繁停电台区"),
}


def _row(label: str, block: dict[str, Any]) -> dict[str, Any]:
    return {"label": label, "users": block.get("users", 0), **{k: block.get(k) for k in INDEX_KEYS}}


def reward_penalty_table(snapshot: ReliabilitySnapshot) -> dict[str, Any]:
    on = snapshot.as_of
    names = {r.code: r.name for r in Region.objects.all()}
    rows = []
    by_region = snapshot.indices.get("mv", {}).get("by_region", {})
    criteria = {}
    for code in sorted(by_region):
        values = {
            n: param(n, on, code)
            for n in (
                "quality_reward_rs1_min_percent",
                "quality_penalty_rs1_below_percent",
                "quality_penalty_frequent_districts_min",
            )
        }
        criteria = {
            n: {**v.as_dict(), "label": str(CRITERION_LABELS[n])} for n, v in values.items()
        }
        rs1 = by_region[code].get("RS-1")
        frequent = int(snapshot.frequent_by_region.get(code, 0))
        verdict, reasons = rules.reward_penalty(
            rs1,
            frequent,
            values["quality_reward_rs1_min_percent"].value,
            values["quality_penalty_rs1_below_percent"].value,
            values["quality_penalty_frequent_districts_min"].value,
        )
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "rs1": rs1,
                "frequent": frequent,
                "verdict": verdict,
                "verdict_label": str(VERDICT_LABELS[verdict]),
                "reasons": [str(REASON_LABELS[r]) for r in reasons],
            }
        )
    return {"rows": rows, "criteria": list(criteria.values())}


def region_month_table(
    snapshot: ReliabilitySnapshot, level: str, index: str, names: dict[str, str]
) -> dict[str, Any]:
    """One index by region (rows) and month (columns), from the refresh's DuckDB breakdown."""
    data = (snapshot.by_region_month or {}).get(level, {})
    months = sorted({m for by_month in data.values() for m in by_month})
    rows = [
        {
            "code": code,
            "label": names.get(code, code),
            "values": [data[code].get(m, {}).get(index) for m in months],
        }
        for code in sorted(data)
    ]
    return {"index": index, "months": months, "rows": rows}


def dashboard_context(year: int | None, level: str, index: str = "SAIDI") -> dict[str, Any]:
    level = level if level in ("lv", "mv") else "mv"
    index = index if index in INDEX_KEYS else "SAIDI"
    snaps = ReliabilitySnapshot.objects.order_by("-year")
    snapshot = (snaps.filter(year=year).first() if year else None) or snaps.first()
    context: dict[str, Any] = {
        "snapshot": snapshot,
        "years": list(snaps.values_list("year", flat=True)),
        "level": level,
        "index": index,
        "index_keys": INDEX_KEYS,
        "chart": {},
    }
    if snapshot is None:
        return context
    names = {r.code: r.name for r in Region.objects.all()}
    data = snapshot.indices.get(level, {})
    overall = _row(gettext("全部"), data.get("overall", {}))
    regions = [_row(names.get(c, c), b) for c, b in sorted(data.get("by_region", {}).items())]
    by_area = sorted(data.get("by_area", {}).items())
    areas = [_row(str(AREA_LABELS.get(a, a)), b) for a, b in by_area]
    months = [_row(m, b) for m, b in sorted(data.get("by_month", {}).items())]
    table = [overall, *areas, *regions, *months]
    region_month = region_month_table(snapshot, level, index, names)
    context.update(
        overall_rows=[
            {"label": r["label"], "users": r["users"], "values": [r[k] for k in INDEX_KEYS]}
            for r in table
        ],
        overall=overall,
        regions=regions,
        areas=areas,
        months=months,
        quality=snapshot.quality,
        period=snapshot.indices.get("period", {}),
        reward=reward_penalty_table(snapshot),
        region_month=region_month,
        chart={
            "months": [m["label"] for m in months],
            "saidi": [m["SAIDI"] for m in months],
            "saifi": [m["SAIFI"] for m in months],
            "regions": [r["label"] for r in regions],
            "rs1": [r["RS-1"] for r in regions],
            "region_month": {
                "index": index,
                "months": region_month["months"],
                "series": [{"name": r["label"], "data": r["values"]} for r in region_month["rows"]],
            },
        },
    )
    return context
