"""Supply quality: grid registry, frequent-outage problem ledger, planned outages, repairs.

- Grid registry (L29): feeders (10千伏线路) and districts (台区) with the areas they serve and
  the meters on each, imported from the same CSV/Parquet the analytics engine reads.
- Problem ledger (L28, L30): one entry per frequent district / problem line and year, written by
  `getelec outages refresh` from the engine's results and moved along its lifecycle by services.
- Planned outages (L25, 电力供应与使用条例 art. 28) and repair tickets (L24, L47) with the
  customer notices they send (L48).
Every change goes through getelec.outages.services (one transaction, one audit row).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from getelec.accounts.models import Organisation, Region
from getelec.notifications import channel_label


class Area(models.TextChoices):
    """Service area of a district: the engine knows urban/rural; remote is a rural district the
    supply company's commitments treat as 特殊边远地区."""

    URBAN = "urban", _("城区")
    RURAL = "rural", _("农村")
    REMOTE = "remote", _("特殊边远地区")


# --------------------------------------------------------------------------------------------
# Grid registry
# --------------------------------------------------------------------------------------------


class Feeder(models.Model):
    feeder_id = models.CharField(_("线路编号"), max_length=64, unique=True)
    name = models.CharField(_("线路名称"), max_length=128, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("行政区划"), related_name="+")
    company = models.ForeignKey(
        Organisation, models.PROTECT, verbose_name=_("供电企业"), related_name="+"
    )

    class Meta:
        ordering = ["feeder_id"]
        verbose_name = _("10千伏线路")
        verbose_name_plural = _("10千伏线路")

    def __str__(self) -> str:
        return self.name or self.feeder_id


class District(models.Model):
    district_id = models.CharField(_("台区编号"), max_length=64, unique=True)
    name = models.CharField(_("台区名称"), max_length=128, blank=True)
    feeder = models.ForeignKey(Feeder, models.PROTECT, related_name="districts")
    region = models.ForeignKey(Region, models.PROTECT, verbose_name=_("行政区划"), related_name="+")
    company = models.ForeignKey(
        Organisation, models.PROTECT, verbose_name=_("供电企业"), related_name="+"
    )
    area = models.CharField(_("区域类型"), max_length=8, choices=Area.choices)
    served_area = models.CharField(_("供电范围（小区、村组、街道）"), max_length=255, blank=True)
    meter_count = models.PositiveIntegerField(_("在册电能表数"), default=0)

    class Meta:
        ordering = ["district_id"]
        indexes = [models.Index(fields=["company", "region"])]
        verbose_name = _("台区")
        verbose_name_plural = _("台区")

    def __str__(self) -> str:
        return self.name or self.district_id


class Meter(models.Model):
    """A metered LV customer. `address` and `account` are never shown on public pages.

    A meter that leaves the grid (missing from a registry import that may remove meters) is
    retired, not deleted: its notices, account binding and audit history stay; it no longer
    counts anywhere "current" (district meter counts, the engine's registry, new notices, the
    public lookup). Listed again in a later file, it is active again.
    """

    meter_id = models.CharField(_("电能表编号"), max_length=64, unique=True)
    # The customer's account number with the supply company (one customer may have several
    # meters); with meter_id, the only keys of the public lookup (exact match, indexed).
    customer_number = models.CharField(_("户号"), max_length=32, blank=True, db_index=True)
    district = models.ForeignKey(District, models.PROTECT, related_name="meters")
    address = models.CharField(_("用电地址"), max_length=255, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="outage_meters",
        verbose_name=_("用电户账号"),
    )
    retired_on = models.DateField(_("退役日期"), null=True, blank=True)

    class Meta:
        ordering = ["meter_id"]
        verbose_name = _("电能表")
        verbose_name_plural = _("电能表")

    def __str__(self) -> str:
        return self.meter_id


# --------------------------------------------------------------------------------------------
# Engine results kept by the refresh
# --------------------------------------------------------------------------------------------


class DistrictStatus(models.Model):
    """The engine's year-to-date figures for one district (every district with a row)."""

    district = models.ForeignKey(District, models.CASCADE, related_name="statuses")
    year = models.PositiveSmallIntegerField()
    as_of = models.DateField()
    count_year = models.PositiveIntegerField(default=0)
    # The most counted interruptions in any `window_days` consecutive days (L28; the window
    # length is policy data: outage_window_days in force on `as_of`).
    max_count_window = models.PositiveIntegerField(default=0)
    window_days = models.PositiveSmallIntegerField()
    frequent = models.BooleanField(default=False)
    rule = models.CharField(max_length=64, blank=True)
    warning = models.CharField(max_length=64, blank=True)
    # Start times (local, ISO) of the counted interruptions: the planned-outage check and
    # the early-warning ordering work from them.
    counted_starts = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="outages_status_unique")
        ]
        verbose_name = _("台区停电统计")
        verbose_name_plural = _("台区停电统计")

    def __str__(self) -> str:
        return f"{self.district_id} {self.year}"


