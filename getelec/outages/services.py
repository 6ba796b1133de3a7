"""State changes of the supply-quality desk: each one transaction and audit rows.

- `refresh`: runs the analytics engine on the data folder and the registry, then updates the
  problem ledger, the district statuses and the reliability snapshot in one transaction.
  Idempotent: a second run on the same inputs changes nothing (no row, no audit).
- Ledger lifecycle (L28, L30): identified/reopened → planned → observation (rectified) →
  verified (regulator's site visit or user visit) → closed (销号). Only a breach that includes a
  counted interruption after the rectified date re-opens an entry (year-to-date counts never
  fall), and the entry says which interruption did it.
- Planned outages (L25, 电力供应与使用条例 art. 28) and repair tickets (L24, L47), with notices
  to the customers whose meters are affected (L48).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from getelec.analytics.api import AnalysisResult, analyze, indices_by_region_month
from getelec.analytics.params import OutageParams, params_from_policy
from getelec.audit.services import record
from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed, ServiceError
from getelec.kernel.policy import param
from getelec.outages import datasource, notify, rules, selectors
from getelec.outages.models import (
    REPAIR_STAGE_ORDER,
    CustomerNotice,
    District,
    DistrictStatus,
    EntryStatus,
    Feeder,
    InspectionKind,
    LedgerEntry,
    LedgerInterruption,
    Level,
    Meter,
    PlannedOutage,
    ReliabilitySnapshot,
    RepairStage,
    RepairTicket,
)
from getelec.outages.registry import export_registry
from getelec.runlock import run_lock

__all__ = ["Conflict", "InvalidInput", "NotAllowed", "ServiceError"]

REFRESH_ACTOR = "getelec outages refresh"
REFRESH_LOCK = "outages-refresh"
LEDGER_BASIS_PARAMETERS = (
    "outage_year_max_count",
    "outage_window_days",
    "outage_window_max_count",
    "outage_excluded_causes",
    "outage_problem_line_min_districts",
)
CAUSE_LABELS = {
    "planned": gettext_lazy("计划停电"),
    "fault": gettext_lazy("故障停电"),
    "force_majeure": gettext_lazy("不可抗力"),
    "external_damage": gettext_lazy("外力破坏"),
    "supply_shortage": gettext_lazy("电源不足限电"),
    "other": gettext_lazy("其他"),
    "unknown": gettext_lazy("原因未明"),
}


def _tz() -> dt.tzinfo:
    return timezone.get_current_timezone()


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.make_aware(value, _tz()) if timezone.is_naive(value) else value


def _local(value: dt.datetime) -> dt.datetime:
    """Naive local wall-clock time (the engine's unit)."""
    return timezone.localtime(value, _tz()).replace(tzinfo=None) if value.tzinfo else value


def rule_values(on: dt.date | None = None) -> dict[str, int]:
    """The L28 limits in force on `on` (default today), as RULE_LABELS placeholders."""
    params = params_from_policy(on or timezone.localdate())
    return rules.Limits.from_params(params).label_values()


def entry_rule_values(entry: LedgerEntry) -> dict[str, int]:
    """The L28 limits an entry was judged by: its stored basis, else the policy on its as-of."""
    values = {
        c["parameter"]: c["value"]
        for c in entry.basis or []
        if c.get("parameter") in rules.LABEL_PARAMETERS
    }
    if len(values) < len(rules.LABEL_PARAMETERS):
        values = {**rule_values(entry.as_of), **values}
    return values


def rule_text(codes: str, values: dict[str, Any]) -> str:
    """Translated labels of the rule codes ("year_limit,window_limit"), with the limits in
    `values` (rule_values / entry_rule_values / rules.Limits.label_values)."""
    return "；".join(
        _(rules.RULE_LABELS[c]) % values if c in rules.RULE_LABELS else c
        for c in codes.split(",")
        if c
    )


def entry_rule_text(entry: LedgerEntry) -> str:
    return rule_text(entry.rule, entry_rule_values(entry))


# --------------------------------------------------------------------------------------------
# Refresh
# --------------------------------------------------------------------------------------------


@dataclass
class RefreshSummary:
    year: int
    as_of: dt.date
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    statuses_changed: int = 0
    snapshot_changed: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.reopened
            or self.statuses_changed
            or self.snapshot_changed
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "created": len(self.created),
            "updated": len(self.updated),
            "reopened": self.reopened,
            "statuses_changed": self.statuses_changed,
            "snapshot_changed": self.snapshot_changed,
        }


def default_as_of(today: dt.date | None = None) -> dt.date:
    """The daily job runs after midnight on yesterday's complete data."""
    return (today or timezone.localdate()) - dt.timedelta(days=1)


def refresh(
    year: int | None = None,
    as_of: dt.date | None = None,
    *,
    data_dir: Path | None = None,
    engine: str = "duckdb",
    actor: Any = REFRESH_ACTOR,
    wait: float = 0,
) -> RefreshSummary:
    """Run the engine on the registry and the data folder, then update the ledger. One run at
    a time: a second one waits up to `wait` seconds, then raises RunLockBusy."""
    as_of = as_of or default_as_of()
    year = year or as_of.year
    if as_of.year != year:
        raise InvalidInput(_("统计日必须在统计年度内"), "as_of")
    with run_lock(REFRESH_LOCK, wait=wait):
        return _refresh(year, as_of, data_dir=data_dir, engine=engine, actor=actor)


