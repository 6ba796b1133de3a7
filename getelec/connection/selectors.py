"""Scoped reads: access control lives here. Views and API start from these querysets.

CONTRACT (signatures fixed; bodies to implement).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from getelec.accounts.models import User
from getelec.connection.models import Application


def applications_for(user: User) -> QuerySet[Application]:
    """applicant: own; staff: own company within their region; regulator: all in their
    region (read-only); admin: all; anonymous or other roles: none."""
    raise NotImplementedError


def get_application_for(user: User, number: str) -> Application:
    """The application if `user` may see it, else Http404 (never 403: existence stays hidden)."""
    raise NotImplementedError


def can_work_on(user: User, application: Application) -> bool:
    """Staff of the application's company within their region scope."""
    raise NotImplementedError


def staff_queue(user: User) -> QuerySet[Application]:
    """Open applications the staff member may work: key projects first, then by due date
    (overdue first), pending-calendar ones last."""
    raise NotImplementedError


@dataclass(frozen=True)
class PublicProgress:
    """What the public lookup shows: no personal data."""

    number: str
    category: str
    status: str
    current_stage: str
    applied_on: Any
    due_on: Any
    due_pending_year: int | None
    stages: list[dict[str, Any]]
    pauses: list[dict[str, Any]]


def public_progress(number: str, verification_code: str) -> PublicProgress | None:
    """None unless both match (constant-time compare of the code)."""
    raise NotImplementedError