class ReliabilitySnapshot(models.Model):
    """Indices, data quality and the rule set of the latest refresh of a year."""

    year = models.PositiveSmallIntegerField(unique=True)
    as_of = models.DateField()
    indices = models.JSONField(default=dict)
    quality = models.JSONField(default=dict)
    parameters = models.JSONField(default=dict)
    frequent_by_region = models.JSONField(default=dict)  # region code -> frequent districts
    # lv/mv -> region code -> "YYYY-MM" -> index block: computed by the refresh in DuckDB from
    # the engine's interruptions (the engine's indices.json has region and month, not both).
    by_region_month = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("供电可靠性统计")
        verbose_name_plural = _("供电可靠性统计")

    # --------------------------------------------------------------------------------------------
    # Problem ledger
    # --------------------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.year} ({self.as_of})"


class Level(models.TextChoices):
    DISTRICT = "district", _("问题台区")
    LINE = "line", _("问题线路")


class EntryStatus(models.TextChoices):
    IDENTIFIED = "identified", _("已识别")
    REOPENED = "reopened", _("已重新打开")
    PLANNED = "planned", _("整改计划已制定")
    OBSERVATION = "observation", _("已整改·观察期")
    VERIFIED = "verified", _("已现场核验")
    CLOSED = "closed", _("已销号")


OPEN_ENTRY_STATUSES = (
    EntryStatus.IDENTIFIED,
    EntryStatus.REOPENED,
    EntryStatus.PLANNED,
    EntryStatus.OBSERVATION,
    EntryStatus.VERIFIED,
)


class InspectionKind(models.TextChoices):
    SITE_VISIT = "site_visit", _("现场检查")
    USER_VISIT = "user_visit", _("用户走访")
    BOTH = "both", _("现场检查及用户走访")


