"""Quarterly progress reports on ledger rows: filed by the responsible unit, reviewed by a
region regulator.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from getelec.accounts.models import User
from getelec.audit.services import record
from getelec.connection import validators as check
from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed
from getelec.supervision import rules
from getelec.supervision.models import (
    LedgerAssignment,
    ProgressReport,
    ReportAttachment,
    ReportProgress,
    ReviewStatus,
)
from getelec.supervision.selectors.ledger import can_report, can_review
from getelec.supervision.services._transition import transition

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
    today = timezone.localdate()
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
    if not can_review(actor, report):
        raise NotAllowed("只有监管机构（非报送单位本身）可以审核进展报告", "report")
    comment = (comment or "").strip()
    if decision not in (ReviewStatus.ACCEPTED, ReviewStatus.RETURNED):
        raise InvalidInput("审核结果须为通过或退回", "decision")
    if decision == ReviewStatus.RETURNED and not comment:
        raise InvalidInput("退回时请填写审核意见", "comment")
    with transition(actor, report, "supervision.review_report") as change:
        locked = change.obj
        if locked.review != ReviewStatus.PENDING:
            raise Conflict("该报告已审核", "report")
        locked.review, locked.review_comment = decision, comment
        locked.reviewed_at, locked.reviewed_by = timezone.now(), actor
        change.save("review", "review_comment", "reviewed_at", "reviewed_by")
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
        change.old = {"review": ReviewStatus.PENDING}
        change.new = {"review": decision, **done_changed}
        change.reason = comment
    return change.obj
