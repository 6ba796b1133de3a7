"""Scoped reads of the supply-quality desk: access control lives here.

- Supply-company staff see their own company's grid (entries, warnings, planned outages, repair
  tickets, notices) within their region scope; they act on them.
- The regulators read every company's desk in their region, admins everything
  (READ_QUALITY_LEDGER, getelec.accounts.powers); the organisation named in policy data signs
  off ledger entries (L30). A city energy authority has no quality-desk power.
- Customers (applicant accounts) see the meters bound to their account and their notices.
- The public sees only the disclosure (public_entries) and the outage/repair lookup, which carry
  no personal data.
Anything out of scope is a 404, never a 403.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from getelec.accounts.models import Organisation, Region
from getelec.accounts.powers import Power, powers_of
from getelec.analytics.params import params_from_policy
from getelec.audit.models import AuditEvent
from getelec.kernel import access
from getelec.kernel.access import (  # noqa: F401 (can_work_on: the domain's access check)
    can_work_on,
    company_filter,
    is_active,
    is_company_staff,
    region_filter,
)
from getelec.kernel.policy import param
from getelec.outages import rules
from getelec.outages.localtime import local_naive
from getelec.outages.models import (
    OPEN_ENTRY_STATUSES,
    CustomerNotice,
    District,
    DistrictStatus,
    EntryStatus,
    Feeder,
    LedgerEntry,
    LedgerInterruption,
    Meter,
    PlannedOutage,
    ReliabilitySnapshot,
    RepairStage,
    RepairTicket,
)
from getelec.webinput import query_int, query_year


def sees_everything(user: Any) -> bool:
    """Reads every company's quality desk in its region (READ_QUALITY_LEDGER: the regulators
    and admins, not a city energy authority); querysets narrow it with `region_filter`."""
    return access.sees_everything(user, Power.READ_QUALITY_LEDGER)


def is_desk_user(user: Any) -> bool:
    return sees_everything(user) or is_company_staff(user)


def signoff_organisation(on: dt.date | None = None) -> Any:
    """The organisation that verifies and signs off ledger entries (policy data; L30 names
    国家能源局西北监管局 as the responsible unit of row 30)."""
    return param("quality_signoff_organisation", on)


def can_verify(user: Any) -> bool:
    """Only regulators of the sign-off organisation verify and close entries (L30; the power
    SIGN_OFF_QUALITY, named in policy data); other regulators (e.g. 自治区发展改革委), city
    energy authorities and platform admins never sign off."""
    return powers_of(user).has(Power.SIGN_OFF_QUALITY)


# --------------------------------------------------------------------------------------------
# Ledger
# --------------------------------------------------------------------------------------------


def entries_for(user: Any) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.select_related(
        "company", "region", "region__parent", "feeder", "district"
    )
    if sees_everything(user):
        return qs.filter(region_filter(user))
    if is_company_staff(user):
        q = company_filter(user)
        return qs.filter(q) if q is not None else qs.none()
    return qs.none()


def get_entry_for(user: Any, number: str) -> LedgerEntry:
    found = entries_for(user).filter(number=number).first()
    if found is None:
        raise Http404(_("未找到该台账条目"))
    return found


def filter_entries(qs: QuerySet[LedgerEntry], params: Any) -> QuerySet[LedgerEntry]:
    status = (params.get("status") or "").strip()
    if status == "open":
        qs = qs.filter(status__in=OPEN_ENTRY_STATUSES)
    elif status in EntryStatus.values:
        qs = qs.filter(status=status)
    region = (params.get("region") or "").strip()
    if region.isdigit() and len(region) <= 12:
        qs = qs.filter(region__code__startswith=region.rstrip("0")[:6] or region)
    company = query_int(params, "company", minimum=1)
    if company is not None:
        qs = qs.filter(company_id=company)
    year = query_year(params)
    if year is not None:
        qs = qs.filter(year=year)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(point_id__icontains=q)
            | Q(feeder__name__icontains=q)
            | Q(district__name__icontains=q)
            | Q(feeder__feeder_id__icontains=q)
        )
    return qs


def public_entries() -> QuerySet[LedgerEntry]:
    """What L29 publishes: every entry, with public fields only (the templates and the export
    use PUBLIC_FIELDS; nothing personal is in an entry)."""
    return LedgerEntry.objects.select_related("region", "region__parent", "feeder", "district")


def overdue_entries(qs: QuerySet[LedgerEntry], today: dt.date) -> QuerySet[LedgerEntry]:
    """Rectification planned but not done by the target date."""
    return qs.filter(status=EntryStatus.PLANNED, target_on__lt=today)


def reopened_entries(qs: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    """Entries re-opened at least once, most recent first."""
    return qs.filter(reopened_count__gt=0).order_by("-reopened_on")


def open_entry_groups(qs: QuerySet[LedgerEntry], today: dt.date) -> list[dict[str, Any]]:
    """The open entries by company and city (a county counts in its city): counts by status,
    overdue, re-opened, and the oldest and mean age in days (the regulator's overview)."""
    by_group: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    ages: dict[tuple[str, str], list[int]] = defaultdict(list)
    for e in qs.filter(status__in=OPEN_ENTRY_STATUSES):
        city = e.region.parent.name if e.region.level == "county" and e.region.parent else ""
        key = (e.company.name, city or e.region.name)
        by_group[key][e.status] += 1
        by_group[key]["open"] += 1
        ages[key].append((today - e.identified_on).days)
        if e.status == EntryStatus.PLANNED and e.target_on and e.target_on < today:
            by_group[key]["overdue"] += 1
        if e.reopened_count:
            by_group[key]["reopened_any"] += 1
    return [
        {
            "company": company,
            "city": city,
            "open": counts["open"],
            "by_status": [counts[s] for s in OPEN_ENTRY_STATUSES],
            "overdue": counts["overdue"],
            "reopened_any": counts["reopened_any"],
            "oldest": max(ages[(company, city)]),
            "mean_age": round(sum(ages[(company, city)]) / len(ages[(company, city)])),
        }
        for (company, city), counts in sorted(by_group.items())
    ]


def entry_interruptions(entry: LedgerEntry) -> list[LedgerInterruption]:
    """The interruptions behind an entry (its evidence)."""
    return list(entry.interruptions.all())


def entry_history(entry: LedgerEntry) -> list[AuditEvent]:
    """The audit rows of an entry, oldest first (what was done, by whom, why)."""
    return list(
        AuditEvent.objects.filter(object_type="outages.ledgerentry", object_id=str(entry.pk))
        .order_by("at", "id")
        .only("at", "actor_label", "action", "reason")
    )


def counted_since_rectified(entry: LedgerEntry) -> list[dt.datetime]:
    """Counted interruptions (local time) behind the entry, for the observation logic."""
    return [
        local_naive(i.start)
        for i in entry.interruptions.filter(counted=True)
        if entry.rectified_on and local_naive(i.start).date() > entry.rectified_on
    ]


def observation_end(entry: LedgerEntry) -> dt.date | None:
    if not entry.rectified_on or entry.observation_days is None:
        return None
    return rules.observation_end(
        entry.rectified_on, counted_since_rectified(entry), entry.observation_days
    )


def latest_snapshot() -> ReliabilitySnapshot | None:
    """The newest yearly reliability snapshot (L27: published yearly; no personal data)."""
    return ReliabilitySnapshot.objects.order_by("-year").first()


def cities() -> list[Region]:
    """The cities, for the ledger's region filter."""
    return list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))


