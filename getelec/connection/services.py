"""State changes of connection applications: each one transaction + one audit row.

CONTRACT (signatures fixed; bodies to implement). Views, API and CLI call only these.
All functions raise ServiceError subclasses with a Chinese message naming the field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from getelec.accounts.models import User
from getelec.connection.models import Application, Document


class ServiceError(Exception):
    """Base: `field` names the input field (or "" for the whole request)."""

    def __init__(self, message: str, field: str = ""):
        self.message, self.field = message, field
        super().__init__(f"{field}: {message}" if field else message)


class InvalidInput(ServiceError):
    """Bad input; nothing was saved."""


class Conflict(ServiceError):
    """Somebody else changed the application first (stale version or stage)."""


class NotAllowed(ServiceError):
    """The actor may not do this to this application."""


@dataclass
class ApplicationInput:
    """What an applicant submits (the web form and the API fill it)."""

    customer_type: str
    customer_name: str
    id_number: str  # 身份证 for residential, 统一社会信用代码 otherwise (checksums verified)
    contact_phone: str
    address: str
    region: str  # county admin code
    property_scope: str
    request_type: str = "new"
    purpose: str = "general"
    capacity_kw: Any = None  # Decimal/str/float; > 0
    voltage: str | None = None  # None: proposed by the rules
    supply: str = "single"
    external_works: bool = False
    requested_high_voltage: bool = False
    hv_to_lv_deregistration: bool = False
    property_existing_kw: Any = 0  # declared by the customer; platform adds what it knows
    first_requested_on: dt.date | None = None


def submit_application(
    applicant: User,
    data: ApplicationInput,
    uploads: list[tuple[str, Any, dt.date | None]] | None = None,  # (kind, UploadedFile, valid)
    reuse_document_ids: list[int] | None = None,
    applied_on: dt.date | None = None,  # default: today (Asia/Shanghai)
    actor: User | None = None,  # staff entering a counter application on behalf
) -> Application:
    raise NotImplementedError


def record_informed_consent(application: Application, actor: User, version: int) -> Application:
    raise NotImplementedError


def advance_stage(
    application: Application, actor: User, expected_stage: str, version: int, note: str = ""
) -> Application:
    raise NotImplementedError


def pause_clock(
    application: Application, actor: User, reason: str, note: str, version: int,
    on: dt.date | None = None,
) -> Application:
    raise NotImplementedError


def resume_clock(
    application: Application, actor: User, version: int, on: dt.date | None = None
) -> Application:
    raise NotImplementedError


def mark_grid_upgrade(
    application: Application, actor: User, cause: str, project: str,
    committed_on: dt.date, customer_informed_on: dt.date, version: int, reason: str = "",
) -> Application:
    raise NotImplementedError


def set_contracted_date(
    application: Application, actor: User, contracted_on: dt.date | None, version: int
) -> Application:
    raise NotImplementedError


def set_key_project(
    application: Application, actor: User, level: str, version: int
) -> Application:
    raise NotImplementedError


def cancel_application(
    application: Application, actor: User, reason: str, version: int
) -> Application:
    raise NotImplementedError


def upload_document(
    owner: User, kind: str, upload: Any, valid_until: dt.date | None
) -> Document:
    raise NotImplementedError


def recompute_pending_deadlines(actor: Any) -> int:
    """Compute due dates that were pending on a missing calendar year; returns how many."""
    raise NotImplementedError
