"""Delay filings (form A1): a draft, its submission, then revisions with a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from getelec.accounts.models import User
from getelec.audit.services import record
from getelec.connection import services as connection
from getelec.connection.models import Application, Category, GridUpgradeCause, Voltage
from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed
from getelec.supervision.models import DelayFiling, FilingRevision
from getelec.supervision.services._transition import transition


@dataclass
class FilingInput:
    """What the supply company fills in (the rest is copied from the application)."""

    cause: str = ""
    cause_detail: str = ""
    upgrade_project: str = ""
    committed_on: dt.date | None = None
    measures: str = ""
    customer_informed_on: dt.date | None = None
    customer_informed_how: str = ""
    contact: str = ""
    project_name: str = ""
    late_reason: str = ""

    @classmethod
    def from_application(cls, application: Application) -> FilingInput:
        """Prefill from the grid-upgrade mark staff set on the application."""
        return cls(
            cause=application.grid_upgrade_cause,
            upgrade_project=application.grid_upgrade_project,
            committed_on=application.grid_upgrade_committed_on,
            customer_informed_on=application.customer_informed_on,
            project_name=default_project_name(application),
        )


def default_project_name(application: Application) -> str:
    """The prefilled project name: category and application number, never the customer's
    name or address (the filing goes to the regulators; the city energy authority reads it)."""
    with translation.override("zh-hans"):
        category = str(Category(application.category).label)
    return f"{category}用电报装（{application.number}）"


FIELD_LABELS = {
    "project_name": "项目名称",
    "cause": "无法满足时限的原因",
    "cause_detail": "原因说明",
    "upgrade_project": "配套电网工程（审批事项）名称",
    "committed_on": "承诺完成（接电）日期",
    "measures": "已采取措施",
    "customer_informed_on": "告知用户日期",
    "customer_informed_how": "告知方式",
    "contact": "填报人及联系电话",
    "late_reason": "逾期备案说明",
}


def _validate(data: FilingInput, application: Application, today: dt.date) -> None:
    for name in (
        "project_name",
        "cause_detail",
        "upgrade_project",
        "measures",
        "customer_informed_how",
        "contact",
    ):
        value = (getattr(data, name) or "").strip()
        if not value:
            raise InvalidInput(f"请填写{FIELD_LABELS[name]}", name)
        limit = next(f for f in FilingRevision._meta.fields if f.name == name).max_length
        if limit and len(value) > limit:
            raise InvalidInput(f"{FIELD_LABELS[name]}不能超过{limit}字", name)
        setattr(data, name, value)
    if data.cause not in GridUpgradeCause.values:
        raise InvalidInput("请选择无法满足时限的原因（三类之一）", "cause")
    if data.committed_on is None:
        raise InvalidInput("请填写承诺完成（接电）日期", "committed_on")
    if data.committed_on <= application.applied_on:
        raise InvalidInput("承诺完成日期须晚于申请日期", "committed_on")
    if data.customer_informed_on is None:
        raise InvalidInput("请填写告知用户日期", "customer_informed_on")
    if data.customer_informed_on > today:
        raise InvalidInput("告知用户日期不能晚于今天", "customer_informed_on")
    if data.customer_informed_on < application.applied_on:
        raise InvalidInput("告知用户日期不能早于申请日期", "customer_informed_on")
    data.late_reason = (data.late_reason or "").strip()


def _revision_values(application: Application, data: FilingInput) -> dict[str, Any]:
    return {
        "project_name": data.project_name,
        "customer_name": application.customer_name,
        "customer_type": application.customer_type,
        "address": application.address,
        "region_name": application.region.name,
        "category": application.category,
        "capacity_kw": application.capacity_kw,
        "applied_on": application.applied_on,
        "statutory_due_on": application.due_on,
        "statutory_limit_wd": application.time_limit_wd,
        "cause": data.cause,
        "cause_detail": data.cause_detail,
        "upgrade_project": data.upgrade_project,
        "committed_on": data.committed_on,
        "measures": data.measures,
        "customer_informed_on": data.customer_informed_on,
        "customer_informed_how": data.customer_informed_how,
        "late_reason": data.late_reason,
        "contact": data.contact,
    }


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in FIELD_LABELS}


def _check_company(actor: User, application: Application) -> None:
    if not connection.can_work_on(actor, application):
        raise NotAllowed("只有该申请所属供电企业的工作人员可以填报备案", "application")


def create_filing(actor: User, application: Application, data: FilingInput) -> DelayFiling:
    """A draft filing (revision 1) for an LV application marked as blocked (T2/L4)."""
    _check_company(actor, application)
    if application.voltage != Voltage.LOW:
        raise InvalidInput("备案表适用于低压用户（T2、L4）", "application")
    if not application.grid_upgrade_cause:
        raise InvalidInput(
            "该申请尚未标记电网改造升级、行政审批或施工受阻原因，请先在申请页标记", "application"
        )
    today = timezone.localdate()
    _validate(data, application, today)
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        if DelayFiling.objects.filter(application=application).exists():
            raise Conflict("该申请已有备案，请在备案页修订", "application")
        filing = DelayFiling.objects.create(
            application=application,
            company_id=application.company_id,
            created_on=today,
            created_by=actor,
        )
        values = _revision_values(application, data)
        FilingRevision.objects.create(filing=filing, number=1, created_by=actor, **values)
        record(actor, "supervision.create_filing", filing, {}, _audit_values(values))
    return filing


def update_draft_filing(
    actor: User, filing: DelayFiling, data: FilingInput, version: int
) -> DelayFiling:
    """Change a draft (never a submitted revision)."""
    application = filing.application
    _check_company(actor, application)
    _validate(data, application, timezone.localdate())
    with transition(actor, filing, "supervision.update_draft_filing", version=version) as change:
        if not change.obj.is_draft:
            raise Conflict("备案已报送，不能再修改；请提交修订并说明原因", "filing")
        revision = change.obj.revisions.get(number=1)
        change.old = _audit_values({f.name: getattr(revision, f.name) for f in fields(FilingInput)})
        values = _revision_values(application, data)
        for key, value in values.items():
            setattr(revision, key, value)
        revision.save()
        change.new = _audit_values(values)
    return change.obj


def submit_filing(actor: User, filing: DelayFiling, version: int) -> DelayFiling:
    """Submit the draft; from now on it is immutable. Late when after the statutory due date
    (a late filing must say why)."""
    _check_company(actor, filing.application)
    today = timezone.localdate()
    with transition(actor, filing, "supervision.submit_filing", version=version) as change:
        locked = change.obj
        if not locked.is_draft:
            raise Conflict("备案已报送", "filing")
        revision = locked.revisions.get(number=1)
        due_on = locked.application.due_on
        late = due_on is not None and today > due_on
        if late and not revision.late_reason:
            raise InvalidInput(
                f"已超过规定时限到期日（{due_on:%Y-%m-%d}），请填写逾期备案说明", "late_reason"
            )
        revision.submitted_on = today
        revision.save(update_fields=["submitted_on"])
        locked.submitted_on, locked.late = today, late
        locked.first_committed_on = revision.committed_on
        change.save("submitted_on", "late", "first_committed_on")
        change.old = {"submitted_on": None}
        change.new = {"submitted_on": today, "late": late, "revision": 1}
    return change.obj


def revise_filing(
    actor: User, filing: DelayFiling, data: FilingInput, reason: str, version: int
) -> FilingRevision:
    """A new submitted revision with a reason; earlier revisions stay as they were."""
    application = filing.application
    _check_company(actor, application)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写修订原因", "reason")
    today = timezone.localdate()
    _validate(data, application, today)
    with transition(actor, filing, "supervision.revise_filing", version=version) as change:
        locked = change.obj
        if locked.is_draft:
            raise Conflict("备案尚未报送，请直接修改草稿", "filing")
        previous = locked.revisions.order_by("-number").first()
        if previous is None:
            raise RuntimeError(f"filing {locked.pk} is submitted but has no revision")
        values = _revision_values(application, data)
        values["late_reason"] = values["late_reason"] or previous.late_reason
        revision = FilingRevision.objects.create(
            filing=locked,
            number=previous.number + 1,
            created_by=actor,
            reason=reason,
            submitted_on=today,
            **values,
        )
        change.old = _audit_values({k: getattr(previous, k) for k in FIELD_LABELS})
        change.new = {**_audit_values(values), "revision": revision.number}
        change.reason = reason
    return revision
