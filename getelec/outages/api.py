"""JSON API of the supply-quality desk, mounted at /api/v1/quality/.

Ledger and warnings: scoped like the web (staff: own company; regulators/admins: all; others:
404 for one entry, an empty list otherwise). Disclosure and lookup are public, without personal
data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Respond
from ninja.pagination import paginate

from getelec.connection.schema import ErrorOut
from getelec.outages import selectors, throttle
from getelec.outages.models import LedgerEntry, RepairTicket
from getelec.webinput import BoundedLimitOffset

router = Router(tags=["quality"])

# Deprecated for one release: `max_count_60` repeats `max_count_window` (the most counted
# interruptions in any `window_days` consecutive days, L28); the window is policy data, so the
# old name could be wrong. Remove it in the release after the one that added max_count_window.
DEPRECATED_MAX_COUNT_60 = (
    "已弃用，保留一个版本：同 max_count_window（窗口天数见 window_days），请改用 max_count_window。"
)


def _max_count_window() -> Any:
    return Field(description="连续 window_days 天内最多计入停电次数（L28）")


def _window_days() -> Any:
    return Field(description="max_count_window 所用的窗口天数（政策参数 outage_window_days）")


def _max_count_60() -> Any:
    return Field(description=DEPRECATED_MAX_COUNT_60, deprecated=True)


class EntryOut(Schema):
    number: str
    level: str
    year: int
    point_id: str
    point_name: str
    feeder_name: str
    region: str
    status: str
    status_label: str
    rule: str
    count_year: int
    max_count_window: int = _max_count_window()
    window_days: int = _window_days()
    max_count_60: int = _max_count_60()
    measures: str
    target_on: dt.date | None
    rectified_on: dt.date | None
    closed_on: dt.date | None
    reopened_count: int

    @staticmethod
    def resolve_point_name(obj: LedgerEntry) -> str:
        return obj.point_name

    @staticmethod
    def resolve_max_count_60(obj: LedgerEntry) -> int:
        return obj.max_count_window

    @staticmethod
    def resolve_feeder_name(obj: LedgerEntry) -> str:
        return str(obj.feeder)

    @staticmethod
    def resolve_region(obj: LedgerEntry) -> str:
        return obj.region_id

    @staticmethod
    def resolve_status_label(obj: LedgerEntry) -> str:
        return obj.get_status_display()


class EntryDetailOut(EntryOut):
    company: str
    identified_on: dt.date
    budget_wan: float | None
    responsible_team: str
    verified_on: dt.date | None
    inspection_record: str
    reopen_reason: str
    basis: list[dict[str, Any]]

    @staticmethod
    def resolve_company(obj: LedgerEntry) -> str:
        return obj.company.name


class PublicEntryOut(Schema):
    year: int
    level: str
    region: str
    feeder_name: str
    district_name: str
    status: str
    status_label: str
    measures: str
    target_on: dt.date | None
    rectified_on: dt.date | None
    closed_on: dt.date | None

    @staticmethod
    def resolve_region(obj: LedgerEntry) -> str:
        return obj.region_id

    @staticmethod
    def resolve_feeder_name(obj: LedgerEntry) -> str:
        return str(obj.feeder)

    @staticmethod
    def resolve_district_name(obj: LedgerEntry) -> str:
        return str(obj.district) if obj.district_id else ""

    @staticmethod
    def resolve_status_label(obj: LedgerEntry) -> str:
        return obj.get_status_display()


class WarningOut(Schema):
    district_id: str
    district_name: str
    count_year: int
    max_count_window: int = _max_count_window()
    window_days: int = _window_days()
    max_count_60: int = _max_count_60()
    warning: str
    margin: int


class RepairOut(Schema):
    number: str
    district_name: str
    stage: str
    stage_label: str
    accepted_at: dt.datetime
    dispatched_at: dt.datetime | None
    arrived_at: dt.datetime | None
    repairing_at: dt.datetime | None
    restored_at: dt.datetime | None

    @staticmethod
    def resolve_district_name(obj: RepairTicket) -> str:
        return str(obj.district)

    @staticmethod
    def resolve_stage_label(obj: RepairTicket) -> str:
        return obj.get_stage_display()


class PlannedOut(Schema):
    number: str
    start: dt.datetime
    end: dt.datetime
    work: str


class LookupOut(Schema):
    district_name: str
    feeder_name: str
    served_area: str
    planned: list[PlannedOut]
    repairs: list[RepairOut]


@router.get(
    "/ledger",
    response=list[EntryOut],
    url_name="quality_ledger",
    description="问题台区/线路台账。max_count_60 " + DEPRECATED_MAX_COUNT_60,
)
@paginate(BoundedLimitOffset)
def ledger(request: HttpRequest, status: str = "", region: str = "", q: str = "") -> Any:
    params = {"status": status, "region": region, "q": q}
    return selectors.filter_entries(selectors.entries_for(request.user), params).order_by("pk")


@router.get(
    "/ledger/{number}",
    response=EntryDetailOut,
    url_name="quality_entry",
    description="台账条目详情。max_count_60 " + DEPRECATED_MAX_COUNT_60,
)
def entry(request: HttpRequest, number: str) -> Any:
    return selectors.get_entry_for(request.user, number)


@router.get(
    "/warnings",
    response=list[WarningOut],
    url_name="quality_warnings",
    description="预警台区。max_count_60 " + DEPRECATED_MAX_COUNT_60,
)
def warnings(request: HttpRequest) -> Any:
    year = timezone.localdate().year
    rows = selectors.warnings_for(request.user, year)
    return [
        {
            "district_id": r.status.district.district_id,
            "district_name": str(r.status.district),
            "count_year": r.status.count_year,
            "max_count_window": r.status.max_count_window,
            "window_days": r.status.window_days,
            "max_count_60": r.status.max_count_window,  # deprecated alias
            "warning": r.status.warning,
            "margin": r.margin,
        }
        for r in rows
    ]


@router.get("/disclosure", response=list[PublicEntryOut], auth=None, url_name="quality_public")
@paginate(BoundedLimitOffset)
def disclosure(request: HttpRequest, q: str = "") -> Any:
    qs = selectors.public_entries().order_by("-year", "region_id", "point_id")
    if q:
        qs = selectors.filter_entries(qs, {"q": q})
    return qs


@router.get(
    "/lookup",
    response={200: list[LookupOut], 429: ErrorOut},
    auth=None,
    url_name="quality_lookup",
    summary="停电及抢修进度查询（户号或电能表编号，精确匹配；按客户端限流）",
)
def lookup(request: HttpRequest, q: str = Query(..., min_length=1, max_length=64)) -> Any:
    minutes = throttle.admit(request)
    if minutes is not None:
        message = _("查询次数过多，请%(n)s分钟后再试") % {"n": minutes}
        return Respond(429, {"detail": message, "field": ""})
    now = timezone.now()
    out = []
    for d in selectors.lookup_districts(q):
        found = selectors.district_outages(d, now)
        out.append(
            {
                "district_name": str(d),
                "feeder_name": str(d.feeder),
                "served_area": d.served_area,
                **found,
            }
        )
    return out
