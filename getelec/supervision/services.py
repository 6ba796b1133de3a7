"""State changes of the regulator's desk: each one transaction + one audit row.

Ledger: load_ledger, file_progress_report, review_report.
Filings (form A1): create_filing, update_draft_filing, submit_filing, revise_filing.
Monthly batches: submit_batch.
Errors: the kernel's ServiceError family (getelec.kernel.errors), messages naming the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from getelec.accounts.models import Organisation, Region, User, department_type_for
from getelec.audit.services import record
from getelec.connection import services as connection
from getelec.connection import validators as check
from getelec.connection.models import Application, Category, GridUpgradeCause, Voltage
from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed
from getelec.supervision import annex, rules
from getelec.supervision.models import (
    DelayFiling,
    FilingRevision,
    LedgerAssignment,
    LedgerTask,
    MonthlyBatch,
    ProgressReport,
    ReportAttachment,
    ReportProgress,
    ReviewStatus,
)

PROVINCE_CODE = "640000"
PROVINCE_NAME = "宁夏回族自治区"
REGULATOR_NAMES = ("自治区发展改革委", "国家能源局西北监管局")
# Identified from the content (connection.validators.sniff_content_type), never from the
# client's Content-Type or the file name; stored under the sniffed type and its extension.
ATTACHMENT_TYPES = {
    check.PDF: ".pdf",
    check.JPEG: ".jpg",
    check.PNG: ".png",
    check.DOCX: ".docx",
    check.XLSX: ".xlsx",
}
TEXT_MAX = 5000


def _today() -> dt.date:
    return timezone.localdate()


# --------------------------------------------------------------------------------------------
# Ledger
# --------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    tasks_created: int = 0
    tasks_updated: int = 0
    assignments_created: int = 0
    organisations_created: int = 0


def supply_companies() -> list[Organisation]:
    """Every supply company registered (not its branches: a branch reports through it)."""
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY)
        .exclude(parent__kind=Organisation.Kind.SUPPLY_COMPANY)
        .order_by("name")
    )


def _province() -> Region:
    region, _ = Region.objects.get_or_create(
        code=PROVINCE_CODE,
        defaults={"name": PROVINCE_NAME, "level": Region.Level.PROVINCE},
    )
    return region


def _government_org(name: str, counter: LoadResult | None = None) -> Organisation:
    """The organisation a unit of 附件2 (or a regulator's usual name) denotes.

    The text names units the way the plan does (自治区发展改革委, 住房和城乡建设厅, …), while an
    organisation is registered under its full name with the usual short name next to it
    (宁夏回族自治区发展和改革委员会 / 自治区发展改革委). A unit resolves, in this order, to the
    organisation with exactly that name, then that short name, then the same with the region's
    prefix (宁夏回族自治区… / 自治区…); the text's own spellings go through annex.UNIT_ALIASES
    (住房和城乡住建厅 → 住房和城乡建设厅). Only when nothing matches is an organisation created
    under the text's name (the reference data later completes it, matching its short name).
    """
    from django.db.models import Q

    name = annex.UNIT_ALIASES.get(name, name)
    kind = Organisation.Kind.REGULATOR if name in REGULATOR_NAMES else Organisation.Kind.DEPARTMENT
    forms = [name, f"{PROVINCE_NAME}{name}", f"自治区{name}"]
    candidates = list(
        Organisation.objects.filter(Q(name__in=forms) | Q(short_name__in=forms)).order_by("pk")
    )

    def rank(candidate: Organisation) -> tuple[int, int]:
        if candidate.name == name:
            return (0, candidate.pk)
        if candidate.short_name == name:
            return (1, candidate.pk)
        return (2, candidate.pk)

    org = min(candidates, key=rank, default=None)
    if org is None:
        org = Organisation.objects.create(
            name=name,
            short_name=name,
            kind=kind,
            department_type=department_type_for(name)
            if kind == Organisation.Kind.DEPARTMENT
            else "",
            region=_province(),
        )
        if counter is not None:
            counter.organisations_created += 1
    return org


def regulator_organisations() -> list[Organisation]:
    """自治区发展改革委 and 国家能源局西北监管局 (created by name when missing)."""
    return [_government_org(name) for name in REGULATOR_NAMES]


def load_ledger(actor: Any = None, rows: list[annex.LedgerRow] | None = None) -> LoadResult:
    """Load 附件2 from the shipped data; idempotent (a second run changes nothing).

    Creates the government organisations named in the text when missing and one assignment per
    supply company for 各供电企业 (run again after registering a new company).
    """
    rows = annex.read_ledger() if rows is None else rows
    result = LoadResult()
    with transaction.atomic():
        companies = supply_companies()
        for row in rows:
            due_on = annex.resolve_deadline(row.deadline_text)
            values = {
                "section": row.section,
                "text": row.text,
                "units_text": "、".join(row.units_as_written),
                "deadline_text": row.deadline_text,
                "due_on": due_on,
            }
            task = LedgerTask.objects.filter(number=row.number).first()
            if task is None:
                task = LedgerTask.objects.create(number=row.number, **values)
                result.tasks_created += 1
            else:
                changed = {k: v for k, v in values.items() if getattr(task, k) != v}
                if changed:
                    for key, value in changed.items():
                        setattr(task, key, value)
                    task.save(update_fields=list(changed))
                    result.tasks_updated += 1
            for written, name in zip(row.units_as_written, row.units, strict=True):
                orgs = (
                    companies
                    if name == annex.ALL_SUPPLY_COMPANIES
                    else [_government_org(name, result)]
                )
                for org in orgs:
                    _, created = LedgerAssignment.objects.get_or_create(
                        task=task, organisation=org, defaults={"unit_as_written": written}
                    )
                    result.assignments_created += created
        if any(asdict(result).values()):
            first = LedgerTask.objects.order_by("number").first()
            if first is None:
                raise RuntimeError("the ledger load changed rows but no task exists to audit it")
            record(
                actor,
                "supervision.load_ledger",
                first,
                {},
                asdict(result),
                reason="附件2 工作任务台账",
            )
    return result


def _checked_attachment(upload: Any) -> tuple[bytes, str]:
    """The attachment's bytes and its type as its content shows (the declared one is ignored)."""
    limit = settings.DOCUMENT_MAX_BYTES  # the platform's one upload limit
    content = check.read_upload(upload)
    if len(content) > limit:
        raise InvalidInput(f"附件“{upload.name}”超过{limit // (1024 * 1024)}MB", "attachments")
    if not content:
        raise InvalidInput(f"附件“{upload.name}”是空文件", "attachments")
    content_type = check.sniff_content_type(content)
    if content_type not in ATTACHMENT_TYPES:
        raise InvalidInput(
            f"附件“{upload.name}”类型不支持（仅限PDF、JPG、PNG、DOCX、XLSX，按文件内容识别）",
            "attachments",
        )
    return content, content_type


def file_progress_report(
    actor: User,
    assignment: LedgerAssignment,
    year: int,
    quarter: int,
    text: str,
    progress: str = ReportProgress.IN_PROGRESS,
    attachments: list[Any] | None = None,
) -> ProgressReport:
    """A responsible unit reports on its own row for one quarter (not a future one)."""
    from getelec.supervision.selectors import can_report

    if not can_report(actor, assignment):
        raise NotAllowed("只有该任务的责任单位可以报送进展", "assignment")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("请填写进展情况", "text")
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"进展情况不能超过{TEXT_MAX}字", "text")
    if progress not in ReportProgress.values:
        raise InvalidInput("进展状态无效", "progress")
    if progress == ReportProgress.COMPLETED and assignment.task.ongoing:
        raise InvalidInput("持续推进的任务按季度报告进展，不能报“已完成”", "progress")
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise InvalidInput("季度无效", "quarter")
    today = _today()
    if rules.Quarter(year, quarter).first_day > today:
        raise InvalidInput("不能报送尚未开始的季度", "quarter")
    checked = []
    for upload in attachments or []:
        content, content_type = _checked_attachment(upload)
        checked.append((upload.name, content, content_type))
    try:
        with transaction.atomic():
            report = ProgressReport.objects.create(
                assignment=assignment,
                year=year,
                quarter=quarter,
                text=text,
                progress=progress,
                submitted_on=today,
                submitted_by=actor,
            )
            for name, content, content_type in checked:
                sha = hashlib.sha256(content).hexdigest()
                att = ReportAttachment(
                    report=report,
                    original_name=name[:200],
                    content_type=content_type,
                    size=len(content),
                    sha256=sha,
                )
                att.file.save(sha + ATTACHMENT_TYPES[content_type], ContentFile(content), False)
                att.save()
            record(
                actor,
                "supervision.file_progress_report",
                report,
                {},
                {
                    "task": assignment.task.number,
                    "unit": assignment.organisation.name,
                    "quarter": f"{year}Q{quarter}",
                    "progress": progress,
                    "attachments": len(checked),
                },
            )
    except IntegrityError:
        raise Conflict("该季度已有待审核的报告，请等待审核结果", "quarter") from None
    return report


