"""The texts the quality desk writes: customer notices (L48) and the stored re-open reason of a
ledger entry. Built in the language active when the change is made (the source language for the
console job), like every stored text."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.outages import rules
from getelec.outages.labels import CAUSE_LABELS, rule_text
from getelec.outages.models import PlannedOutage, RepairStage, RepairTicket


def _at(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def planned_announced(outage: PlannedOutage) -> str:
    return _("计划停电通知：%(start)s至%(end)s，%(place)s停电，工作内容：%(work)s") % {
        "start": _at(outage.start),
        "end": _at(outage.end),
        "place": str(outage.feeder),
        "work": outage.work,
    }


def planned_cancelled(outage: PlannedOutage, reason: str) -> str:
    return _(
        "计划停电取消通知：原定%(start)s至%(end)s%(place)s的计划停电（%(number)s）已取消，"
        "原因：%(reason)s"
    ) % {
        "start": _at(outage.start),
        "end": _at(outage.end),
        "place": str(outage.feeder),
        "number": outage.number,
        "reason": reason,
    }


def repair_opened(ticket: RepairTicket) -> str:
    return _("抢修工单%(n)s已受理：%(d)s") % {"n": ticket.number, "d": ticket.description}


def repair_progress(ticket: RepairTicket, stage: str, at: dt.datetime) -> str:
    return _("抢修工单%(n)s：%(stage)s（%(at)s）") % {
        "n": ticket.number,
        "stage": RepairStage(stage).label,
        "at": _at(at),
    }


def reopen_reason(
    fired: list[str],
    after: list[dt.datetime],
    rectified_on: dt.date,
    evidence: list[dict[str, Any]],
    limits: rules.Limits,
) -> str:
    """The stored re-open reason: which counted interruptions after the rectified date breached
    which rule again."""
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