class LedgerEntry(models.Model):
    """One problem district or problem line in one year (L28), with its rectification (L30)."""

    number = models.CharField(_("台账编号"), max_length=32, unique=True)
    level = models.CharField(_("类型"), max_length=8, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    point_id = models.CharField(_("台区/线路编号"), max_length=64)
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, related_name="entries"
    )
    feeder = models.ForeignKey(Feeder, models.PROTECT, related_name="entries")
    company = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("供电企业")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("区划"))
    status = models.CharField(
        _("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.IDENTIFIED
    )
    # What the engine found (latest refresh).
    rule = models.CharField(_("触发规则"), max_length=64)
    count_year = models.PositiveIntegerField(_("年内停电次数"), default=0)
    max_count_window = models.PositiveIntegerField(_("窗口内最多停电次数"), default=0)
    window_days = models.PositiveSmallIntegerField(_("窗口天数"))  # outage_window_days (L28)
    frequent_districts = models.PositiveIntegerField(_("频繁停电台区数"), default=0)
    as_of = models.DateField(_("统计日"))
    identified_on = models.DateField(_("识别日期"))
    basis = models.JSONField(_("依据"), default=list)  # policy values and clauses (L28)
    evidence_hash = models.CharField(max_length=64, blank=True)
    # Rectification plan (整改计划).
    measures = models.TextField(_("整改措施"), blank=True)
    budget_wan = models.DecimalField(
        _("投资（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target_on = models.DateField(_("计划完成日期"), null=True, blank=True)
    responsible_team = models.CharField(_("责任班组"), max_length=128, blank=True)
    # Rectification and observation.
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    rectification_note = models.TextField(_("整改完成情况"), blank=True)
    observation_days = models.PositiveIntegerField(_("观察期（天）"), null=True, blank=True)
    observation_basis = models.JSONField(default=dict, blank=True)
    # Regulator verification (L30) and sign-off.
    verified_on = models.DateField(_("核验日期"), null=True, blank=True)
    inspection_kind = models.CharField(
        _("核验方式"), max_length=12, choices=InspectionKind.choices, blank=True
    )
    inspection_record = models.TextField(_("核验记录"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Re-opening: only a breach that includes an interruption after the rectified date.
    reopened_count = models.PositiveIntegerField(_("重新打开次数"), default=0)
    reopened_on = models.DateField(_("最近重新打开日期"), null=True, blank=True)
    reopen_reason = models.TextField(_("重新打开原因"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "status", "point_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "point_id", "year"], name="outages_entry_point_year"
            )
        ]
        indexes = [models.Index(fields=["company", "status"])]
        verbose_name = _("频繁停电问题台账")
        verbose_name_plural = _("频繁停电问题台账")

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ENTRY_STATUSES

    @property
    def point_name(self) -> str:
        if self.level == Level.DISTRICT and self.district_id:
            return str(self.district)
        return str(self.feeder)


class LedgerInterruption(models.Model):
    """The interruptions behind an entry (the engine's evidence), replaced on each refresh."""

    entry = models.ForeignKey(LedgerEntry, models.CASCADE, related_name="interruptions")
    point_id = models.CharField(max_length=64)  # the district (for a line: one of its districts)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    minutes = models.FloatField(null=True, blank=True)
    cause = models.CharField(max_length=20)
    counted = models.BooleanField()
    momentary = models.BooleanField(default=False)
    merged = models.BooleanField(default=False)
    excluded = models.BooleanField(default=False)
    unrestored = models.BooleanField(default=False)
    open = models.BooleanField(default=False)

    class Meta:
        ordering = ["start"]
        verbose_name = _("停电记录")
        verbose_name_plural = _("停电记录")

    # --------------------------------------------------------------------------------------------
    # Planned outages and repair tickets
    # --------------------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.point_id} {self.start:%Y-%m-%d %H:%M}"


class PlannedOutage(models.Model):
    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("已公告")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    number = models.CharField(_("计划停电编号"), max_length=32, unique=True)
    company = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    feeder = models.ForeignKey(Feeder, models.PROTECT, related_name="planned_outages")
    # Empty: the whole feeder (every district on it).
    districts = models.ManyToManyField(District, blank=True, related_name="planned_outages")
    start = models.DateTimeField(_("停电开始"))
    end = models.DateTimeField(_("停电结束"))
    work = models.TextField(_("工作内容"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ANNOUNCED)
    announced_on = models.DateField(_("公告日期"))
    notice_basis = models.JSONField(default=dict)  # quality_planned_notice_days + citation
    frequent_warning = models.JSONField(default=list)  # districts it would push over L28
    merged_with = models.ManyToManyField("self", blank=True, symmetrical=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("计划停电")
        verbose_name_plural = _("计划停电")

    def __str__(self) -> str:
        return self.number


class RepairStage(models.TextChoices):
    ACCEPTED = "accepted", _("受理")
    DISPATCHED = "dispatched", _("派工")
    ARRIVED = "arrived", _("到达现场")
    REPAIRING = "repairing", _("抢修中")
    RESTORED = "restored", _("已复电")


REPAIR_STAGE_ORDER = [s.value for s in RepairStage]


class RepairTicket(models.Model):
    number = models.CharField(_("抢修工单号"), max_length=32, unique=True)
    company = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    district = models.ForeignKey(District, models.PROTECT, related_name="repairs")
    feeder = models.ForeignKey(Feeder, models.PROTECT, related_name="repairs")
    area = models.CharField(_("区域类型"), max_length=8, choices=Area.choices)
    description = models.CharField(_("故障描述"), max_length=255)
    stage = models.CharField(
        _("抢修进度"), max_length=10, choices=RepairStage.choices, default=RepairStage.ACCEPTED
    )
    accepted_at = models.DateTimeField(_("受理时间"))
    dispatched_at = models.DateTimeField(_("派工时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到达现场时间"), null=True, blank=True)
    repairing_at = models.DateTimeField(_("开始抢修时间"), null=True, blank=True)
    restored_at = models.DateTimeField(_("复电时间"), null=True, blank=True)
    commitment_minutes = models.PositiveIntegerField(_("到达现场承诺时限（分钟）"))
    commitment_basis = models.JSONField(default=dict)
    arrival_minutes = models.PositiveIntegerField(_("到达用时（分钟）"), null=True, blank=True)
    late = models.BooleanField(_("超时到达"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("故障抢修工单")
        verbose_name_plural = _("故障抢修工单")

    def __str__(self) -> str:
        return self.number


class RegistryImport(models.Model):
    """One registry import that changed something (idempotent: an unchanged file adds none)."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    feeders = models.PositiveIntegerField(default=0)
    districts = models.PositiveIntegerField(default=0)
    meters = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=dict)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("电网档案导入")
        verbose_name_plural = _("电网档案导入")

    def __str__(self) -> str:
        return f"{self.file_name} {self.imported_at:%Y-%m-%d %H:%M}"


class CustomerNotice(models.Model):
    """Outbox of notices to customers (L48): planned outage, repair progress, restoration.

    channel "outbox" is the in-app notice itself (sent on creation); other channels named in
    settings.OUTAGE_NOTIFICATION_CHANNELS get a row delivered after commit (getelec.outages.notify).
    """

    class Kind(models.TextChoices):
        PLANNED = "planned", _("计划停电通知")
        REPAIR = "repair", _("抢修进度")
        RESTORED = "restored", _("已复电")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="outage_notices"
    )
    meter = models.ForeignKey(Meter, models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    planned_outage = models.ForeignKey(
        PlannedOutage, models.CASCADE, null=True, blank=True, related_name="notices"
    )
    repair = models.ForeignKey(
        RepairTicket, models.CASCADE, null=True, blank=True, related_name="notices"
    )
    channel = models.CharField(max_length=64, default="outbox")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("停电与抢修通知")
        verbose_name_plural = _("停电与抢修通知")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.user_id} ({self.channel})"

    @property
    def channel_label(self) -> str:
        return channel_label(self.channel)