def review_report(
    actor: User, report: ProgressReport, decision: str, comment: str = ""
) -> ProgressReport:
    """A regulator accepts a report, or returns it with a comment (required)."""
    from getelec.supervision.selectors import can_review

    if not can_review(actor, report):
        raise NotAllowed("只有监管机构（非报送单位本身）可以审核进展报告", "report")
    comment = (comment or "").strip()
    if decision not in (ReviewStatus.ACCEPTED, ReviewStatus.RETURNED):
        raise InvalidInput("审核结果须为通过或退回", "decision")
    if decision == ReviewStatus.RETURNED and not comment:
        raise InvalidInput("退回时请填写审核意见", "comment")
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if locked.review != ReviewStatus.PENDING:
            raise Conflict("该报告已审核", "report")
        locked.review, locked.review_comment = decision, comment
        locked.reviewed_at, locked.reviewed_by = timezone.now(), actor
        locked.save(update_fields=["review", "review_comment", "reviewed_at", "reviewed_by"])
        assignment = locked.assignment
        done_changed = {}
        if (
            decision == ReviewStatus.ACCEPTED
            and locked.progress == ReportProgress.COMPLETED
            and assignment.done_on is None
        ):
            assignment.done_on = locked.submitted_on
            assignment.save(update_fields=["done_on"])
            done_changed = {"done_on": locked.submitted_on}
        record(
            actor,
            "supervision.review_report",
            locked,
            {"review": ReviewStatus.PENDING},
            {"review": decision, **done_changed},
            reason=comment,
        )
    return locked


