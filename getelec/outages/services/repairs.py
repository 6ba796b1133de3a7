"""Repair tickets (L24, L47): 受理 → 派工 → 到达现场 → 抢修中 → 已复电, each stage with its time;
the arrival is judged against the commitment in force for the district's area. The customers of
the district are told at every stage (L48)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.audit.services import record
from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed
from getelec.kernel.policy import param
from getelec.outages import messages, notify, rules, selectors
from getelec.outages.models import (
    REPAIR_STAGE_ORDER,
    CustomerNotice,
    District,
    RepairStage,
    RepairTicket,
)
from getelec.outages.services._common import next_number
from getelec.outages.services._transition import clean_text, transition

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
    description = clean_text(description, "description", _("故障描述"), 255)
    now = timezone.now()
    accepted_at = accepted_at or now
    if accepted_at > now:
        raise InvalidInput(_("受理时间不能晚于当前时间"), "accepted_at")
    commitment = param("quality_repair_arrival_minutes", timezone.localdate(accepted_at))
    with transaction.atomic():
        ticket = RepairTicket.objects.create(
            number=next_number(RepairTicket, "QX"),
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
            [district], CustomerNotice.Kind.REPAIR, messages.repair_opened(ticket), repair=ticket
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
    with transition(
        actor, ticket, "outages.advance_repair", fields=("stage",), related=("district",)
    ) as change:
        ticket = change.obj
        current = REPAIR_STAGE_ORDER.index(ticket.stage)
        if REPAIR_STAGE_ORDER.index(stage) != current + 1:
            raise Conflict(_("抢修进度须按 受理→派工→到达现场→抢修中→已复电 依次更新"))
        previous = getattr(ticket, STAGE_FIELD[RepairStage(ticket.stage)])
        if at < previous:
            raise InvalidInput(_("时间不能早于上一环节"), "at")
        ticket.stage = stage
        setattr(ticket, STAGE_FIELD[RepairStage(stage)], at)
        change.new = {"stage": stage, STAGE_FIELD[RepairStage(stage)]: at}
        if stage == RepairStage.ARRIVED:
            ticket.arrival_minutes, ticket.late = rules.arrival_late(
                ticket.accepted_at, at, ticket.commitment_minutes
            )
            change.new.update(arrival_minutes=ticket.arrival_minutes, late=ticket.late)
        restored = stage == RepairStage.RESTORED
        notify.notify_districts(
            [ticket.district],
            CustomerNotice.Kind.RESTORED if restored else CustomerNotice.Kind.REPAIR,
            messages.repair_progress(ticket, stage, at),
            repair=ticket,
        )
    return ticket
