"""Ledger lifecycle (L28, L30): identified/reopened → planned → observation (rectified) →
verified (regulator's site visit or user visit) → closed (销号). Each step is one transition
(one transaction, one audit row) on the version the user saw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed
from getelec.kernel.policy import param
from getelec.outages import selectors
from getelec.outages.models import EntryStatus, InspectionKind, LedgerEntry, Level
from getelec.outages.services._transition import clean_text, transition


def entry_number(level: str, year: int, point_id: str) -> str:
    return f"{year}{'TQ' if level == Level.DISTRICT else 'XL'}-{point_id}"[:32]


def _require_company(actor: Any, entry: LedgerEntry) -> None:
    if not selectors.can_work_on(actor, entry.company_id, entry.region_id):
        raise NotAllowed(_("只有该台区/线路所属供电企业的工作人员可以办理"))


def _require_signoff(actor: Any) -> None:
    if not selectors.can_verify(actor):
        raise NotAllowed(
            _("只有%(org)s的监管人员可以核验销号（L30）")
            % {"org": selectors.signoff_organisation().value}
        )


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
    measures = clean_text(measures, "measures", _("整改措施"))
    team = clean_text(responsible_team, "responsible_team", _("责任班组"), 128)
    if target_on is None:
        raise InvalidInput(_("请填写计划完成日期"), "target_on")
    if target_on < timezone.localdate():
        raise InvalidInput(_("计划完成日期不能早于今天"), "target_on")
    if budget_wan is not None and budget_wan < 0:
        raise InvalidInput(_("投资不能为负数"), "budget_wan")
    with transition(
        actor,
        entry,
        "outages.plan_rectification",
        fields=("status", "measures", "target_on", "responsible_team", "budget_wan"),
        version=version,
        allowed=(EntryStatus.IDENTIFIED, EntryStatus.REOPENED, EntryStatus.PLANNED),
    ) as change:
        entry = change.obj
        entry.status = EntryStatus.PLANNED
        entry.measures, entry.target_on = measures, target_on
        entry.responsible_team, entry.budget_wan = team, budget_wan
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
    note = clean_text(note, "note", _("整改完成情况"))
    today = timezone.localdate()
    if rectified_on is None:
        raise InvalidInput(_("请填写整改完成日期"), "rectified_on")
    if rectified_on > today:
        raise InvalidInput(_("整改完成日期不能晚于今天"), "rectified_on")
    with transition(
        actor,
        entry,
        "outages.record_rectification",
        fields=("status", "rectified_on", "rectification_note", "observation_days"),
        version=version,
        allowed=(EntryStatus.PLANNED,),
    ) as change:
        entry = change.obj
        if rectified_on < entry.identified_on:
            raise InvalidInput(_("整改完成日期不能早于识别日期"), "rectified_on")
        period = param("quality_observation_days", rectified_on)
        entry.status = EntryStatus.OBSERVATION
        entry.rectified_on, entry.rectification_note = rectified_on, note
        entry.observation_days = period.value
        entry.observation_basis = period.as_dict()
    return entry


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
    _require_signoff(actor)
    if inspection_kind not in InspectionKind.values:
        raise InvalidInput(_("请选择核验方式"), "inspection_kind")
    record_text = clean_text(inspection_record, "inspection_record", _("核验记录"))
    today = timezone.localdate()
    if verified_on is None or verified_on > today:
        raise InvalidInput(_("核验日期不能为空或晚于今天"), "verified_on")
    with transition(
        actor,
        entry,
        "outages.verify",
        fields=("status", "verified_on", "inspection_kind", "inspection_record", "verified_by"),
        version=version,
        allowed=(EntryStatus.OBSERVATION,),
    ) as change:
        entry = change.obj
        end = selectors.observation_end(entry)
        if end is None or today <= end:
            raise Conflict(
                _("观察期至%(end)s，期满且无新的计入停电后方可核验")
                % {"end": end.isoformat() if end else "—"}
            )
        if verified_on <= end:
            raise InvalidInput(_("核验日期须在观察期满之后"), "verified_on")
        entry.status = EntryStatus.VERIFIED
        entry.verified_on, entry.inspection_kind = verified_on, inspection_kind
        entry.inspection_record, entry.verified_by = record_text, actor
    return entry


def close_entry(
    actor: Any, entry: LedgerEntry, *, reason: str = "", version: int | None = None
) -> LedgerEntry:
    """闭环销号 by the regulator after verification."""
    _require_signoff(actor)
    with transition(
        actor,
        entry,
        "outages.close",
        fields=("status", "closed_on"),
        version=version,
        allowed=(EntryStatus.VERIFIED,),
        reason=reason.strip(),
    ) as change:
        entry = change.obj
        entry.status, entry.closed_on, entry.closed_by = (
            EntryStatus.CLOSED,
            timezone.localdate(),
            actor,
        )
    return entry
