"""Monthly batches of filings: the list, a month's preview, submission, a batch and its workbook."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from getelec.accounts.powers import Power, powers_of
from getelec.kernel.access import SignedInRequest
from getelec.kernel.errors import ServiceError
from getelec.supervision import exports, rules, selectors, services
from getelec.supervision.forms import MonthForm
from getelec.supervision.views.desk import desk_view, show_error, xlsx_response
from getelec.webinput import query_int


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
        show_error(request, exc)
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
    return xlsx_response(
        exports.batch_xlsx(batch), f"A1-{batch.company_id}-{batch.month:%Y%m}.xlsx"
    )
