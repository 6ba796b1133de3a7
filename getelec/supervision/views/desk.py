"""What every page of the regulator's desk shares (desk users only, errors, workbooks), and
the desk's home page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.accounts.models import User
from getelec.kernel.access import SignedInRequest
from getelec.kernel.errors import ServiceError
from getelec.supervision import rules, selectors

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


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def show_error(request: HttpRequest, exc: ServiceError) -> None:
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
