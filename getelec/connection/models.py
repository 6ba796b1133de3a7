"""Connection applications (办电): state of each application, its stages, pauses and documents.

Every change of state goes through `services.py` (one transaction + one audit row); reads that a
user may see go through `selectors.py` (scoped querysets).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from getelec.accounts.masking import mask_id_number, mask_name, mask_phone
from getelec.accounts.models import Organisation, Region

# The documents-once store (L13) and the cached choice labels live in the kernel; re-exported
# for the existing call sites (and migration 0001, which names document_path here).
from getelec.documents.models import Document, DocumentKind, document_path  # noqa: F401
from getelec.kernel.choices import CachedChoiceLabels, choice_label  # noqa: F401


class CustomerType(models.TextChoices):
    RESIDENTIAL = "residential", _("居民")
    SMALL_MICRO_ENTERPRISE = "small_micro_enterprise", _("小微企业")
    PRIVATE_ORG = "private_org", _("民营经济组织")
    OTHER = "other", _("其他组织")


class RequestType(models.TextChoices):
    NEW = "new", _("正式新装")
    INCREASE = "increase", _("增容")
    TEMPORARY = "temporary", _("临时用电")


class Purpose(models.TextChoices):
    GENERAL = "general", _("一般用电")
    EV_CHARGING = "ev_charging", _("电动汽车充电桩")
    EBIKE_CHARGING = "ebike_charging", _("小区电动自行车充电设施")


class Voltage(models.TextChoices):
    LOW = "low", _("低压")
    HIGH = "high", _("高压")


class Supply(models.TextChoices):
    SINGLE = "single", _("单电源")
    DUAL = "dual", _("双电源")


class Category(models.TextChoices):
    """Stable category codes (glossary); labels from i18n."""

    LV_RESIDENTIAL = "lv_residential", _("低压居民")
    LV_THREE_ZERO = "lv_three_zero", _("低压非居民（三零）")
    LV_NON_RESIDENTIAL = "lv_non_residential", _("低压非居民（非三零）")
    LV_EV_CHARGING = "lv_ev_charging", _("低压电动汽车充电设施")
    LV_EBIKE_CHARGING = "lv_ebike_charging", _("低压电动自行车充电设施")
    HV_SINGLE = "hv_single", _("高压单电源")
    HV_DUAL = "hv_dual", _("高压双电源")


class StageCode(models.TextChoices):
    INTAKE = "intake", _("业务受理")
    SUPPLY_SCHEME = "supply_scheme", _("供电方案答复")
    EXTERNAL_WORKS = "external_works", _("外线工程实施")
    DESIGN_REVIEW = "design_review", _("设计文件审核")
    MIDWAY_INSPECTION = "midway_inspection", _("中间检查")
    COMPLETION_INSPECTION = "completion_inspection", _("竣工检验")
    ENERGIZING = "energizing", _("装表接电")


class Status(models.TextChoices):
    IN_PROGRESS = "in_progress", _("办理中")
    PAUSED = "paused", _("暂停计时（客户原因）")
    AWAITING_CONSENT = "awaiting_consent", _("待客户签字确认")
    COMPLETED = "completed", _("已接电")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATUSES = (Status.IN_PROGRESS, Status.PAUSED, Status.AWAITING_CONSENT)


class PauseReason(models.TextChoices):
    """Customer-side reasons only: the company's own delays never stop the clock.

    AWAITING_CONSENT is set by the system only (T1: the customer has not yet signed the 三零
    notice); staff choose among the others.
    """

    AWAITING_CONSENT = "awaiting_consent", _("等待客户签字确认三零政策告知")
    CUSTOMER_WORKS = "customer_works", _("客户受电工程施工")
    MISSING_DOCUMENTS = "missing_documents", _("客户补充资料")
    CUSTOMER_REQUEST = "customer_request", _("客户要求暂缓")
    CUSTOMER_UNREACHABLE = "customer_unreachable", _("客户现场不具备条件或无法联系")


class GridUpgradeCause(models.TextChoices):
    """T2/L4: why the statutory limit cannot be met (form A1)."""

    PUBLIC_GRID_UPGRADE = "public_grid_upgrade", _("10千伏及以上公共电网升级改造")
    ADMINISTRATIVE_APPROVAL = "administrative_approval", _("行政审批")
    OBSTRUCTED_CONSTRUCTION = "obstructed_construction", _("施工受阻")


class KeyProject(models.TextChoices):
    NONE = "", _("否")
    NATIONAL = "national", _("国家重大项目")
    PROVINCIAL = "provincial", _("自治区重大项目")


class Application(CachedChoiceLabels):
    # Identity: the number is public-facing; with the verification code it opens the public
    # progress page. Neither alone reveals anything.
    number = models.CharField(_("申请编号"), max_length=20, unique=True)
    verification_code = models.CharField(_("查询验证码"), max_length=8)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="applications",
        verbose_name=_("申请人账号"),
    )
    company = models.ForeignKey(
        Organisation, models.PROTECT, related_name="applications", verbose_name=_("供电企业")
    )
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("所在县（市、区）"))

    # Customer (personal data: masked wherever the full value is not needed).
    customer_type = models.CharField(_("用户类型"), max_length=24, choices=CustomerType.choices)
    customer_name = models.CharField(_("户名"), max_length=128)
    id_number = models.CharField(_("身份证号/统一社会信用代码"), max_length=32)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    address = models.CharField(_("用电地址"), max_length=255)
    property_scope = models.CharField(
        _("同一产权范围标识"),
        max_length=128,
        db_index=True,
        help_text=_("不动产权证号或其他能识别同一产权范围的编号"),
    )

    # What is asked for.
    request_type = models.CharField(_("业务类型"), max_length=12, choices=RequestType.choices)
    purpose = models.CharField(_("用电用途"), max_length=16, choices=Purpose.choices)
    capacity_kw = models.DecimalField(_("报装容量（千瓦）"), max_digits=12, decimal_places=2)
    voltage = models.CharField(_("供电电压"), max_length=4, choices=Voltage.choices)
    supply = models.CharField(_("电源"), max_length=6, choices=Supply.choices)
    external_works = models.BooleanField(_("涉及电力外线工程"), default=False)
    requested_high_voltage = models.BooleanField(_("客户自身原因要求高压供电"), default=False)
    hv_to_lv_deregistration = models.BooleanField(_("高压销户转低压"), default=False)
    property_existing_kw = models.DecimalField(
        _("同一产权范围已有及在途容量（千瓦）"), max_digits=12, decimal_places=2, default=0
    )
    key_project = models.CharField(
        _("重大项目绿色通道"), max_length=10, choices=KeyProject.choices, blank=True, default=""
    )

    # Decisions (from getelec.core.assess), with the policy values and clauses behind them.
    category = models.CharField(_("办电类别"), max_length=24, choices=Category.choices)
    three_zero = models.BooleanField(_("三零服务"), default=False)
    informed_consent_required = models.BooleanField(_("须告知三零政策并签字确认"), default=False)
    informed_consent_at = models.DateTimeField(_("客户签字确认时间"), null=True, blank=True)
    site_survey_required = models.BooleanField(_("必须现场勘察"), default=False)
    time_limit_wd = models.PositiveSmallIntegerField(_("全过程时限（工作日）"))
    decision = models.JSONField(_("判定依据"), default=dict)

    # Clock. applied_on: the day the application reached the company (not counted).
    applied_on = models.DateField(_("申请日"), db_index=True)
    first_requested_on = models.DateField(_("客户首次提出需求日"), null=True, blank=True)
    paused_wd = models.PositiveIntegerField(_("已暂停工作日"), default=0)
    due_on = models.DateField(_("全过程到期日"), null=True, blank=True)
    # Set when due_on cannot be computed yet: the year whose schedule is missing.
    due_pending_year = models.PositiveSmallIntegerField(_("待导入年份"), null=True, blank=True)
    contracted_on = models.DateField(_("约定接电日期"), null=True, blank=True)

    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    current_stage = models.CharField(
        _("当前环节"), max_length=24, choices=StageCode.choices, blank=True
    )
    completed_on = models.DateField(_("接电日期"), null=True, blank=True)
    cancelled_reason = models.TextField(_("撤销原因"), blank=True)

    # T2/L4: the limit cannot be met because of grid upgrade, approval or obstruction.
    grid_upgrade_cause = models.CharField(
        _("无法满足时限的原因"), max_length=24, choices=GridUpgradeCause.choices, blank=True
    )
    grid_upgrade_project = models.CharField(_("配套电网工程"), max_length=200, blank=True)
    grid_upgrade_committed_on = models.DateField(_("承诺完成日期"), null=True, blank=True)
    grid_upgrade_marked_on = models.DateField(_("标记日期"), null=True, blank=True)
    customer_informed_on = models.DateField(_("告知客户日期"), null=True, blank=True)

    documents = models.ManyToManyField(
        "documents.Document", blank=True, related_name="applications"
    )

    # Queue order (L6 green channel): national key projects, then provincial, then the rest.
    queue_rank = models.GeneratedField(
        expression=models.Case(
            models.When(key_project=KeyProject.NATIONAL, then=models.Value(0)),
            models.When(key_project=KeyProject.PROVINCIAL, then=models.Value(1)),
            default=models.Value(2),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    # Idempotent submission: a client-chosen key; resubmitting it returns the same application.
    submission_key = models.CharField(max_length=64, blank=True, default="")

    # Optimistic concurrency: every state change bumps it and requires the value it read.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-applied_on", "-id"]
        indexes = [
            # Staff queue: open applications of a company, key projects first, by due date
            # (selectors.staff_queue filters on exactly these statuses, so the partial index
            # applies and serves the ORDER BY ... LIMIT without a sort).
            models.Index(
                fields=["company", "queue_rank", "due_on", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="connection_queue_idx",
            ),
            models.Index(fields=["status", "due_on"], name="connection_status_due_idx"),
            # Lists scoped to a company, newest first.
            models.Index(fields=["company", "-applied_on", "-id"], name="connection_company_idx"),
            # Staff scope (selectors.applications_for): company_id = ? AND region_id LIKE
            # '6401%'. varchar_pattern_ops lets PostgreSQL use the index for the prefix LIKE
            # whatever the database collation (the capped count becomes an index-only scan);
            # other databases ignore opclasses (SQLite: a plain (company, region) index).
            models.Index(
                fields=["company", "region"],
                name="connection_scope_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="application_unique_submission_key",
            )
        ]
        verbose_name = _("用电报装申请")
        verbose_name_plural = _("用电报装申请")

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def masked_customer_name(self) -> str:
        if self.customer_type == CustomerType.RESIDENTIAL:
            return mask_name(self.customer_name)
        return self.customer_name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class NumberSequence(models.Model):
    """Per-prefix counters for application numbers (row-locked while a number is taken)."""

    key = models.CharField(max_length=16, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class StageRecord(CachedChoiceLabels):
    """One stage of an application with its limit and due date (stage deadlines accumulate)."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="stages")
    seq = models.PositiveSmallIntegerField(_("序号"))
    stage = models.CharField(_("环节"), max_length=24, choices=StageCode.choices)
    limit_wd = models.PositiveSmallIntegerField(_("环节时限（工作日）"))
    cumulative_wd = models.PositiveSmallIntegerField(_("累计时限（工作日）"))
    due_on = models.DateField(_("环节到期日"), null=True, blank=True)
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("办理意见"), blank=True)

    class Meta:
        ordering = ["application_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["application", "seq"], name="stage_unique_seq"),
            models.UniqueConstraint(fields=["application", "stage"], name="stage_unique_code"),
        ]
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")

    def __str__(self) -> str:
        return f"{self.application_id}:{self.stage}"


