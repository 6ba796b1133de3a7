"""Official holiday schedules imported after release (years the shipped package lacks)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from getelec.core.workdays import YearSchedule


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    holidays = models.JSONField(_("法定节假日（放假日期）"))
    workdays = models.JSONField(_("调休上班日（周末上班日期）"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")

    def __str__(self) -> str:
        return f"{self.year}"

    def as_schedule(self) -> YearSchedule:
        return YearSchedule(
            self.year,
            frozenset(dt.date.fromisoformat(d) for d in self.holidays),
            frozenset(dt.date.fromisoformat(d) for d in self.workdays),
            self.source,
        )


class CalendarRevision(models.Model):
    """One row: a new `token` on every change of the imported years, so that every process
    notices an import made by another one (`source.current_calendar` compares tokens)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    token = models.UUIDField(_("版本"), default=uuid.uuid4)
    changed_at = models.DateTimeField(_("变更时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历版本")
        verbose_name_plural = _("工作日历版本")

    def __str__(self) -> str:
        return f"{self.token}"
