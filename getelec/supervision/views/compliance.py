"""The regulators' time-limit compliance dashboard and its drill-down to applications."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from getelec.accounts.powers import Power, powers_of
from getelec.connection.models import PauseReason
from getelec.kernel.access import SignedInRequest
from getelec.supervision import dashboard as dash
from getelec.supervision import exports, selectors
from getelec.supervision.views.desk import desk_view, xlsx_response


def _regulator(request: HttpRequest) -> Any:
    user = request.user
    if not powers_of(user).has(Power.READ_COMPLIANCE_DASHBOARD):
        raise Http404(_("页面不存在"))
    return user


def _period(request: HttpRequest, today: dt.date) -> tuple[dt.date, dt.date, str]:
    start, end = dash.default_period(today)
    error = ""
    try:
        if request.GET.get("start"):
            start = dt.date.fromisoformat(request.GET["start"])
        if request.GET.get("end"):
            end = dt.date.fromisoformat(request.GET["end"])
    except ValueError:
        error = _("统计期间：日期格式应为 YYYY-MM-DD")
        start, end = dash.default_period(today)
    if start > end:
        error = _("统计期间：开始日期不能晚于结束日期")
        start, end = dash.default_period(today)
    return start, end, error


def _drill_link(base: dict[str, str], **query: str) -> str:
    """The drill-down page for the dashboard's grouping and period (`base`), narrowed by
    `query` (key, metric, reason)."""
    return reverse("supervision:drill") + "?" + urlencode({**base, **query})


def _group_rows(groups: list[dash.GroupFigures], base: dict[str, str]) -> list[dict[str, Any]]:
    """One table row per group: its count of each metric, each a link to the applications."""
    return [
        {
            "g": g,
            "cells": [
                (m, g.counts[m], _drill_link(base, key=g.key, metric=m)) for m in dash.METRICS
            ],
            "completed_url": _drill_link(base, key=g.key, metric="completed"),
            "paused_url": _drill_link(base, key=g.key, metric="paused"),
        }
        for g in groups
    ]


def _chart(groups: list[dash.GroupFigures], base: dict[str, str]) -> dict[str, Any]:
    """The chart's series, units, labels and links (read by the page's script as JSON)."""
    return {
        "series": {
            "on_time_rate": _("按期率（%）"),
            "overdue": _("当前逾期（件）"),
            "avg_taken": _("平均用时（工作日）"),
            "avg_limit": _("平均时限（工作日）"),
        },
        "units": {"percent": "%", "count": _("件"), "workdays": _("工作日")},
        "labels": [g.label for g in groups],
        "on_time_rate": [g.on_time_rate for g in groups],
        "overdue": [g.counts["overdue"] for g in groups],
        "avg_taken": [g.avg_taken for g in groups],
        "avg_limit": [g.avg_limit for g in groups],
        "overdue_links": [_drill_link(base, key=g.key, metric="overdue") for g in groups],
        "completed_links": [_drill_link(base, key=g.key, metric="completed") for g in groups],
    }


@desk_view
def dashboard(request: SignedInRequest) -> HttpResponse:
    user = _regulator(request)
    today = timezone.localdate()
    start, end, error = _period(request, today)
    if error:
        messages.error(request, error)
    group = request.GET.get("group", "company")
    if group not in dash.GROUPS:
        group = "company"
    groups = dash.figures(user, group, start, end, today)
    reasons = dash.pause_reasons(user, start, end)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            _dashboard_xlsx(
                groups,
                dash.findings(user, start, end, today),
                reasons,
                str(dash.GROUPS[group]),
            ),
            f"compliance-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        )
    base = {"group": group, "start": start.isoformat(), "end": end.isoformat()}
    chart = _chart(groups, base)
    reason_rows = [
        (r, _drill_link(base, key="", metric="paused", reason=r.reason)) for r in reasons
    ]
    return render(
        request,
        "supervision/dashboard.html",
        {
            "rows": _group_rows(groups, base),
            "groups": dash.GROUPS,
            "group": group,
            "group_label": dash.GROUPS[group],
            "start": start,
            "end": end,
            "metrics": dash.METRICS,
            "chart_json": json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c"),
            "findings": dash.findings(user, start, end, today),
            "pause_reasons": reason_rows,
            "summary": selectors.filing_summary(user, today),
            "export_query": urlencode({**base, "format": "xlsx"}),
        },
    )


def _dashboard_xlsx(
    groups: list[Any], findings: list[Any], reasons: list[Any], group_label: str
) -> bytes:
    header = [
        group_label,
        *(str(label) for label in dash.METRICS.values()),
        _("按期率（%）"),
        _("平均用时（工作日）"),
        _("90分位用时（工作日）"),
        _("平均时限（工作日）"),
        _("暂停工作日合计"),
        _("待节假日安排（件）"),
    ]
    rows = [
        [
            g.label,
            *(g.counts[m] for m in dash.METRICS),
            g.on_time_rate,
            g.avg_taken,
            g.p90_taken,
            g.avg_limit,
            g.paused_wd,
            g.calendar_pending,
        ]
        for g in groups
    ]
    found = [
        [f.label, f.application.number, f.application.company.name, f.evidence] for f in findings
    ]
    reason_rows = [[r.label, r.pauses, r.applications, r.paused_wd] for r in reasons]
    return exports.table_xlsx(
        [
            (_("时限合规"), header, rows),
            (_("异常模式"), [_("类型"), _("申请编号"), _("供电企业"), _("证据")], found),
            (
                _("暂停原因"),
                [_("原因"), _("次数"), _("涉及申请"), _("暂停工作日")],
                reason_rows,
            ),
        ]
    )


@desk_view
def drill(request: SignedInRequest) -> HttpResponse:
    user = _regulator(request)
    today = timezone.localdate()
    start, end, _period_error = _period(request, today)
    group = request.GET.get("group", "company")
    metric = request.GET.get("metric", "accepted")
    reason = request.GET.get("reason", "")
    if group not in dash.GROUPS or metric not in dash.METRICS:
        raise Http404(_("页面不存在"))
    if reason and reason not in PauseReason.values:
        raise Http404(_("页面不存在"))
    key = request.GET.get("key", "")
    apps = dash.drill(user, group, key, metric, start, end, today, reason=reason)
    return render(
        request,
        "supervision/drill.html",
        {
            "apps": apps,
            "metric_label": dash.METRICS[metric],
            "reason_label": PauseReason(reason).label if reason else "",
            "start": start,
            "end": end,
        },
    )
