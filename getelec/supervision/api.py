"""Supervision API (django-ninja router, mounted at /api/v1/supervision/).

Every endpoint starts from a scoped selector: out-of-scope objects are 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.security import django_auth

from getelec.accounts.models import User
from getelec.connection import services as connection
from getelec.supervision import selectors

router = Router(tags=["supervision"], auth=django_auth)


def _desk(request: HttpRequest) -> User:
    from getelec.supervision.views import DESK_ROLES

    user = request.user  # signed in (django_auth)
    if not isinstance(user, User) or not (user.role in DESK_ROLES or user.is_superuser):
        raise Http404("页面不存在")
    return user


@router.get("/ledger", summary="任务台账（附件2）：可见任务及其状态")
def ledger(request: HttpRequest) -> list[dict[str, Any]]:
    user = _desk(request)
    return [
        {
            "number": s.task.number,
            "section": s.task.get_section_display(),
            "text": s.task.text,
            "units": s.task.units_text,
            "deadline_text": s.task.deadline_text,
            "due_on": s.task.due_on,
            "state": s.state.value,
            "state_label": s.label,
            "units_status": [
                {
                    "organisation": u.assignment.organisation.name,
                    "state": u.state.value,
                    "overdue_quarters": [str(q.quarter) for q in u.overdue_quarters],
                }
                for u in s.units
            ],
        }
        for s in selectors.ledger_status(user, timezone.localdate())
    ]


@router.get("/ledger/{number}", summary="任务台账单项")
def ledger_task(request: HttpRequest, number: int) -> dict[str, Any]:
    user = _desk(request)
    task = selectors.get_task_for(user, number)
    reports = selectors.reports_for(user).filter(assignment__task=task)
    return {
        "number": task.number,
        "text": task.text,
        "units": task.units_text,
        "deadline_text": task.deadline_text,
        "due_on": task.due_on,
        "reports": [
            {
                "id": r.pk,
                "organisation": r.assignment.organisation.name,
                "quarter": f"{r.year}Q{r.quarter}",
                "progress": r.progress,
                "text": r.text,
                "submitted_on": r.submitted_on,
                "review": r.review,
                "comment": r.review_comment,
            }
            for r in reports
        ],
    }


@router.get("/filings", summary="延期备案（附件1）")
def filings(request: HttpRequest) -> list[dict[str, Any]]:
    user = _desk(request)
    today = timezone.localdate()
    out = []
    for f in selectors.filings_for(user).prefetch_related("revisions"):
        revision = selectors.current_revision(f)
        out.append(
            {
                "id": f.pk,
                "application": f.application.number,
                "company": f.company.name,
                "draft": f.is_draft,
                "late": f.late,
                "submitted_on": f.submitted_on,
                "revision": revision.number if revision else None,
                "cause": revision.cause if revision else None,
                "committed_on": revision.committed_on if revision else None,
                "first_committed_on": f.first_committed_on,
                "outcome": selectors.filing_outcome(f, today).value if f.submitted_on else None,
            }
        )
    return out


@router.get("/filings/{pk}", summary="备案详情（含全部版本）")
def filing(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = _desk(request)
    f = selectors.get_filing_for(user, pk)
    full = connection.sees_personal_data(user, f.application)
    return {
        "id": f.pk,
        "application": f.application.number,
        "company": f.company.name,
        "late": f.late,
        "submitted_on": f.submitted_on,
        "revisions": [selectors.revision_row(r, full=full) for r in f.revisions.order_by("number")],
    }


@router.get("/unfiled-overdue", summary="逾期未按时备案的低压申请")
def unfiled(request: HttpRequest) -> list[dict[str, Any]]:
    user = _desk(request)
    return [
        {
            "application": u.application.number,
            "company": u.application.company.name,
            "due_on": u.application.due_on,
            "kind": u.kind,
        }
        for u in selectors.unfiled_overdue(user, timezone.localdate())
    ]


@router.get("/batches", summary="月度报送及逾期/未报送标记")
def batches(request: HttpRequest) -> list[dict[str, Any]]:
    user = _desk(request)
    return [
        {
            "company": f.company.name,
            "month": f"{f.month:%Y-%m}",
            "due_on": f.deadline.on,
            "state": f.state,
            "batch": f.batch.pk if f.batch else None,
        }
        for f in selectors.batch_flags(user, timezone.localdate())
    ]


@router.get("/batches/{pk}", summary="月度报送内容（报送时冻结）")
def batch(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = _desk(request)
    b = selectors.get_batch_for(user, pk)
    return {
        "company": b.company.name,
        "month": f"{b.month:%Y-%m}",
        "due_on": b.due_on,
        "submitted_on": b.submitted_on,
        "late": b.late,
        "recipients": [o.name for o in b.recipients.all()],
        "rows": selectors.batch_rows(b),
    }