def supply_companies() -> list[Organisation]:
    """The supply companies, for the ledger's company filter (readers of every company)."""
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY).order_by("region_id")
    )


def disclosure_regions() -> QuerySet[Region]:
    """The regions a reader of the disclosure can filter by (cities and counties)."""
    return Region.objects.exclude(level=Region.Level.PROVINCE).order_by("code")


def filter_public_entries(qs: QuerySet[LedgerEntry], params: Any) -> QuerySet[LedgerEntry]:
    """The disclosure's filters: region (code and everything under it), name, year."""
    region = (params.get("region") or "").strip()
    if region:
        found = Region.objects.filter(code=region).first()
        qs = qs.filter(region__code__startswith=found.scope_prefix) if found else qs.none()
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(feeder__name__icontains=q) | Q(district__name__icontains=q))
    year = query_year(params)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "region_id", "feeder__name", "level", "point_id")


# --------------------------------------------------------------------------------------------
# Warnings, planned outages, repairs, notices
# --------------------------------------------------------------------------------------------


def statuses_for(user: Any) -> QuerySet[DistrictStatus]:
    qs = DistrictStatus.objects.select_related(
        "district", "district__feeder", "district__region", "district__company"
    )
    if sees_everything(user):
        return qs.filter(region_filter(user, "district__region"))
    if is_company_staff(user):
        q = company_filter(user, "district__company", "district__region")
        return qs.filter(q) if q is not None else qs.none()
    return qs.none()


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


def warnings_for(user: Any, year: int) -> list[WarningRow]:
    """The early-warning list of the districts in the user's scope for a year."""
    return warning_list(statuses_for(user).filter(year=year))


