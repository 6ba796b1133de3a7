"""Supervision: delay filings (form A1), monthly batches, the 53-task ledger (附件2).

Every change of state goes through `services.py` (one transaction + one audit row); reads go
through `selectors.py` (scoped querysets).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from getelec.accounts.models import Organisation, Region
from getelec.connection.models import Application, GridUpgradeCause

# --------------------------------------------------------------------------------------------
# Task ledger (附件2)
# --------------------------------------------------------------------------------------------


class Section(models.TextChoices):
    """The six sections of 附件2, in their order."""

    GENERAL = "general", _("综合类")
    CONVENIENCE = "convenience", _("办电便捷化")
    QUALITY = "quality", _("供电高质化")
    GREEN = "green", _("用电绿色化")
    INCLUSIVE = "inclusive", _("服务普惠化")
    COORDINATION = "coordination", _("监管协同化")


SECTION_ORDER = {code: i for i, code in enumerate(Section.values)}


class LedgerTask(models.Model):
    """One row of 附件2, exactly as written."""

    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    section = models.CharField(_("类别"), max_length=16, choices=Section.choices)
    text = models.TextField(_("工作任务"))
    units_text = models.CharField(_("责任单位（原文）"), max_length=200)
    deadline_text = models.CharField(_("完成时限（原文）"), max_length=20)
    # Resolved deadline (2025年底前 → 2025-12-31); null for 持续推进 (ongoing, quarterly).
    due_on = models.DateField(_("完成时限（日期）"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("台账任务")
        verbose_name_plural = _("台账任务")

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:20]}"

    @property
    def ongoing(self) -> bool:
        return self.due_on is None


class LedgerAssignment(models.Model):
    """A responsible unit on a task; each reports for itself (各供电企业 → one per company)."""

    task = models.ForeignKey(LedgerTask, models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="ledger_assignments",
        verbose_name=_("责任单位"),
    )
    unit_as_written = models.CharField(_("原文单位名称"), max_length=64)
    # Dated tasks: set when a completion report is accepted (its submission date).
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["task__number", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "organisation"], name="ledger_unique_unit")
        ]
        verbose_name = _("责任单位任务")
        verbose_name_plural = _("责任单位任务")

    def __str__(self) -> str:
        return f"{self.task.number} · {self.organisation}"


class ReportProgress(models.TextChoices):
    IN_PROGRESS = "in_progress", _("推进中")
    COMPLETED = "completed", _("已完成")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


class ProgressReport(models.Model):
    """A unit's progress on one task for one quarter; reviewed by a regulator."""

    assignment = models.ForeignKey(
        LedgerAssignment, models.CASCADE, related_name="reports", verbose_name=_("责任单位任务")
    )
    # The quarter reported on (ongoing tasks are judged per quarter; dated tasks use it too).
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    text = models.TextField(_("进展情况"))
    progress = models.CharField(
        _("进展状态"),
        max_length=12,
        choices=ReportProgress.choices,
        default=ReportProgress.IN_PROGRESS,
    )
    submitted_on = models.DateField(_("报送日期"))
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    review = models.CharField(
        _("审核结果"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["assignment_id", "-year", "-quarter", "-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "year", "quarter"],
                condition=models.Q(review="pending"),
                name="ledger_one_pending_report_per_quarter",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="ledger_quarter_1_4"
            ),
        ]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")

    def __str__(self) -> str:
        return f"{self.assignment} {self.year}Q{self.quarter}"

    @property
    def period_label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    return f"ledger/{instance.report_id}/{instance.sha256}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["report_id", "id"]
        verbose_name = _("报告附件")
        verbose_name_plural = _("报告附件")

    def __str__(self) -> str:
        return self.original_name


# --------------------------------------------------------------------------------------------
# Delay filings (附件1, form A1) and monthly batches
# --------------------------------------------------------------------------------------------


class DelayFiling(models.Model):
    """The filing of one LV application whose limit cannot be met (T2/L4); its content lives
    in revisions: revision 1 is a draft until submitted, and every later change is a new
    submitted revision with a reason."""

    application = models.OneToOneField(
        Application, models.PROTECT, related_name="delay_filing", verbose_name=_("申请")
    )
    company = models.ForeignKey(
        Organisation, models.PROTECT, related_name="delay_filings", verbose_name=_("供电企业")
    )
    created_on = models.DateField(_("填报日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    # First submission: the date that decides whether the filing was made in time.
    submitted_on = models.DateField(_("首次报送日期"), null=True, blank=True)
    # Filed after the statutory due date (decided at first submission).
    late = models.BooleanField(_("逾期备案"), default=False)
    # Committed completion date of the first submitted revision: the promise kept or missed.
    first_committed_on = models.DateField(_("首次承诺完成日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_on", "-id"]
        verbose_name = _("电网改造升级无法满足接电时限用电项目备案")
        verbose_name_plural = _("电网改造升级无法满足接电时限用电项目备案")

    def __str__(self) -> str:
        return f"A1 {self.application.number}"

    @property
    def is_draft(self) -> bool:
        return self.submitted_on is None


class FilingRevision(models.Model):
    """The content of form A1 as filed (a snapshot: later changes never alter it)."""

    filing = models.ForeignKey(DelayFiling, models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("版本"))
    # Project and customer (copied from the application when the revision is made).
    project_name = models.CharField(_("项目名称"), max_length=200)
    customer_name = models.CharField(_("用户名称"), max_length=128)
    customer_type = models.CharField(_("用户类型"), max_length=24)
    address = models.CharField(_("用电地址"), max_length=255)
    region_name = models.CharField(_("所在县（市、区）"), max_length=64)
    category = models.CharField(_("办电类别"), max_length=24)
    capacity_kw = models.DecimalField(_("报装容量（千瓦）"), max_digits=12, decimal_places=2)
    applied_on = models.DateField(_("受理（申请）日期"))
    statutory_due_on = models.DateField(_("规定接电时限到期日"), null=True, blank=True)
    statutory_limit_wd = models.PositiveSmallIntegerField(_("规定时限（工作日）"))
    # Why and what it waits on.
    cause = models.CharField(
        _("无法满足时限的原因"), max_length=24, choices=GridUpgradeCause.choices
    )
    cause_detail = models.TextField(_("原因说明"))
    upgrade_project = models.CharField(_("配套电网工程（审批事项）名称"), max_length=200)
    committed_on = models.DateField(_("承诺完成（接电）日期"))
    measures = models.TextField(_("已采取措施"))
    customer_informed_on = models.DateField(_("告知用户日期"))
    customer_informed_how = models.CharField(_("告知方式"), max_length=64)
    late_reason = models.TextField(_("逾期备案说明"), blank=True)
    contact = models.CharField(_("填报人及联系电话"), max_length=100)
    # Revisions after submission say why.
    reason = models.TextField(_("修订原因"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_on = models.DateField(_("报送日期"), null=True, blank=True)

    class Meta:
        ordering = ["filing_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "number"], name="filing_unique_revision")
        ]
        verbose_name = _("备案版本")
        verbose_name_plural = _("备案版本")

    def __str__(self) -> str:
        return f"{self.filing} v{self.number}"


class MonthlyBatch(models.Model):
    """A company's monthly submission of its filings (T2), with its contents frozen."""

    company = models.ForeignKey(
        Organisation, models.PROTECT, related_name="filing_batches", verbose_name=_("供电企业")
    )
    month = models.DateField(_("所属月份"))  # first day of the month
    # Null while the next year's calendar is not loaded (December batches before import).
    due_on = models.DateField(_("报送截止日"), null=True, blank=True)
    submitted_on = models.DateField(_("报送日期"))
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    late = models.BooleanField(_("逾期报送"), default=False)
    # T2: 自治区发展改革委 and 国家能源局西北监管局 (L4's 地方能源(电力)主管部门 is, in Ningxia,
    # 自治区发展改革委); nobody else receives the batch.
    recipients = models.ManyToManyField(
        Organisation, related_name="received_batches", verbose_name=_("报送单位")
    )
    # The regions the batch concerns (the company's and those of its rows' applications), frozen
    # with the rows: who may read it (a city energy authority reads its own city's, read-only).
    # Not recipients.
    regions = models.ManyToManyField(
        Region, related_name="+", blank=True, verbose_name=_("涉及区划")
    )
    # The rows as submitted (JSON list): what the regulators received, never recomputed.
    rows = models.JSONField(_("报送内容"), default=list)
    basis = models.JSONField(_("依据"), default=dict)

    class Meta:
        ordering = ["-month", "company__name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="batch_unique_month")
        ]
        verbose_name = _("月度备案报送")
        verbose_name_plural = _("月度备案报送")

    def __str__(self) -> str:
        return f"{self.company} {self.month:%Y-%m}"