# --------------------------------------------------------------------------------------------
# Delay filings (form A1)
# --------------------------------------------------------------------------------------------


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


def _locked_filing(filing: DelayFiling, version: int) -> DelayFiling:
    locked = DelayFiling.objects.select_for_update().get(pk=filing.pk)
    if locked.version != version:
        raise Conflict("备案已被他人修改，请刷新后重试", "version")
    return locked


def create_filing(actor: User, application: Application, data: FilingInput) -> DelayFiling:
    """A draft filing (revision 1) for an LV application marked as blocked (T2/L4)."""
    _check_company(actor, application)
    if application.voltage != Voltage.LOW:
        raise InvalidInput("备案表适用于低压用户（T2、L4）", "application")
    if not application.grid_upgrade_cause:
        raise InvalidInput(
            "该申请尚未标记电网改造升级、行政审批或施工受阻原因，请先在申请页标记", "application"
        )
    today = _today()
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
    _validate(data, application, _today())
    with transaction.atomic():
        locked = _locked_filing(filing, version)
        if not locked.is_draft:
            raise Conflict("备案已报送，不能再修改；请提交修订并说明原因", "filing")
        revision = locked.revisions.get(number=1)
        old = _audit_values({f.name: getattr(revision, f.name) for f in fields(FilingInput)})
        values = _revision_values(application, data)
        for key, value in values.items():
            setattr(revision, key, value)
        revision.save()
        locked.version += 1
        locked.save(update_fields=["version"])
        record(actor, "supervision.update_draft_filing", locked, old, _audit_values(values))
    return locked


