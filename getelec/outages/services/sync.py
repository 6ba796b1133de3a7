"""The daily refresh: run the analytics engine on the data folder and the registry, then update
the problem ledger, the district statuses and the reliability snapshot in one transaction.
Idempotent: a second run on the same inputs changes nothing (no row, no audit).

Only a breach that includes a counted interruption after the rectified date re-opens an entry
(year-to-date counts never fall), and the entry says which interruption did it (L28, L30).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.analytics.api import AnalysisResult, analyze, indices_by_region_month
from getelec.analytics.params import OutageParams, params_from_policy
from getelec.audit.services import record
from getelec.kernel.errors import InvalidInput
from getelec.outages import datasource, messages, rules
from getelec.outages.localtime import aware
from getelec.outages.models import (
    District,
    DistrictStatus,
    EntryStatus,
    Feeder,
    LedgerEntry,
    LedgerInterruption,
    Level,
    ReliabilitySnapshot,
)
from getelec.outages.registry import export_registry
from getelec.outages.services.ledger import entry_number
from getelec.runlock import run_lock

REFRESH_ACTOR = "getelec outages refresh"
REFRESH_LOCK = "outages-refresh"
LEDGER_BASIS_PARAMETERS = (
    "outage_year_max_count",
    "outage_window_days",
    "outage_window_max_count",
    "outage_excluded_causes",
    "outage_problem_line_min_districts",
)


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


@dataclass
class _Run:
    """What every entry of one refresh is synchronised with."""

    summary: RefreshSummary
    by_point: dict[str, list[dict[str, Any]]]
    counted: dict[str, list[dt.datetime]]
    basis: list[dict[str, Any]]
    limits: rules.Limits
    actor: Any


def apply_result(
    result: AnalysisResult,
    year: int,
    as_of: dt.date,
    params: OutageParams,
    actor: Any = REFRESH_ACTOR,
) -> RefreshSummary:
    """Write the engine's result into the ledger (one transaction)."""
    summary = RefreshSummary(year, as_of)
    by_point = _rows_by_point(result)
    counted: dict[str, list[dt.datetime]] = {
        pid: [r["start"] for r in rows if r["counted"]] for pid, rows in by_point.items()
    }
    run = _Run(summary, by_point, counted, _basis(params), rules.Limits.from_params(params), actor)
    district_rows = result.districts.to_pylist()
    feeder_rows = [r for r in result.feeders.to_pylist() if r["problem_line"]]
    with transaction.atomic():
        districts = {
            d.district_id: d
            for d in District.objects.select_related("feeder", "region", "company").filter(
                district_id__in=[r["district_id"] for r in district_rows]
            )
        }
        summary.statuses_changed = _sync_statuses(district_rows, districts, counted, year, as_of)
        frequent_by_feeder = _sync_district_entries(run, district_rows, districts)
        _sync_line_entries(run, feeder_rows, frequent_by_feeder)
        summary.snapshot_changed = _sync_snapshot(result, year, as_of, district_rows, districts)
    return summary


def _sync_district_entries(
    run: _Run, district_rows: list[dict[str, Any]], districts: dict[str, District]
) -> dict[str, list[str]]:
    """One entry per frequent district; returns the frequent districts of each feeder."""
    frequent_by_feeder: dict[str, list[str]] = defaultdict(list)
    for r in district_rows:
        if not r["frequent"] or r["district_id"] not in districts:
            continue
        frequent_by_feeder[r["feeder_id"]].append(r["district_id"])
        district = districts[r["district_id"]]
        evidence = _evidence((r["district_id"], e) for e in run.by_point.get(r["district_id"], []))
        _sync_entry(
            run,
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
            counted_by_district={r["district_id"]: run.counted.get(r["district_id"], [])},
        )
    return frequent_by_feeder


