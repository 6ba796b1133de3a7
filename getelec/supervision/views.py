"""Web pages of the regulator's desk. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from getelec.accounts.models import User
from getelec.accounts.powers import Power, powers_of
from getelec.connection import services as connection
from getelec.connection.models import PauseReason
from getelec.kernel.access import SignedInRequest
from getelec.kernel.errors import ServiceError, add_to_form
from getelec.supervision import exports, rules, selectors, services
from getelec.supervision.forms import FilingForm, MonthForm, ReportForm, ReviewForm, ReviseForm
from getelec.supervision.models import ReviewStatus
from getelec.webinput import query_int

DESK_ROLES = (User.Role.STAFF, User.Role.REGULATOR, User.Role.DEPARTMENT, User.Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def desk_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in desk users only; everyone else gets a 404 (the desk's existence is no secret,
    but nothing in it is theirs)."""

    @login_required
    @wraps(view)
    def wrapped(request: SignedInRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not (user.role in DESK_ROLES or user.is_superuser):
            raise Http404(_("页面不存在"))
        return view(request, *args, **kwargs)

    return wrapped


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _error(request: HttpRequest, exc: ServiceError) -> None:
    messages.error(request, exc.message)


# --------------------------------------------------------------------------------------------
# Desk home
# --------------------------------------------------------------------------------------------


@desk_view
def index(request: SignedInRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    statuses = selectors.ledger_status(user, today)
    overdue_rows = [s for s in statuses if s.state == rules.LedgerState.OVERDUE]
    context = {
        "today": today,
        "ledger_count": len(statuses),
        "overdue_rows": overdue_rows,
        "follow_ups": selectors.follow_ups(user, today),
        "unfiled": selectors.unfiled_overdue(user, today),
        "batch_flags": [
            f for f in selectors.batch_flags(user, today) if f.state in ("missing", "late", "due")
        ],
        "blocked_unfiled": selectors.blocked_unfiled(user),
    }
    return render(request, "supervision/index.html", context)


# --------------------------------------------------------------------------------------------
# Ledger
# --------------------------------------------------------------------------------------------


@desk_view
def ledger(request: SignedInRequest) -> HttpResponse:
    today = timezone.localdate()
    statuses = selectors.ledger_status(request.user, today)
    state = request.GET.get("state", "")
    if state:
        statuses = [s for s in statuses if s.state == state]
    return render(
        request,
        "supervision/ledger.html",
        {
            "sections": selectors.ledger_by_section(statuses),
            "state": state,
            "states": selectors.translated(rules.LEDGER_STATE_LABELS).items(),
            "today": today,
        },
    )


@desk_view
def ledger_export(request: SignedInRequest) -> HttpResponse:
    today = timezone.localdate()
    statuses = selectors.ledger_status(request.user, today)
    return _xlsx(exports.ledger_xlsx(statuses, today), f"ledger-{today:%Y%m%d}.xlsx")


@desk_view
def task_detail(request: SignedInRequest, number: int) -> HttpResponse:
    user = request.user
    task = selectors.get_task_for(user, number)
    today = timezone.localdate()
    status = selectors.task_status(user, task, today)
    quarters = selectors.reportable_quarters(today)
    unit_forms = []
    for unit in status.units:
        if selectors.can_report(user, unit.assignment):
            form = ReportForm(initial={"assignment": unit.assignment.pk}, quarters=quarters)
            unit_forms.append((unit, form))
    reports = selectors.task_reports(user, task)
    review_forms = {
        r.pk: ReviewForm()
        for r in reports
        if r.review == ReviewStatus.PENDING and selectors.can_review(user, r)
    }
    return render(
        request,
        "supervision/task_detail.html",
        {
            "task": task,
            "status": status,
            "unit_forms": unit_forms,
            "reports": reports,
            "review_forms": review_forms,
            "today": today,
            "max_mb": f"{settings.DOCUMENT_MAX_BYTES / 1024 / 1024:g}",
        },
    )


@desk_view
@require_POST
def file_report(request: SignedInRequest, number: int) -> HttpResponse:
    user = request.user
    task = selectors.get_task_for(user, number)
    today = timezone.localdate()
    form = ReportForm(request.POST, quarters=selectors.reportable_quarters(today))
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else field}：{errors[0]}",
            )
        return redirect("supervision:task", number=task.number)
    assignment = selectors.assignment_for(user, task, form.cleaned_data["assignment"])
    if assignment is None:
        raise Http404(_("未找到该任务"))
    quarter = rules.Quarter.parse(form.cleaned_data["period"])
    try:
        services.file_progress_report(
            user,
            assignment,
            quarter.year,
            quarter.q,
            form.cleaned_data["text"],
            form.cleaned_data["progress"],
            request.FILES.getlist("attachments"),
        )
    except ServiceError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("进展报告已报送，等待审核"))
    return redirect("supervision:task", number=task.number)


