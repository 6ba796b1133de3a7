"""Delay filings (form A1): the list, a new filing, its page, edits and revisions, submission."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from getelec.connection import services as connection
from getelec.kernel.access import SignedInRequest
from getelec.kernel.errors import ServiceError, add_to_form
from getelec.supervision import rules, selectors, services
from getelec.supervision.forms import FilingForm, ReviseForm
from getelec.supervision.views.desk import desk_view, show_error


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
        show_error(request, exc)
    else:
        messages.success(request, _("备案已报送，将列入本月月度报送"))
    return redirect("supervision:filing", pk=filing.pk)