def _sync_line_entries(
    run: _Run, feeder_rows: list[dict[str, Any]], frequent_by_feeder: dict[str, list[str]]
) -> None:
    """One entry per problem line, with the counted interruptions of its frequent districts."""
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
            (did, e) for did in members for e in run.by_point.get(did, []) if e["counted"]
        )
        _sync_entry(
            run,
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
            counted_by_district={did: run.counted.get(did, []) for did in members},
        )


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


def _sync_entry(
    run: _Run,
    *,
    level: str,
    point_id: str,
    district: District | None,
    feeder: Feeder,
    values: dict[str, Any],
    evidence: list[dict[str, Any]],
    counted_by_district: dict[str, list[dt.datetime]],
) -> None:
    summary = run.summary
    entry = (
        LedgerEntry.objects.select_for_update()
        .filter(level=level, point_id=point_id, year=summary.year)
        .first()
    )
    if entry is None:
        entry = _identify(
            run, level, point_id, district, feeder, values, evidence, counted_by_district
        )
        summary.created.append(entry.number)
        return
    ev_hash = _hash(evidence)
    old = {k: getattr(entry, k) for k in values}
    changes = {k: v for k, v in values.items() if getattr(entry, k) != v}
    if run.basis != entry.basis:
        changes["basis"] = run.basis
    evidence_changed = ev_hash != entry.evidence_hash
    reopen = _reopen_reason(entry, counted_by_district, evidence, run.limits)
    if not changes and not evidence_changed and reopen is None:
        return
    audit_old: dict[str, Any] = {k: old[k] for k in changes if k in old}
    for k, v in changes.items():
        setattr(entry, k, v)
    entry.as_of = summary.as_of
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
    record(run.actor, action, entry, old=audit_old, new=changes, reason=reopen or "")


def _identify(
    run: _Run,
    level: str,
    point_id: str,
    district: District | None,
    feeder: Feeder,
    values: dict[str, Any],
    evidence: list[dict[str, Any]],
    counted_by_district: dict[str, list[dt.datetime]],
) -> LedgerEntry:
    """A new entry. Identified on the day of the breach (the engine's data), not the day of
    the run, so the entry's age is the age of the problem and a late refresh changes nothing."""
    limits, year = run.limits, run.summary.year
    owner = district or feeder
    breach_days = sorted(
        d
        for d in (
            rules.breach_date([t.date() for t in c], limits) for c in counted_by_district.values()
        )
        if d is not None
    )
    need = limits.outage_problem_line_min_districts if level == Level.LINE else 1
    identified_on = breach_days[need - 1] if len(breach_days) >= need else run.summary.as_of
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
        as_of=run.summary.as_of,
        identified_on=identified_on,
        basis=run.basis,
        evidence_hash=_hash(evidence),
        **values,
    )
    _replace_evidence(entry, evidence)
    record(run.actor, "outages.identify", entry, new={"status": entry.status, **values})
    return entry


def _reopen_reason(
    entry: LedgerEntry,
    counted_by_district: dict[str, list[dt.datetime]],
    evidence: list[dict[str, Any]],
    limits: rules.Limits,
) -> str | None:
    """Why a rectified entry re-opens (a breach with a counted interruption after the rectified
    date), or None."""
    if not entry.rectified_on or entry.status not in (
        EntryStatus.OBSERVATION,
        EntryStatus.VERIFIED,
        EntryStatus.CLOSED,
    ):
        return None
    for counted in counted_by_district.values():
        fired, after = rules.reopen_breach(counted, entry.rectified_on, limits)
        if fired:
            return messages.reopen_reason(fired, after, entry.rectified_on, evidence, limits)
    return None


def _replace_evidence(entry: LedgerEntry, evidence: list[dict[str, Any]]) -> None:
    entry.interruptions.all().delete()
    LedgerInterruption.objects.bulk_create(
        [
            LedgerInterruption(
                entry=entry,
                point_id=e["point_id"],
                start=aware(dt.datetime.fromisoformat(e["start"])),
                end=aware(dt.datetime.fromisoformat(e["end"])) if e["end"] else None,
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