def _refresh(
    year: int, as_of: dt.date, *, data_dir: Path | None, engine: str, actor: Any
) -> RefreshSummary:
    params = params_from_policy(as_of)
    with tempfile.TemporaryDirectory(prefix="getelec-refresh-") as tmp_name:
        tmp = Path(tmp_name)
        meters = tmp / "meters.parquet"
        if export_registry(meters) == 0:
            raise InvalidInput(
                _("电网档案为空，请先导入（getelec outages registry import）"), "registry"
            )
        events = datasource.require_events(year, tmp, data_dir)
        causes = datasource.input_file(year, "causes", tmp, data_dir)
        result = analyze(
            meters, events, causes, year=year, as_of=as_of, params=params, engine=engine
        )
    return apply_result(result, year, as_of, params, actor)


def _rows_by_point(result: AnalysisResult) -> dict[str, list[dict[str, Any]]]:
    t = result.interruptions
    import pyarrow.compute as pc

    t = t.filter(pc.equal(t["level"], "district"))
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in t.select(
        [
            "id",
            "start",
            "end",
            "minutes",
            "cause",
            "counted",
            "momentary",
            "merged",
            "excluded",
            "unrestored",
            "open",
        ]
    ).to_pylist():
        out[row.pop("id")].append(row)
    return out


def _basis(params: OutageParams) -> list[dict[str, Any]]:
    return [c for c in params.citations if c.get("parameter") in LEDGER_BASIS_PARAMETERS]