def submit_filing(actor: User, filing: DelayFiling, version: int) -> DelayFiling:
    """Submit the draft; from now on it is immutable. Late when after the statutory due date
    (a late filing must say why)."""
    _check_company(actor, filing.application)
    today = _today()
    with transaction.atomic():
        locked = _locked_filing(filing, version)
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
        locked.version += 1
        locked.save(update_fields=["submitted_on", "late", "first_committed_on", "version"])
        record(
            actor,
            "supervision.submit_filing",
            locked,
            {"submitted_on": None},
            {"submitted_on": today, "late": late, "revision": 1},
        )
    return locked


def revise_filing(
    actor: User, filing: DelayFiling, data: FilingInput, reason: str, version: int
) -> FilingRevision:
    """A new submitted revision with a reason; earlier revisions stay as they were."""
    application = filing.application
    _check_company(actor, application)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写修订原因", "reason")
    today = _today()
    _validate(data, application, today)
    with transaction.atomic():
        locked = _locked_filing(filing, version)
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
        locked.version += 1
        locked.save(update_fields=["version"])
        old = _audit_values({k: getattr(previous, k) for k in FIELD_LABELS})
        record(
            actor,
            "supervision.revise_filing",
            locked,
            old,
            {**_audit_values(values), "revision": revision.number},
            reason=reason,
        )
    return revision


# --------------------------------------------------------------------------------------------
# Monthly batches
# --------------------------------------------------------------------------------------------


def submit_batch(actor: User, company: Organisation, month: dt.date) -> MonthlyBatch:
    """Submit the company's batch for a month that has ended; idempotent (a month is submitted
    once; asking again returns the batch already submitted)."""
    from getelec.supervision import selectors

    if not (
        actor.is_authenticated and actor.is_company_staff and actor.organisation_id == company.pk
    ):
        raise NotAllowed("只有本供电企业的工作人员可以报送月度备案", "company")
    month = rules.month_start(month)
    today = _today()
    if today <= rules.month_end(month):
        raise InvalidInput(f"{month:%Y年%m月}尚未结束，次月起方可报送", "month")
    existing = MonthlyBatch.objects.filter(company=company, month=month).first()
    if existing is not None:
        return existing
    preview = selectors.batch_preview(company, month, today)
    if not preview.rows:
        raise InvalidInput(f"{month:%Y年%m月}没有需要报送的备案", "month")
    with transaction.atomic():
        try:
            with transaction.atomic():
                batch = MonthlyBatch.objects.create(
                    company=company,
                    month=month,
                    due_on=preview.deadline.on,
                    submitted_on=today,
                    submitted_by=actor,
                    late=preview.deadline.on is not None and today > preview.deadline.on,
                    rows=preview.rows,
                    basis=preview.basis,
                )
        except IntegrityError:
            return MonthlyBatch.objects.get(company=company, month=month)
        batch.recipients.set(regulator_organisations())
        batch.regions.set(Region.objects.filter(code__in=preview.regions))
        record(
            actor,
            "supervision.submit_batch",
            batch,
            {},
            {
                "month": month,
                "rows": len(preview.rows),
                "late": batch.late,
                "due_on": batch.due_on,
            },
        )
    return batch
