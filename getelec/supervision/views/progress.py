"""The ledger of 附件2: rows and their state, quarterly progress reports and their review."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from getelec.kernel.access import SignedInRequest
from getelec.kernel.errors import ServiceError
from getelec.supervision import exports, rules, selectors, services
from getelec.supervision.forms import ReportForm, ReviewForm
from getelec.supervision.models import ReviewStatus
from getelec.supervision.views.desk import desk_view, show_error, xlsx_response


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
    return xlsx_response(exports.ledger_xlsx(statuses, today), f"ledger-{today:%Y%m%d}.xlsx")


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
        show_error(request, exc)
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
            show_error(request, exc)
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