def _evidence(rows: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    out = []
    for point_id, r in rows:
        out.append(
            {
                "point_id": point_id,
                "start": r["start"].isoformat(sep=" "),
                "end": r["end"].isoformat(sep=" ") if r["end"] else None,
                "minutes": round(r["minutes"], 2) if r["minutes"] is not None else None,
                "cause": r["cause"],
                "counted": bool(r["counted"]),
                "momentary": bool(r["momentary"]),
                "merged": bool(r["merged"]),
                "excluded": bool(r["excluded"]),
                "unrestored": bool(r["unrestored"]),
                "open": bool(r["open"]),
            }
        )
    out.sort(key=lambda e: (e["start"], e["point_id"]))
    return out


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def apply_result(
    result: AnalysisResult,
    year: int,
    as_of: dt.date,
    params: OutageParams,
    actor: Any = REFRESH_ACTOR,
) -> RefreshSummary:
    """Write the engine's result into the ledger (one transaction)."""
    summary = RefreshSummary(year, as_of)
    limits = rules.Limits.from_params(params)
    by_point = _rows_by_point(result)
    counted: dict[str, list[dt.datetime]] = {
        pid: [r["start"] for r in rows if r["counted"]] for pid, rows in by_point.items()
    }
    district_rows = result.districts.to_pylist()
    feeder_rows = [r for r in result.feeders.to_pylist() if r["problem_line"]]
    basis = _basis(params)
    with transaction.atomic():
        districts = {
            d.district_id: d
            for d in District.objects.select_related("feeder", "region", "company").filter(
                district_id__in=[r["district_id"] for r in district_rows]
            )
        }
        summary.statuses_changed = _sync_statuses(district_rows, districts, counted, year, as_of)
        frequent_by_feeder: dict[str, list[str]] = defaultdict(list)
        for r in district_rows:
            if not r["frequent"] or r["district_id"] not in districts:
                continue
            frequent_by_feeder[r["feeder_id"]].append(r["district_id"])
            district = districts[r["district_id"]]
            evidence = _evidence((r["district_id"], e) for e in by_point.get(r["district_id"], []))
            _sync_entry(
                summary,
                level=Level.DISTRICT,
                point_id=r["district_id"],
                district=district,
                feeder=district.feeder,
                values={
                    "rule": r["rule"] or "",
                    "count_year": r["count_year"],
                    "max_count_window": r["max_count_window"],
                    "window_days": r["window_days"],
                    "frequent_districts": 0,
                },
                evidence=evidence,
                counted_by_district={r["district_id"]: counted.get(r["district_id"], [])},
                basis=basis,
                limits=limits,
                actor=actor,
            )
        feeders = {
            f.feeder_id: f
            for f in Feeder.objects.select_related("region", "company").filter(
                feeder_id__in=[r["feeder_id"] for r in feeder_rows]
            )
        }
        for r in feeder_rows:
            feeder = feeders.get(r["feeder_id"])
            if feeder is None:
                continue
            members = sorted(frequent_by_feeder.get(r["feeder_id"], []))
            evidence = _evidence(
                (did, e) for did in members for e in by_point.get(did, []) if e["counted"]
            )
            _sync_entry(
                summary,
                level=Level.LINE,
                point_id=r["feeder_id"],
                district=None,
                feeder=feeder,
                values={
                    "rule": "problem_line",
                    "count_year": r["count_year"],
                    "max_count_window": r["max_count_window"],
                    "window_days": r["window_days"],
                    "frequent_districts": r["frequent_districts"],
                },
                evidence=evidence,
                counted_by_district={did: counted.get(did, []) for did in members},
                basis=basis,
                limits=limits,
                actor=actor,
            )
        summary.snapshot_changed = _sync_snapshot(result, year, as_of, district_rows, districts)
    return summary


def _sync_statuses(
    rows: list[dict[str, Any]],
    districts: dict[str, District],
    counted: dict[str, list[dt.datetime]],
    year: int,
    as_of: dt.date,
) -> int:
    existing = {s.district_id: s for s in DistrictStatus.objects.filter(year=year)}
    new, changed, seen = [], [], set()
    fields = [
        "as_of",
        "count_year",
        "max_count_window",
        "window_days",
        "frequent",
        "rule",
        "warning",
    ]
    for r in rows:
        d = districts.get(r["district_id"])
        if d is None:
            continue
        seen.add(d.pk)
        wanted = {
            "as_of": as_of,
            "count_year": r["count_year"],
            "max_count_window": r["max_count_window"],
            "window_days": r["window_days"],
            "frequent": bool(r["frequent"]),
            "rule": r["rule"] or "",
            "warning": r["warning"] or "",
            "counted_starts": [t.isoformat() for t in counted.get(r["district_id"], [])],
        }
        s = existing.get(d.pk)
        if s is None:
            new.append(DistrictStatus(district=d, year=year, **wanted))
        elif any(getattr(s, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(s, k, v)
            changed.append(s)
    DistrictStatus.objects.bulk_create(new, batch_size=2000)
    DistrictStatus.objects.bulk_update(changed, [*fields, "counted_starts"], batch_size=2000)
    stale = [s.pk for pk, s in existing.items() if pk not in seen]
    if stale:
        DistrictStatus.objects.filter(pk__in=stale).delete()
    return len(new) + len(changed) + len(stale)


def _sync_snapshot(
    result: AnalysisResult,
    year: int,
    as_of: dt.date,
    rows: list[dict[str, Any]],
    districts: dict[str, District],
) -> bool:
    by_region: dict[str, int] = defaultdict(int)
    for r in rows:
        d = districts.get(r["district_id"])
        if r["frequent"] and d is not None:
            by_region[d.region_id] += 1
    wanted = {
        "as_of": as_of,
        "indices": json.loads(json.dumps(result.indices)),
        "quality": json.loads(json.dumps(result.quality)),
        "parameters": json.loads(json.dumps(result.parameters)),
        "frequent_by_region": dict(sorted(by_region.items())),
        # The dashboard's region × month table: the engine's own figures.
        "by_region_month": json.loads(json.dumps(indices_by_region_month(result.indices))),
    }
    snap = ReliabilitySnapshot.objects.filter(year=year).first()
    if snap is not None and all(getattr(snap, k) == v for k, v in wanted.items()):
        return False
    if snap is None:
        snap = ReliabilitySnapshot(year=year)
    for k, v in wanted.items():
        setattr(snap, k, v)
    snap.save()
    return True


def entry_number(level: str, year: int, point_id: str) -> str:
    return f"{year}{'TQ' if level == Level.DISTRICT else 'XL'}-{point_id}"[:32]


def _reopen_text(
    fired: list[str],
    after: list[dt.datetime],
    rectified_on: dt.date,
    evidence: list[dict],
    limits: rules.Limits,
) -> str:
    """The stored re-open reason (written in the language active during the refresh — the
    source language for the CLI job)."""
    by_start = {e["start"]: e for e in evidence}
    parts = []
    for t in after:
        e = by_start.get(t.isoformat(sep=" "))
        if e is None:
            parts.append(f"{t:%Y-%m-%d %H:%M}")
            continue
        if e["minutes"] is not None:
            duration = _("%(minutes).0f分钟") % {"minutes": e["minutes"]}
        else:
            duration = _("未复电")
        parts.append(
            _("%(start)s（%(cause)s，%(duration)s）")
            % {
                "start": f"{t:%Y-%m-%d %H:%M}",
                "cause": CAUSE_LABELS.get(e["cause"], e["cause"]),
                "duration": duration,
            }
        )
    return _(
        "整改完成日（%(rectified)s）之后又发生计入停电：%(interruptions)s，再次超过标准：%(rules)s"
    ) % {
        "rectified": f"{rectified_on:%Y-%m-%d}",
        "interruptions": _("、").join(parts),
        "rules": rule_text(",".join(fired), limits.label_values()),
    }


def _sync_entry(
    summary: RefreshSummary,
    *,
    level: str,
    point_id: str,
    district: District | None,
    feeder: Feeder,
    values: dict[str, Any],
    evidence: list[dict[str, Any]],
    counted_by_district: dict[str, list[dt.datetime]],
    basis: list[dict[str, Any]],
    limits: rules.Limits,
    actor: Any,
) -> None:
    year, as_of = summary.year, summary.as_of
    owner = district or feeder
    entry = (
        LedgerEntry.objects.select_for_update()
        .filter(level=level, point_id=point_id, year=year)
        .first()
    )
    ev_hash = _hash(evidence)
    if entry is None:
        # Identified on the day of the breach (the engine's data), not the day of the run, so
        # the entry's age is the age of the problem and a late refresh changes nothing.
        breach_days = sorted(
            d
            for d in (
                rules.breach_date([t.date() for t in c], limits)
                for c in counted_by_district.values()
            )
            if d is not None
        )
        need = limits.outage_problem_line_min_districts if level == Level.LINE else 1
        identified_on = breach_days[need - 1] if len(breach_days) >= need else as_of
        entry = LedgerEntry.objects.create(
            number=entry_number(level, year, point_id),
            level=level,
            year=year,
            point_id=point_id,
            district=district,
            feeder=feeder,
            company=owner.company,
            region=owner.region,
            status=EntryStatus.IDENTIFIED,
            as_of=as_of,
            identified_on=identified_on,
            basis=basis,
            evidence_hash=ev_hash,
            **values,
        )
        _replace_evidence(entry, evidence)
        record(actor, "outages.identify", entry, new={"status": entry.status, **values})
        summary.created.append(entry.number)
        return
    old = {k: getattr(entry, k) for k in values}
    changes = {k: v for k, v in values.items() if getattr(entry, k) != v}
    if basis != entry.basis:
        changes["basis"] = basis
    evidence_changed = ev_hash != entry.evidence_hash
    reopen = None
    if entry.rectified_on and entry.status in (
        EntryStatus.OBSERVATION,
        EntryStatus.VERIFIED,
        EntryStatus.CLOSED,
    ):
        for counted in counted_by_district.values():
            fired, after = rules.reopen_breach(counted, entry.rectified_on, limits)
            if fired:
                reopen = _reopen_text(fired, after, entry.rectified_on, evidence, limits)
                break
    if not changes and not evidence_changed and reopen is None:
        return
    audit_old: dict[str, Any] = {k: old[k] for k in changes if k in old}
    for k, v in changes.items():
        setattr(entry, k, v)
    entry.as_of = as_of
    if evidence_changed:
        entry.evidence_hash = ev_hash
        _replace_evidence(entry, evidence)
        changes["evidence"] = len(evidence)
    action = "outages.refresh_entry"
    if reopen is not None:
        audit_old.update(status=entry.status, verified_on=entry.verified_on)
        audit_old["closed_on"] = entry.closed_on
        entry.status = EntryStatus.REOPENED
        entry.reopened_count += 1
        entry.reopened_on = timezone.localdate()
        entry.reopen_reason = reopen
        entry.verified_on = entry.closed_on = None
        entry.verified_by = entry.closed_by = None
        entry.inspection_kind, entry.inspection_record = "", ""
        changes.update(status=entry.status, reopened_count=entry.reopened_count)
        action = "outages.reopen"
        summary.reopened.append(entry.number)
    else:
        summary.updated.append(entry.number)
    entry.version += 1
    entry.save()
    record(actor, action, entry, old=audit_old, new=changes, reason=reopen or "")


def _replace_evidence(entry: LedgerEntry, evidence: list[dict[str, Any]]) -> None:
    entry.interruptions.all().delete()
    LedgerInterruption.objects.bulk_create(
        [
            LedgerInterruption(
                entry=entry,
                point_id=e["point_id"],
                start=_aware(dt.datetime.fromisoformat(e["start"])),
                end=_aware(dt.datetime.fromisoformat(e["end"])) if e["end"] else None,
                minutes=e["minutes"],
                cause=e["cause"],
                counted=e["counted"],
                momentary=e["momentary"],
                merged=e["merged"],
                excluded=e["excluded"],
                unrestored=e["unrestored"],
                open=e["open"],
            )
            for e in evidence
        ]
    )


# --------------------------------------------------------------------------------------------
# Ledger lifecycle
# --------------------------------------------------------------------------------------------


def _locked(entry: LedgerEntry, version: int | None) -> LedgerEntry:
    fresh = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if version is not None and fresh.version != version:
        raise Conflict(_("该条目已被他人更新，请刷新后重试"))
    return fresh


def _require_status(entry: LedgerEntry, allowed: Sequence[str]) -> None:
    if entry.status not in allowed:
        raise Conflict(
            _("当前状态（%(status)s）不能进行此操作") % {"status": entry.get_status_display()}
        )


def _require_company(actor: Any, entry: LedgerEntry) -> None:
    if not selectors.can_work_on(actor, entry.company_id, entry.region_id):
        raise NotAllowed(_("只有该台区/线路所属供电企业的工作人员可以办理"))


def _text(value: str, field: str, label: str, max_length: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("请填写%(label)s") % {"label": label}, field)
    if len(value) > max_length:
        raise InvalidInput(_("%(label)s过长") % {"label": label}, field)
    return value


def _snapshot(entry: LedgerEntry, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(entry, f) for f in fields}


def plan_rectification(
    actor: Any,
    entry: LedgerEntry,
    *,
    measures: str,
    target_on: dt.date | None,
    responsible_team: str,
    budget_wan: Decimal | None = None,
    version: int | None = None,
) -> LedgerEntry:
    """The supply company's rectification plan (整线成片 etc.): measures, budget, date, team."""
    _require_company(actor, entry)
    measures = _text(measures, "measures", _("整改措施"))
    team = _text(responsible_team, "responsible_team", _("责任班组"), 128)
    if target_on is None:
        raise InvalidInput(_("请填写计划完成日期"), "target_on")
    if target_on < timezone.localdate():
        raise InvalidInput(_("计划完成日期不能早于今天"), "target_on")
    if budget_wan is not None and budget_wan < 0:
        raise InvalidInput(_("投资不能为负数"), "budget_wan")
    fields = ("status", "measures", "target_on", "responsible_team", "budget_wan")
    with transaction.atomic():
        entry = _locked(entry, version)
        _require_status(entry, (EntryStatus.IDENTIFIED, EntryStatus.REOPENED, EntryStatus.PLANNED))
        old = _snapshot(entry, fields)
        entry.status = EntryStatus.PLANNED
        entry.measures, entry.target_on = measures, target_on
        entry.responsible_team, entry.budget_wan = team, budget_wan
        entry.version += 1
        entry.save()
        record(actor, "outages.plan_rectification", entry, old, _snapshot(entry, fields))
    return entry


def record_rectification(
    actor: Any,
    entry: LedgerEntry,
    *,
    rectified_on: dt.date | None,
    note: str,
    version: int | None = None,
) -> LedgerEntry:
    """Rectification done: the observation period (policy, default 60 days) starts."""
    _require_company(actor, entry)
    note = _text(note, "note", _("整改完成情况"))
    today = timezone.localdate()
    if rectified_on is None:
        raise InvalidInput(_("请填写整改完成日期"), "rectified_on")
    if rectified_on > today:
        raise InvalidInput(_("整改完成日期不能晚于今天"), "rectified_on")
    fields = ("status", "rectified_on", "rectification_note", "observation_days")
    with transaction.atomic():
        entry = _locked(entry, version)
        _require_status(entry, (EntryStatus.PLANNED,))
        if rectified_on < entry.identified_on:
            raise InvalidInput(_("整改完成日期不能早于识别日期"), "rectified_on")
        period = param("quality_observation_days", rectified_on)
        old = _snapshot(entry, fields)
        entry.status = EntryStatus.OBSERVATION
        entry.rectified_on, entry.rectification_note = rectified_on, note
        entry.observation_days = period.value
        entry.observation_basis = period.as_dict()
        entry.version += 1
        entry.save()
        record(actor, "outages.record_rectification", entry, old, _snapshot(entry, fields))
    return entry


def counted_since_rectified(entry: LedgerEntry) -> list[dt.datetime]:
    """Counted interruptions (local time) behind the entry, for the observation logic."""
    return [
        _local(i.start)
        for i in entry.interruptions.filter(counted=True)
        if entry.rectified_on and _local(i.start).date() > entry.rectified_on
    ]


def observation_end(entry: LedgerEntry) -> dt.date | None:
    if not entry.rectified_on or entry.observation_days is None:
        return None
    return rules.observation_end(
        entry.rectified_on, counted_since_rectified(entry), entry.observation_days
    )


def verify_entry(
    actor: Any,
    entry: LedgerEntry,
    *,
    verified_on: dt.date | None,
    inspection_kind: str,
    inspection_record: str,
    version: int | None = None,
) -> LedgerEntry:
    """The regulator's follow-up evaluation (L30): site inspection and/or user visits, after an
    observation period without a new counted interruption."""
    if not selectors.can_verify(actor):
        raise NotAllowed(
            _("只有%(org)s的监管人员可以核验销号（L30）")
            % {"org": selectors.signoff_organisation().value}
        )
    if inspection_kind not in InspectionKind.values:
        raise InvalidInput(_("请选择核验方式"), "inspection_kind")
    record_text = _text(inspection_record, "inspection_record", _("核验记录"))
    today = timezone.localdate()
    if verified_on is None or verified_on > today:
        raise InvalidInput(_("核验日期不能为空或晚于今天"), "verified_on")
    fields = ("status", "verified_on", "inspection_kind", "inspection_record", "verified_by")
    with transaction.atomic():
        entry = _locked(entry, version)
        _require_status(entry, (EntryStatus.OBSERVATION,))
        end = observation_end(entry)
        if end is None or today <= end:
            raise Conflict(
                _("观察期至%(end)s，期满且无新的计入停电后方可核验")
                % {"end": end.isoformat() if end else "—"}
            )
        if verified_on <= end:
            raise InvalidInput(_("核验日期须在观察期满之后"), "verified_on")
        old = _snapshot(entry, fields)
        entry.status = EntryStatus.VERIFIED
        entry.verified_on, entry.inspection_kind = verified_on, inspection_kind
        entry.inspection_record, entry.verified_by = record_text, actor
        entry.version += 1
        entry.save()
        record(actor, "outages.verify", entry, old, _snapshot(entry, fields))
    return entry


def close_entry(
    actor: Any, entry: LedgerEntry, *, reason: str = "", version: int | None = None
) -> LedgerEntry:
    """闭环销号 by the regulator after verification."""
    if not selectors.can_verify(actor):
        raise NotAllowed(
            _("只有%(org)s的监管人员可以核验销号（L30）")
            % {"org": selectors.signoff_organisation().value}
        )
    with transaction.atomic():
        entry = _locked(entry, version)
        _require_status(entry, (EntryStatus.VERIFIED,))
        old = _snapshot(entry, ("status", "closed_on"))
        entry.status, entry.closed_on, entry.closed_by = (
            EntryStatus.CLOSED,
            timezone.localdate(),
            actor,
        )
        entry.version += 1
        entry.save()
        record(
            actor,
            "outages.close",
            entry,
            old,
            _snapshot(entry, ("status", "closed_on")),
            reason=reason.strip(),
        )
    return entry


# --------------------------------------------------------------------------------------------
# Early warning
# --------------------------------------------------------------------------------------------


@dataclass
class WarningRow:
    status: DistrictStatus
    margin: int
    recent: int
    codes: list[str]


def warning_list(statuses: Iterable[DistrictStatus], as_of: dt.date | None = None) -> list:
    """Districts not yet frequent with an early warning, soonest breach first: fewest further
    counted interruptions needed, then most interruptions in the trailing window."""
    rows = []
    for s in statuses:
        if s.frequent or not s.warning:
            continue
        params = params_from_policy(s.as_of)
        limits = rules.Limits.from_params(params)
        days = [dt.datetime.fromisoformat(t).date() for t in s.counted_starts]
        margin = rules.breach_margin(days, as_of or s.as_of, limits)
        start = (as_of or s.as_of) - dt.timedelta(days=limits.outage_window_days - 2)
        recent = sum(1 for d in days if d >= start)
        rows.append(WarningRow(s, margin, recent, s.warning.split(",")))
    rows.sort(key=lambda r: (r.margin, -r.recent, -r.status.count_year, r.status.district_id))
    return rows


# --------------------------------------------------------------------------------------------
# Planned outages (L25, 电力供应与使用条例 art. 28)
# --------------------------------------------------------------------------------------------


def _next_number(model: type, prefix: str) -> str:
    today = timezone.localdate()
    stem = f"{prefix}{today:%Y%m%d}"
    n = model.objects.filter(number__startswith=stem).count() + 1
    while model.objects.filter(number=f"{stem}{n:04d}").exists():
        n += 1
    return f"{stem}{n:04d}"


def affected_districts(feeder: Feeder, districts: Sequence[District]) -> list[District]:
    return list(districts) if districts else list(feeder.districts.order_by("district_id"))


@dataclass
class PlannedCheck:
    notice_ok: bool
    earliest_start: dt.date
    notice_basis: dict[str, Any]
    merge_candidates: list[PlannedOutage]
    merge_basis: dict[str, Any]
    warnings: list[dict[str, Any]]


def check_planned(
    feeder: Feeder,
    districts: Sequence[District],
    start: dt.datetime,
    exclude: PlannedOutage | None = None,
) -> PlannedCheck:
    """Notice period, other planned work on the same equipment (一停多用) and the L28 warning."""
    today = timezone.localdate()
    notice = param("quality_planned_notice_days", today)
    earliest = rules.earliest_planned_start(today, notice.value)
    window = param("quality_merge_lookahead_days", today)
    span = dt.timedelta(days=window.value)
    others = PlannedOutage.objects.filter(
        feeder=feeder,
        status=PlannedOutage.Status.ANNOUNCED,
        start__gte=start - span,
        start__lte=start + span,
    ).order_by("start")
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    local_start = _local(start)
    params = params_from_policy(local_start.date())
    limits = rules.Limits.from_params(params)
    warnings = []
    for d in affected_districts(feeder, districts):
        status = DistrictStatus.objects.filter(district=d, year=local_start.year).first()
        counted = [dt.datetime.fromisoformat(t) for t in status.counted_starts] if status else []
        as_of = status.as_of if status else dt.date(local_start.year, 1, 1)
        planned = [
            _local(p.start)
            for p in PlannedOutage.objects.filter(status=PlannedOutage.Status.ANNOUNCED)
            .filter(Q(districts=d) | Q(feeder_id=d.feeder_id, districts__isnull=True))
            .distinct()
            if _local(p.start).date() > as_of and (exclude is None or p.pk != exclude.pk)
        ]
        projection = rules.project_planned(counted, planned, local_start, limits)
        if projection.breaches:
            warnings.append(
                {
                    "district_id": d.district_id,
                    "name": d.name,
                    "count_year": projection.count_year,
                    "max_count_window": projection.max_count_window,
                    "window_days": limits.outage_window_days,
                    "breaches": projection.breaches,
                    "text": rule_text(",".join(projection.breaches), limits.label_values()),
                }
            )
    return PlannedCheck(
        notice_ok=rules.notice_ok(today, local_start.date(), notice.value),
        earliest_start=earliest,
        notice_basis=notice.as_dict(),
        merge_candidates=list(others),
        merge_basis=window.as_dict(),
        warnings=warnings,
    )


def create_planned_outage(
    actor: Any,
    *,
    feeder: Feeder,
    districts: Sequence[District],
    start: dt.datetime | None,
    end: dt.datetime | None,
    work: str,
    confirm_warning: bool = False,
    merge_with: Sequence[PlannedOutage] = (),
) -> PlannedOutage:
    """Announce a planned outage: at least the policy's notice days ahead (电力供应与使用条例
    art. 28); a projected L28 breach must be confirmed explicitly; customers are notified."""
    if not selectors.can_work_on(actor, feeder.company_id, feeder.region_id):
        raise NotAllowed(_("只有该线路所属供电企业的工作人员可以登记计划停电"))
    work = _text(work, "work", _("工作内容"))
    if start is None:
        raise InvalidInput(_("请填写停电开始时间"), "start")
    if end is None or end <= start:
        raise InvalidInput(_("停电结束时间须晚于开始时间"), "end")
    if any(d.feeder_id != feeder.pk for d in districts):
        raise InvalidInput(_("所选台区不在该线路上"), "districts")
    check = check_planned(feeder, districts, start)
    if not check.notice_ok:
        raise InvalidInput(
            _("计划停电须至少提前%(days)s天公告（%(source)s），最早可安排在%(date)s")
            % {
                "days": check.notice_basis["value"],
                "source": check.notice_basis.get("source", ""),
                "date": check.earliest_start.isoformat(),
            },
            "start",
        )
    if check.warnings and not confirm_warning:
        names = "、".join(w["name"] or w["district_id"] for w in check.warnings)
        raise InvalidInput(
            _("该计划停电将使台区%(names)s超过频繁停电标准（L28），请确认后再提交")
            % {"names": names},
            "confirm_warning",
        )
    merge_ids = {p.pk for p in check.merge_candidates}
    for other in merge_with:
        if other.pk not in merge_ids:
            raise InvalidInput(_("只能与同一线路窗口期内的计划停电合并"), "merge_with")
    with transaction.atomic():
        outage = PlannedOutage.objects.create(
            number=_next_number(PlannedOutage, "JH"),
            company_id=feeder.company_id,
            feeder=feeder,
            start=start,
            end=end,
            work=work,
            announced_on=timezone.localdate(),
            notice_basis=check.notice_basis,
            frequent_warning=check.warnings,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        outage.districts.set(districts)
        if merge_with:
            outage.merged_with.set(merge_with)
        record(
            actor,
            "outages.announce_planned",
            outage,
            new={
                "feeder": feeder.feeder_id,
                "districts": [d.district_id for d in districts],
                "start": start,
                "end": end,
                "work": work,
                "warnings": check.warnings,
                "merged_with": [p.number for p in merge_with],
            },
        )
        text = _("计划停电通知：%(start)s至%(end)s，%(place)s停电，工作内容：%(work)s") % {
            "start": timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
            "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M"),
            "place": str(feeder),
            "work": work,
        }
        notify.notify_districts(
            affected_districts(feeder, districts),
            CustomerNotice.Kind.PLANNED,
            text,
            planned_outage=outage,
        )
    return outage


def cancel_planned_outage(actor: Any, outage: PlannedOutage, reason: str) -> PlannedOutage:
    """Cancel an announced planned outage before it starts: one audit row with the reason, and
    the customers of its districts (the same ones its announcement notified) are told. Cancelling
    an outage already cancelled changes nothing and notifies nobody again."""
    if not selectors.can_work_on(actor, outage.company_id, outage.feeder.region_id):
        raise NotAllowed(_("只有该线路所属供电企业的工作人员可以取消计划停电"))
    reason = _text(reason, "reason", _("取消原因"), 500)
    with transaction.atomic():
        outage = (
            PlannedOutage.objects.select_for_update().select_related("feeder").get(pk=outage.pk)
        )
        if outage.status == PlannedOutage.Status.CANCELLED:
            return outage
        if outage.status != PlannedOutage.Status.ANNOUNCED:
            raise Conflict(_("该计划停电已完成，不能取消"))
        if outage.start <= timezone.now():
            raise Conflict(_("该计划停电已开始，不能取消"))
        outage.status = PlannedOutage.Status.CANCELLED
        outage.save(update_fields=["status"])
        record(actor, "outages.cancel_planned", outage, {"status": "announced"},
               {"status": outage.status}, reason=reason)  # fmt: skip
        text = _(
            "计划停电取消通知：原定%(start)s至%(end)s%(place)s的计划停电（%(number)s）已取消，"
            "原因：%(reason)s"
        ) % {
            "start": timezone.localtime(outage.start).strftime("%Y-%m-%d %H:%M"),
            "end": timezone.localtime(outage.end).strftime("%Y-%m-%d %H:%M"),
            "place": str(outage.feeder),
            "number": outage.number,
            "reason": reason,
        }
        notify.notify_districts(
            affected_districts(outage.feeder, list(outage.districts.all())),
            CustomerNotice.Kind.PLANNED,
            text,
            planned_outage=outage,
        )
    return outage


# --------------------------------------------------------------------------------------------
# Repair tickets (L24, L47)
# --------------------------------------------------------------------------------------------

STAGE_FIELD = {
    RepairStage.ACCEPTED: "accepted_at",
    RepairStage.DISPATCHED: "dispatched_at",
    RepairStage.ARRIVED: "arrived_at",
    RepairStage.REPAIRING: "repairing_at",
    RepairStage.RESTORED: "restored_at",
}


def open_repair(
    actor: Any, *, district: District, description: str, accepted_at: dt.datetime | None = None
) -> RepairTicket:
    """受理: a fault report on a district; the arrival commitment is the policy's for its area."""
    if not selectors.can_work_on(actor, district.company_id, district.region_id):
        raise NotAllowed(_("只有该台区所属供电企业的工作人员可以受理抢修"))
    description = _text(description, "description", _("故障描述"), 255)
    now = timezone.now()
    accepted_at = accepted_at or now
    if accepted_at > now:
        raise InvalidInput(_("受理时间不能晚于当前时间"), "accepted_at")
    commitment = param("quality_repair_arrival_minutes", timezone.localdate(accepted_at))
    with transaction.atomic():
        ticket = RepairTicket.objects.create(
            number=_next_number(RepairTicket, "QX"),
            company_id=district.company_id,
            district=district,
            feeder_id=district.feeder_id,
            area=district.area,
            description=description,
            accepted_at=accepted_at,
            commitment_minutes=commitment.value[district.area],
            commitment_basis=commitment.as_dict(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record(actor, "outages.open_repair", ticket, new={"stage": ticket.stage})
        notify.notify_districts(
            [district],
            CustomerNotice.Kind.REPAIR,
            _("抢修工单%(n)s已受理：%(d)s") % {"n": ticket.number, "d": description},
            repair=ticket,
        )
    return ticket


def advance_repair(
    actor: Any, ticket: RepairTicket, *, stage: str, at: dt.datetime | None = None
) -> RepairTicket:
    """Move a ticket to its next stage with a timestamp (never earlier than the last one)."""
    if not selectors.can_work_on(actor, ticket.company_id, ticket.district.region_id):
        raise NotAllowed(_("只有该台区所属供电企业的工作人员可以更新抢修进度"))
    if stage not in REPAIR_STAGE_ORDER:
        raise InvalidInput(_("抢修环节无效"), "stage")
    now = timezone.now()
    at = at or now
    if at > now:
        raise InvalidInput(_("时间不能晚于当前时间"), "at")
    with transaction.atomic():
        ticket = (
            RepairTicket.objects.select_for_update().select_related("district").get(pk=ticket.pk)
        )
        current = REPAIR_STAGE_ORDER.index(ticket.stage)
        if REPAIR_STAGE_ORDER.index(stage) != current + 1:
            raise Conflict(_("抢修进度须按 受理→派工→到达现场→抢修中→已复电 依次更新"))
        previous = getattr(ticket, STAGE_FIELD[RepairStage(ticket.stage)])
        if at < previous:
            raise InvalidInput(_("时间不能早于上一环节"), "at")
        old = {"stage": ticket.stage}
        ticket.stage = stage
        setattr(ticket, STAGE_FIELD[RepairStage(stage)], at)
        new: dict[str, Any] = {"stage": stage, STAGE_FIELD[RepairStage(stage)]: at}
        if stage == RepairStage.ARRIVED:
            ticket.arrival_minutes, ticket.late = rules.arrival_late(
                ticket.accepted_at, at, ticket.commitment_minutes
            )
            new.update(arrival_minutes=ticket.arrival_minutes, late=ticket.late)
        ticket.save()
        record(actor, "outages.advance_repair", ticket, old, new)
        kind = (
            CustomerNotice.Kind.RESTORED
            if stage == RepairStage.RESTORED
            else CustomerNotice.Kind.REPAIR
        )
        notify.notify_districts(
            [ticket.district],
            kind,
            _("抢修工单%(n)s：%(stage)s（%(at)s）")
            % {
                "n": ticket.number,
                "stage": RepairStage(stage).label,
                "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
            },
            repair=ticket,
        )
    return ticket


# --------------------------------------------------------------------------------------------
# Customer accounts
# --------------------------------------------------------------------------------------------


def bind_meter(actor: Any, meter: Meter, account: Any) -> Meter:
    """Bind a meter to a customer's account (staff of the meter's company); not a retired one
    (unbinding it, account None, is allowed)."""
    d = meter.district
    if not selectors.can_work_on(actor, d.company_id, d.region_id):
        raise NotAllowed(_("只有该台区所属供电企业的工作人员可以绑定用电户"))
    if account is not None and meter.retired_on is not None:
        raise InvalidInput(_("该电能表已退役（不在最新电网档案中），不能绑定用电户"), "meter")
    with transaction.atomic():
        old = {"account": meter.account_id}
        meter.account = account
        meter.save(update_fields=["account"])
        new = {"account": account.pk if account else None}
        record(actor, "outages.bind_meter", meter, old, new)
    return meter