def districts_for(user: Any) -> QuerySet[District]:
    qs = District.objects.select_related("feeder", "region")
    if sees_everything(user):
        return qs.filter(region_filter(user))
    if is_company_staff(user):
        q = company_filter(user)
        return qs.filter(q) if q is not None else qs.none()
    return qs.none()


def feeder_for(user: Any, feeder_id: str) -> Feeder | None:
    """A feeder with a district in the user's scope (the form of a planned outage)."""
    return Feeder.objects.filter(
        feeder_id=feeder_id.strip(), districts__in=districts_for(user)
    ).first()


def feeder_districts(feeder: Feeder, district_ids: Iterable[str]) -> list[District]:
    """The districts with these ids on the feeder (ids not on it are left out)."""
    return list(District.objects.filter(district_id__in=list(district_ids), feeder=feeder))


def district_for(user: Any, district_id: str) -> District | None:
    return districts_for(user).filter(district_id=district_id.strip()).first()


def planned_for(user: Any) -> QuerySet[PlannedOutage]:
    qs = PlannedOutage.objects.select_related("feeder", "company").prefetch_related("districts")
    if sees_everything(user):
        return qs.filter(region_filter(user, "feeder__region"))
    if is_company_staff(user):
        q = company_filter(user, "company", "feeder__region")
        return qs.filter(q) if q is not None else qs.none()
    return qs.none()


def get_planned_for(user: Any, number: str) -> PlannedOutage:
    found = planned_for(user).filter(number=number).first()
    if found is None:
        raise Http404(_("未找到该计划停电"))
    return found


def repairs_for(user: Any) -> QuerySet[RepairTicket]:
    qs = RepairTicket.objects.select_related("district", "feeder", "company", "district__region")
    if sees_everything(user):
        return qs.filter(region_filter(user, "district__region"))
    if is_company_staff(user):
        q = company_filter(user, "company", "district__region")
        return qs.filter(q) if q is not None else qs.none()
    return qs.none()


def get_repair_for(user: Any, number: str) -> RepairTicket:
    found = repairs_for(user).filter(number=number).first()
    if found is None:
        raise Http404(_("未找到该抢修工单"))
    return found


def late_arrivals(qs: QuerySet[RepairTicket]) -> QuerySet[RepairTicket]:
    return qs.filter(late=True).order_by("-accepted_at")


def notices_for(user: Any) -> QuerySet[CustomerNotice]:
    qs = CustomerNotice.objects.select_related("meter", "meter__district", "user")
    if not is_active(user):
        return qs.none()
    if sees_everything(user):
        return qs.filter(region_filter(user, "meter__district__region"))
    if is_company_staff(user):
        q = company_filter(user, "meter__district__company", "meter__district__region")
        return qs.filter(q) if q is not None else qs.none()
    return qs.filter(user_id=user.pk)


def my_meters(user: Any) -> QuerySet[Meter]:
    if not is_active(user):
        return Meter.objects.none()
    return Meter.objects.filter(account_id=user.pk, retired_on__isnull=True).select_related(
        "district", "district__feeder"
    )


# --------------------------------------------------------------------------------------------
# Public lookup (L47): by 户号 or meter number, exact; district-level facts only
# --------------------------------------------------------------------------------------------


def lookup_districts(query: str, limit: int = 20) -> list[District]:
    """The 台区 of the meter with this number, or of the meters of this 户号 (customer number).

    Exact matches on two indexed columns only: no address or area search (a meter's address is
    internal, and substring scans would let anyone probe it). Throttled by the callers.
    """
    q = query.strip()
    if not q:
        return []
    meters = Meter.objects.filter(Q(meter_id=q) | Q(customer_number=q), retired_on__isnull=True)
    return list(
        District.objects.filter(pk__in=meters.values("district_id"))
        .select_related("feeder", "region")
        .order_by("district_id")[:limit]
    )


def district_outages(district: District, now: dt.datetime) -> dict[str, Any]:
    """Upcoming/current planned outages and recent repair tickets of a district."""
    planned = (
        PlannedOutage.objects.filter(end__gte=now, status=PlannedOutage.Status.ANNOUNCED)
        .filter(Q(districts=district) | Q(feeder_id=district.feeder_id, districts__isnull=True))
        .distinct()
        .order_by("start")
    )
    recent = now - dt.timedelta(days=2)
    repairs = RepairTicket.objects.filter(district=district).filter(
        ~Q(stage=RepairStage.RESTORED) | Q(restored_at__gte=recent)
    )
    return {"planned": list(planned), "repairs": list(repairs.order_by("-accepted_at"))}
