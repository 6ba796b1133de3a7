"""Planned outages (L25, 电力供应与使用条例 art. 28): the notice period, other planned work on
the same equipment (一停多用), the L28 projection, and the notices to the customers whose meters
are affected (L48)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.analytics.params import params_from_policy
from getelec.audit.services import record
from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed
from getelec.kernel.policy import param
from getelec.outages import messages, notify, rules, selectors
from getelec.outages.labels import rule_text
from getelec.outages.localtime import local_naive
from getelec.outages.models import (
    CustomerNotice,
    District,
    DistrictStatus,
    Feeder,
    PlannedOutage,
)
from getelec.outages.services._common import affected_districts, next_number
from getelec.outages.services._transition import clean_text, transition


@dataclass
class PlannedCheck:
    notice_ok: bool
    earliest_start: dt.date
    notice_basis: dict[str, Any]
    merge_candidates: list[PlannedOutage]
    merge_basis: dict[str, Any]
    warnings: list[dict[str, Any]]


def _projected_breaches(
    feeder: Feeder,
    districts: Sequence[District],
    local_start: dt.datetime,
    exclude: PlannedOutage | None,
) -> list[dict[str, Any]]:
    """The affected districts that one more counted interruption at `local_start` (with the
    other announced outages after their last refresh) would take over the L28 limits."""
    params = params_from_policy(local_start.date())
    limits = rules.Limits.from_params(params)
    warnings = []
    for d in affected_districts(feeder, districts):
        status = DistrictStatus.objects.filter(district=d, year=local_start.year).first()
        counted = [dt.datetime.fromisoformat(t) for t in status.counted_starts] if status else []
        as_of = status.as_of if status else dt.date(local_start.year, 1, 1)
        planned = [
            local_naive(p.start)
            for p in PlannedOutage.objects.filter(status=PlannedOutage.Status.ANNOUNCED)
            .filter(Q(districts=d) | Q(feeder_id=d.feeder_id, districts__isnull=True))
            .distinct()
            if local_naive(p.start).date() > as_of and (exclude is None or p.pk != exclude.pk)
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
    return warnings


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
    local_start = local_naive(start)
    return PlannedCheck(
        notice_ok=rules.notice_ok(today, local_start.date(), notice.value),
        earliest_start=earliest,
        notice_basis=notice.as_dict(),
        merge_candidates=list(others),
        merge_basis=window.as_dict(),
        warnings=_projected_breaches(feeder, districts, local_start, exclude),
    )


def _check_new_planned(
    check: PlannedCheck, confirm_warning: bool, merge_with: Sequence[PlannedOutage]
) -> None:
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
    work = clean_text(work, "work", _("工作内容"))
    if start is None:
        raise InvalidInput(_("请填写停电开始时间"), "start")
    if end is None or end <= start:
        raise InvalidInput(_("停电结束时间须晚于开始时间"), "end")
    if any(d.feeder_id != feeder.pk for d in districts):
        raise InvalidInput(_("所选台区不在该线路上"), "districts")
    check = check_planned(feeder, districts, start)
    _check_new_planned(check, confirm_warning, merge_with)
    with transaction.atomic():
        outage = PlannedOutage.objects.create(
            number=next_number(PlannedOutage, "JH"),
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
        notify.notify_districts(
            affected_districts(feeder, districts),
            CustomerNotice.Kind.PLANNED,
            messages.planned_announced(outage),
            planned_outage=outage,
        )
    return outage


def cancel_planned_outage(actor: Any, outage: PlannedOutage, reason: str) -> PlannedOutage:
    """Cancel an announced planned outage before it starts: one audit row with the reason, and
    the customers of its districts (the same ones its announcement notified) are told. Cancelling
    an outage already cancelled changes nothing and notifies nobody again."""
    if not selectors.can_work_on(actor, outage.company_id, outage.feeder.region_id):
        raise NotAllowed(_("只有该线路所属供电企业的工作人员可以取消计划停电"))
    reason = clean_text(reason, "reason", _("取消原因"), 500)
    with transition(
        actor,
        outage,
        "outages.cancel_planned",
        fields=("status",),
        related=("feeder",),
        reason=reason,
    ) as change:
        outage = change.obj
        if outage.status == PlannedOutage.Status.CANCELLED:
            change.unchanged()
            return outage
        if outage.status != PlannedOutage.Status.ANNOUNCED:
            raise Conflict(_("该计划停电已完成，不能取消"))
        if outage.start <= timezone.now():
            raise Conflict(_("该计划停电已开始，不能取消"))
        outage.status = PlannedOutage.Status.CANCELLED
        notify.notify_districts(
            affected_districts(outage.feeder, list(outage.districts.all())),
            CustomerNotice.Kind.PLANNED,
            messages.planned_cancelled(outage, reason),
            planned_outage=outage,
        )
    return outage