@desk_view
@require_POST
def review(request: SignedInRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("审核结果：请选择通过或退回"))
    else:
        try:
            services.review_report(
                request.user,
                report,
                form.cleaned_data["decision"],
                form.cleaned_data["comment"],
            )
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("审核结果已保存"))
    return redirect("supervision:task", number=report.assignment.task.number)


@desk_view
def attachment(request: SignedInRequest, pk: int) -> FileResponse:
    att = selectors.get_attachment_for(request.user, pk)
    return FileResponse(
        att.file.open("rb"),
        as_attachment=True,
        filename=att.original_name,
        content_type=att.content_type,
    )


# --------------------------------------------------------------------------------------------
# Filings
# --------------------------------------------------------------------------------------------


@desk_view
def filings(request: SignedInRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    qs = selectors.filings_for(user).prefetch_related("revisions").order_by("-created_on", "-id")
    rows = [
        {
            "filing": f,
            "revision": selectors.current_revision(f),
            "outcome": selectors.filing_outcome(f, today) if f.submitted_on else None,
        }
        for f in qs
    ]
    return render(
        request,
        "supervision/filings.html",
        {
            "rows": rows,
            "labels": selectors.translated(rules.FILING_OUTCOME_LABELS),
            "blocked_unfiled": selectors.blocked_unfiled(user),
            "follow_ups": selectors.follow_ups(user, today),
            "unfiled": selectors.unfiled_overdue(user, today),
            "summary": selectors.filing_summary(user, today),
            "today": today,
        },
    )


@desk_view
def filing_new(request: SignedInRequest, number: str) -> HttpResponse:
    user = request.user
    application = connection.get_application_for(user, number)
    if not connection.can_work_on(user, application):
        raise Http404(_("未找到该申请"))
    existing = selectors.filings_for(user).filter(application=application).first()
    if existing is not None:  # one filing per application: open it (revise it there)
        return redirect("supervision:filing", pk=existing.pk)
    form = FilingForm(
        request.POST if request.method == "POST" else None,
        initial=FilingForm.initial_from(services.FilingInput.from_application(application)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.create_filing(user, application, form.to_input())
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("备案草稿已保存；核对后请报送"))
            return redirect("supervision:filing", pk=filing.pk)
    return render(
        request,
        "supervision/filing_form.html",
        {
            "form": form,
            "application": application,
            "title": _("填报备案表"),
        },
    )


@desk_view
def filing_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    filing = selectors.get_filing_for(user, pk)
    today = timezone.localdate()
    revisions = selectors.revisions_for(user, filing)
    can_edit = connection.can_work_on(user, filing.application)
    history = selectors.filing_history(filing)
    return render(
        request,
        "supervision/filing_detail.html",
        {
            "filing": filing,
            "revisions": revisions,
            "current": selectors.current_revision(filing),
            "outcome": selectors.filing_outcome(filing, today) if filing.submitted_on else None,
            "labels": selectors.translated(rules.FILING_OUTCOME_LABELS),
            "can_edit": can_edit,
            "history": history,
        },
    )


def _filing_input_initial(filing: Any) -> dict[str, object]:
    revision = selectors.current_revision(filing)
    return {k: getattr(revision, k) for k in services.FIELD_LABELS}


@desk_view
def filing_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Edit the draft; after submission the same page makes a new revision with a reason."""
    user = request.user
    filing = selectors.get_filing_for(user, pk)
    if not connection.can_work_on(user, filing.application):
        raise Http404(_("未找到该备案"))
    form_class = FilingForm if filing.is_draft else ReviseForm
    initial = {**_filing_input_initial(filing), "version": filing.version}
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if filing.is_draft:
                services.update_draft_filing(
                    user,
                    filing,
                    form.to_input(),
                    int(request.POST.get("version", 0)),
                )
            else:
                services.revise_filing(
                    user,
                    filing,
                    form.to_input(),
                    form.cleaned_data["reason"],
                    form.cleaned_data["version"],
                )
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("已保存") if filing.is_draft else _("修订已报送"))
            return redirect("supervision:filing", pk=filing.pk)
    return render(
        request,
        "supervision/filing_form.html",
        {
            "form": form,
            "application": filing.application,
            "filing": filing,
            "title": _("修改备案草稿")
            if filing.is_draft
            else _("修订备案（报送后每次修改为新版本）"),
        },
    )


@desk_view
@require_POST
def filing_submit(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    filing = selectors.get_filing_for(user, pk)
    try:
        services.submit_filing(user, filing, int(request.POST.get("version", 0)))
    except ServiceError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("备案已报送，将列入本月月度报送"))
    return redirect("supervision:filing", pk=filing.pk)


# --------------------------------------------------------------------------------------------
# Monthly batches
# --------------------------------------------------------------------------------------------


def _default_month(today: dt.date) -> dt.date:
    return rules.month_start(rules.month_start(today) - dt.timedelta(days=1))


@desk_view
def batches(request: SignedInRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    return render(
        request,
        "supervision/batches.html",
        {
            "flags": selectors.batch_flags(user, today),
            "batches": selectors.batches_for(user),
            "default_month": _default_month(today),
            "today": today,
        },
    )


@desk_view
def batch_preview(request: SignedInRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    form = MonthForm(request.GET or {"month": f"{_default_month(today):%Y-%m}"})
    company = selectors.preview_company(user, query_int(request.GET, "company", default=0))
    if company is None:
        raise Http404(_("未找到该供电企业"))
    if not form.is_valid():
        # ErrorList[i] is the message text; django-stubs types it as the stored item
        messages.error(request, form.errors["month"][0])  # type: ignore[arg-type]
        return redirect("supervision:batches")
    month = form.cleaned_data["month"]
    preview = selectors.batch_preview(company, month, today)
    existing = selectors.batch_of(user, company, month)
    return render(
        request,
        "supervision/batch_preview.html",
        {
            "preview": preview,
            "existing": existing,
            "today": today,
            "month_ended": today > rules.month_end(month),
            "can_submit": powers_of(user).has(Power.FILE_FILINGS)
            and user.organisation_id == company.pk,
        },
    )


@desk_view
@require_POST
def batch_submit(request: SignedInRequest) -> HttpResponse:
    user = request.user
    form = MonthForm(request.POST)
    if not form.is_valid():
        # ErrorList[i] is the message text; django-stubs types it as the stored item
        messages.error(request, form.errors["month"][0])  # type: ignore[arg-type]
        return redirect("supervision:batches")
    company = selectors.company_for(user, user.organisation_id)
    if company is None or not powers_of(user).has(Power.FILE_FILINGS):
        raise Http404(_("未找到该供电企业"))
    try:
        batch = services.submit_batch(user, company, form.cleaned_data["month"])
    except ServiceError as exc:
        _error(request, exc)
        return redirect("supervision:batches")
    messages.success(request, _("月度备案已报送"))
    return redirect("supervision:batch", pk=batch.pk)


@desk_view
def batch_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    batch = selectors.get_batch_for(request.user, pk)
    return render(
        request,
        "supervision/batch_detail.html",
        {"batch": batch, "rows": selectors.batch_rows(batch)},
    )


@desk_view
def batch_export(request: SignedInRequest, pk: int) -> HttpResponse:
    batch = selectors.get_batch_for(request.user, pk)
    return _xlsx(exports.batch_xlsx(batch), f"A1-{batch.company_id}-{batch.month:%Y%m}.xlsx")


# --------------------------------------------------------------------------------------------
# Compliance dashboard (regulators)
# --------------------------------------------------------------------------------------------


def _regulator(request: HttpRequest) -> Any:
    user = request.user
    if not powers_of(user).has(Power.READ_COMPLIANCE_DASHBOARD):
        raise Http404(_("页面不存在"))
    return user


def _period(request: HttpRequest, today: dt.date) -> tuple[dt.date, dt.date, str]:
    from getelec.supervision.dashboard import default_period

    start, end = default_period(today)
    error = ""
    try:
        if request.GET.get("start"):
            start = dt.date.fromisoformat(request.GET["start"])
        if request.GET.get("end"):
            end = dt.date.fromisoformat(request.GET["end"])
    except ValueError:
        error = _("统计期间：日期格式应为 YYYY-MM-DD")
        start, end = default_period(today)
    if start > end:
        error = _("统计期间：开始日期不能晚于结束日期")
        start, end = default_period(today)
    return start, end, error


@desk_view
def dashboard(request: SignedInRequest) -> HttpResponse:
    import json

    from django.urls import reverse
    from django.utils.http import urlencode

    from getelec.supervision import dashboard as dash

    user = _regulator(request)
    today = timezone.localdate()
    start, end, error = _period(request, today)
    if error:
        messages.error(request, error)
    group = request.GET.get("group", "company")
    if group not in dash.GROUPS:
        group = "company"
    groups = dash.figures(user, group, start, end, today)
    base = {"group": group, "start": start.isoformat(), "end": end.isoformat()}

    def link(key: str, metric: str) -> str:
        return (
            reverse("supervision:drill") + "?" + urlencode({**base, "key": key, "metric": metric})
        )

    rows = [
        {
            "g": g,
            "cells": [(m, g.counts[m], link(g.key, m)) for m in dash.METRICS],
            "completed_url": link(g.key, "completed"),
            "paused_url": link(g.key, "paused"),
        }
        for g in groups
    ]
    reasons = dash.pause_reasons(user, start, end)
    reason_rows = [
        (
            r,
            reverse("supervision:drill")
            + "?"
            + urlencode({**base, "key": "", "metric": "paused", "reason": r.reason}),
        )
        for r in reasons
    ]
    chart = {
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
        "overdue_links": [link(g.key, "overdue") for g in groups],
        "completed_links": [link(g.key, "completed") for g in groups],
    }
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            _dashboard_xlsx(
                groups,
                dash.findings(user, start, end, today),
                reasons,
                str(dash.GROUPS[group]),
            ),
            f"compliance-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        )
    return render(
        request,
        "supervision/dashboard.html",
        {
            "rows": rows,
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
    from getelec.supervision import dashboard as dash

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
    from getelec.supervision import dashboard as dash

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