class Pause(CachedChoiceLabels):
    """The clock stopped for a customer-side reason (visible to everyone)."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="pauses")
    reason = models.CharField(_("暂停原因"), max_length=24, choices=PauseReason.choices)
    note = models.TextField(_("说明"), blank=True)
    started_on = models.DateField(_("暂停日期"))
    ended_on = models.DateField(_("恢复日期"), null=True, blank=True)
    # Working days d with started_on < d <= ended_on; set when the clock resumes.
    paused_wd = models.PositiveSmallIntegerField(_("暂停工作日"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["application_id", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(ended_on__isnull=True),
                name="pause_one_open_per_application",
            )
        ]
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.started_on}–{self.ended_on or ''}"


class Notification(CachedChoiceLabels):
    """In-app notice and the outbox other channels (SMS, e-mail) deliver from."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("申请已提交")
        STAGE_CHANGED = "stage_changed", _("办理环节变更")
        PAUSED = "paused", _("暂停计时")
        RESUMED = "resumed", _("恢复计时")
        DUE_CHANGED = "due_changed", _("到期日变更")
        GRID_UPGRADE = "grid_upgrade", _("电网改造承诺完成时限")
        COMPLETED = "completed", _("已接电")
        CANCELLED = "cancelled", _("已撤销")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    application = models.ForeignKey(
        Application, models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Outbox: one row per channel delivery (the in-app notice is the row itself).
    channel = models.CharField(max_length=16, default="outbox")
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.user_id} ({self.channel})"
