"""The applicant's notices about their application: one builder per event.

Each builder returns the notice's kind and its Chinese text (translated in the active language);
`tell` sends it to the applicant through `getelec.connection.notify` inside the caller's
transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.utils.translation import gettext as _

from getelec.connection import notify as notices
from getelec.connection.models import Application, Notification, Pause, StageRecord, Status
from getelec.core.workdays import pending_text

Kind = Notification.Kind


class Notice(NamedTuple):
    kind: str
    text: str


def tell(app: Application, notice: Notice) -> None:
    notices.notify(app.applicant, app, notice.kind, notice.text)


def _fmt_date(day: dt.date | None, pending_year: int | None = None) -> str:
    if day is not None:
        return day.isoformat()
    return pending_text(pending_year) or "—"


def _due(app: Application) -> str:
    return _fmt_date(app.due_on, app.due_pending_year)


def _own_clock(app: Application) -> bool:
    """Stages each on their own clock (T2, charging), as decided at submission."""
    return isinstance(app.decision, dict) and app.decision.get("stage_clock") == "each"


def submitted(app: Application) -> Notice:
    template = (
        _(
            "您的用电报装申请已提交，申请编号%(number)s，查询验证码%(code)s；"
            "类别：%(category)s，各环节分别计时（合计%(limit)s个工作日），"
            "当前环节到期日：%(due)s。"
        )
        if _own_clock(app)
        else _(
            "您的用电报装申请已提交，申请编号%(number)s，查询验证码%(code)s；"
            "类别：%(category)s，全过程时限%(limit)s个工作日，到期日：%(due)s。"
        )
    )
    text = template % {
        "number": app.number,
        "code": app.verification_code,
        "category": app.get_category_display(),
        "limit": app.time_limit_wd,
        "due": _due(app),
    }
    if app.status == Status.AWAITING_CONSENT:
        text += _("您要求高压供电：请阅读三零服务政策告知并签字确认，确认前暂停计时（T1）。")
    return Notice(Kind.SUBMITTED, text)


def due_changed(app: Application) -> Notice:
    template = (
        _("您的用电报装申请%(number)s当前环节到期日更新为：%(due)s")
        if _own_clock(app)
        else _("您的用电报装申请%(number)s全过程到期日更新为：%(due)s")
    )
    return Notice(Kind.DUE_CHANGED, template % {"number": app.number, "due": _due(app)})


def stage_changed(app: Application, done: StageRecord, following: StageRecord) -> Notice:
    return Notice(
        Kind.STAGE_CHANGED,
        _("您的用电报装申请%(number)s已完成“%(done)s”，进入“%(next)s”环节（环节到期日：%(due)s）。")
        % {
            "number": app.number,
            "done": done.get_stage_display(),
            "next": following.get_stage_display(),
            "due": _fmt_date(following.due_on, app.due_pending_year),
        },
    )


def completed(app: Application, day: dt.date) -> Notice:
    return Notice(
        Kind.COMPLETED,
        _("您的用电报装申请%(number)s已完成装表接电（%(day)s）。")
        % {"number": app.number, "day": day.isoformat()},
    )


def paused(app: Application, pause: Pause) -> Notice:
    return Notice(
        Kind.PAUSED,
        _("您的用电报装申请%(number)s自%(day)s起暂停计时，原因：%(reason)s。恢复后到期日相应顺延。")
        % {
            "number": app.number,
            "day": pause.started_on.isoformat(),
            "reason": pause.get_reason_display(),
        },
    )


def consent_recorded(app: Application, day: dt.date) -> Notice:
    return Notice(
        Kind.RESUMED,
        _(
            "您的用电报装申请%(number)s已于%(day)s登记签字确认三零政策告知，进入“%(stage)s”环节办理。"
        )
        % {
            "number": app.number,
            "day": day.isoformat(),
            "stage": app.get_current_stage_display(),
        },
    )


def resumed(app: Application, day: dt.date, paused_wd: int | None) -> Notice:
    return Notice(
        Kind.RESUMED,
        _("您的用电报装申请%(number)s已于%(day)s恢复计时，本次暂停%(wd)s个工作日。")
        % {
            "number": app.number,
            "day": day.isoformat(),
            "wd": "—" if paused_wd is None else paused_wd,
        },
    )


def grid_upgrade(app: Application) -> Notice:
    return Notice(
        Kind.GRID_UPGRADE,
        _(
            "您的用电报装申请%(number)s因%(cause)s（%(project)s）无法在规定时限内接电，"
            "承诺完成日期：%(day)s。"
        )
        % {
            "number": app.number,
            "cause": app.get_grid_upgrade_cause_display(),
            "project": app.grid_upgrade_project,
            "day": app.grid_upgrade_committed_on.isoformat()
            if app.grid_upgrade_committed_on
            else "",
        },
    )


def contracted_date(app: Application) -> Notice:
    day = app.contracted_on
    text = (
        _("您的用电报装申请%(number)s约定接电日期：%(day)s（法定时限到期日%(due)s不变）。")
        if day
        else _("您的用电报装申请%(number)s已取消约定接电日期（法定时限到期日%(due)s不变）。")
    )
    return Notice(
        Kind.DUE_CHANGED,
        text % {"number": app.number, "day": day.isoformat() if day else "", "due": _due(app)},
    )


def cancelled(app: Application, reason: str) -> Notice:
    return Notice(
        Kind.CANCELLED,
        _("您的用电报装申请%(number)s已撤销。原因：%(reason)s")
        % {"number": app.number, "reason": reason},
    )
