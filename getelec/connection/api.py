"""Connection API (django-ninja router). Endpoints start from scoped selectors.

Access: session auth with CSRF (ninja's django_auth) except the rules calculator and the public
progress lookup. An application outside the caller's scope is a 404 (never 403); a 403 means the
caller can see the application but may not make this change (e.g. a regulator); 409 means
somebody else changed it first (the body carries the `version` read).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja import Status as Respond
from ninja.files import UploadedFile
from ninja.security import django_auth

from getelec.accounts.masking import (
    mask_address,
    mask_id_number,
    mask_phone,
    mask_property_scope,
)
from getelec.connection import selectors, services, throttle
from getelec.connection.models import OPEN_STATUSES, Application, Category, Document, Status
from getelec.connection.reason_text import rendered as rendered_reasons
from getelec.connection.schema import (
    AdvanceIn,
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    CancelIn,
    CapacitySuggestionOut,
    ContractedDateIn,
    DocumentOut,
    ErrorOut,
    GridUpgradeIn,
    KeyProjectLevelIn,
    NotificationOut,
    NotificationsReadIn,
    NotificationsReadOut,
    PauseIn,
    PublicProgressOut,
    ResumeIn,
    VersionIn,
)
from getelec.core.assess import (
    MAX_CHARGERS,
    MAX_DWELLINGS,
    MAX_FLOOR_AREA_M2,
    suggest_capacity,
)
from getelec.core.compliance import clock_overdue
from getelec.core.workdays import pending_text
from getelec.webinput import MAX_PAGE

router = Router(tags=["connection"], auth=django_auth)

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_PAGE_SIZE = 100
COUNT_CAP = 10_000


# --- rules calculator -------------------------------------------------------------------------


def _assess_body_schema() -> dict[str, Any]:
    from getelec.core.assess import AssessInput

    return AssessInput.model_json_schema()


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


@router.post(
    "/assess",
    auth=None,
    summary="规则计算：三零资格、类别、时限、到期日",
    description="与命令行 `getelec assess` 相同的输入与输出；错误时返回 422 和同样的一行说明。",
    response={200: dict[str, Any], 422: ErrorOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _assess_body_schema()}},
        }
    },
)
def assess(request: HttpRequest) -> dict[str, Any]:
    from getelec.connection.calculator import assess_json
    from getelec.core.assess import AssessError

    try:
        data = json.loads(request.body or b"", parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError, UnicodeDecodeError) as exc:
        raise AssessError("input", f"not valid JSON ({exc})") from None
    return assess_json(data)


# --- serialisation ----------------------------------------------------------------------------


def _pending_text(app: Application) -> str:
    if app.due_on is None and app.due_pending_year:
        return pending_text(app.due_pending_year)
    return ""


def _list_item(
    app: Application, remaining: int | None, today: dt.date, paused_since: dt.date | None = None
) -> dict[str, Any]:
    return {
        "number": app.number,
        "status": app.status,
        "status_label": app.get_status_display(),
        "category": app.category,
        "category_label": app.get_category_display(),
        "customer_name": app.masked_customer_name,
        "region": app.region_id,
        "region_name": app.region.name,
        "company": app.company.name,
        "capacity_kw": app.capacity_kw,
        "key_project": app.key_project,
        "current_stage": app.current_stage,
        "current_stage_label": app.get_current_stage_display() if app.current_stage else "",
        "applied_on": app.applied_on,
        "due_on": app.due_on,
        "due_pending_year": app.due_pending_year,
        "due_pending_text": _pending_text(app),
        "remaining_wd": remaining,
        "overdue": app.status in OPEN_STATUSES and clock_overdue(app.due_on, today, paused_since),
        "version": app.version,
    }


def _document(doc: Document, today: dt.date) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "kind": doc.kind,
        "kind_label": doc.get_kind_display(),
        "original_name": doc.original_name,
        "content_type": doc.content_type,
        "size": doc.size,
        "valid_until": doc.valid_until,
        "uploaded_at": doc.uploaded_at,
        "valid": doc.valid_until is None or doc.valid_until >= today,
    }


def _personal(app: Application, full: bool) -> dict[str, Any]:
    """The applicant's details: in full for the applicant and the staff who work the
    application, masked for every other reader."""
    return {
        "id_number": app.id_number if full else mask_id_number(app.id_number),
        "contact_phone": app.contact_phone if full else mask_phone(app.contact_phone),
        "address": app.address if full else mask_address(app.address),
        "personal_data_masked": not full,
        "property_scope": app.property_scope if full else mask_property_scope(app.property_scope),
    }


def _grid_upgrade(app: Application) -> dict[str, Any] | None:
    if not app.grid_upgrade_cause:
        return None
    return {
        "cause": app.grid_upgrade_cause,
        "cause_label": app.get_grid_upgrade_cause_display(),
        "project": app.grid_upgrade_project,
        "committed_on": app.grid_upgrade_committed_on,
        "marked_on": app.grid_upgrade_marked_on,
        "customer_informed_on": app.customer_informed_on,
    }


def _timeline(app: Application) -> dict[str, Any]:
    return {
        "stages": [
            {
                "seq": s.seq,
                "stage": s.stage,
                "label": s.get_stage_display(),
                "limit_wd": s.limit_wd,
                "cumulative_wd": s.cumulative_wd,
                "started_on": s.started_on,
                "due_on": s.due_on,
                "completed_on": timezone.localdate(s.completed_at) if s.completed_at else None,
                "note": s.note,
            }
            for s in selectors.stages_of(app)
        ],
        "pauses": [
            {
                "reason": p.reason,
                "label": p.get_reason_display(),
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "paused_wd": p.paused_wd,
                "note": p.note,
            }
            for p in selectors.pauses_of(app)
        ],
    }


def _decision(app: Application) -> dict[str, Any]:
    decision = app.decision or {}
    return {
        "category": app.category,
        "category_label": app.get_category_display(),
        "three_zero": _three_zero(decision, app.three_zero),
        "informed_consent_required": app.informed_consent_required,
        "site_survey_required": app.site_survey_required,
        "time_limit_working_days": app.time_limit_wd,
        "stage_clock": "each" if services.each_on_own_clock(app) else "cumulative",
        "proposed_voltage": decision.get("proposed_voltage", app.voltage),
        "basis": decision.get("basis", {}),
    }


def _detail(app: Application, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    remaining = selectors.remaining_workdays([app], today)[app.pk]
    full = selectors.sees_personal_data(user, app)
    data = _list_item(app, remaining, today, selectors.open_pause_starts([app]).get(app.pk))
    if full:
        data["customer_name"] = app.customer_name
    data.update(
        {
            "customer_type": app.customer_type,
            **_personal(app, full),
            "request_type": app.request_type,
            "purpose": app.purpose,
            "voltage": app.voltage,
            "supply": app.supply,
            "external_works": app.external_works,
            "requested_high_voltage": app.requested_high_voltage,
            "hv_to_lv_deregistration": app.hv_to_lv_deregistration,
            "property_existing_kw": app.property_existing_kw,
            "three_zero": app.three_zero,
            "informed_consent_required": app.informed_consent_required,
            "informed_consent_at": app.informed_consent_at,
            "site_survey_required": app.site_survey_required,
            "time_limit_wd": app.time_limit_wd,
            "paused_wd": app.paused_wd,
            "contracted_on": app.contracted_on,
            "completed_on": app.completed_on,
            "cancelled_reason": app.cancelled_reason,
            "first_requested_on": app.first_requested_on,
            "grid_upgrade": _grid_upgrade(app),
            "verification_code": app.verification_code if selectors.is_owner(user, app) else None,
            **_timeline(app),
            "decision": _decision(app),
            "documents": [_document(d, today) for d in app.documents.all()] if full else [],
            "can_work": selectors.can_work_on(user, app),
        }
    )
    return data


def _three_zero(decision: dict[str, Any], eligible: bool) -> dict[str, Any]:
    """The stored 三零 decision with each reason's text in the request language."""
    stored = decision.get("three_zero") or {"eligible": eligible, "reasons": []}
    return {**stored, "reasons": rendered_reasons(stored.get("reasons") or [])}


def _page(qs: QuerySet[Application], page: int, page_size: int) -> dict[str, Any]:
    today = timezone.localdate()
    # Counting 100,000 rows costs ~50 ms on PostgreSQL: count up to COUNT_CAP and say so.
    counted = qs.order_by()[: COUNT_CAP + 1].count()
    start = (page - 1) * page_size
    rows = list(qs[start : start + page_size])
    remaining = selectors.remaining_workdays(rows, today)
    paused = selectors.open_pause_starts(rows)
    return {
        "count": min(counted, COUNT_CAP),
        "count_exact": counted <= COUNT_CAP,
        "page": page,
        "page_size": page_size,
        "items": [_list_item(a, remaining[a.pk], today, paused.get(a.pk)) for a in rows],
    }


# --- applications -----------------------------------------------------------------------------


@router.get(
    "/applications",
    response={200: ApplicationPage, **ERRORS},
    summary="申请列表（按角色范围）",
)
def list_applications(
    request: HttpRequest,
    status: Status | None = None,
    category: Category | None = None,
    overdue: bool | None = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> dict[str, Any]:
    # The list never shows the stored decision (~4 kB of JSON per row): do not load or parse it.
    qs = (
        selectors.applications_for(request.auth)
        .select_related("region", "company")
        .defer("decision")
    )
    qs = selectors.filter_applications(qs, status=status, category=category, overdue=overdue)
    return _page(qs, page, page_size)


@router.post(
    "/applications",
    response={201: ApplicationOut, **ERRORS},
    summary="提交用电报装申请（申请人）",
)
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    try:
        app = services.submit_application(
            request.auth,
            services.ApplicationInput.from_api(payload),
            reuse_document_ids=payload.document_ids,
            submission_key=payload.submission_key,
        )
    except services.InvalidInput as exc:  # errors name the API's fields, not the service's
        renamed = [("document_ids" if f == "reuse_document_ids" else f, m) for f, m in exc.errors]
        if renamed != exc.errors:
            raise services.InvalidInput.several(renamed) from None
        raise
    app = selectors.get_application_for(request.auth, app.number)
    return Respond(201, _detail(app, request.auth))


@router.get(
    "/applications/{number}",
    response={200: ApplicationOut, **ERRORS},
    summary="申请详情（环节、暂停、判定依据及条款）",
)
def get_application(request: HttpRequest, number: str) -> dict[str, Any]:
    return _detail(selectors.get_application_for(request.auth, number), request.auth)


def _act(request: HttpRequest, number: str, action: Any, *args: Any, **kwargs: Any) -> Any:
    app = selectors.get_application_for(request.auth, number)
    action(app, request.auth, *args, **kwargs)
    return _detail(selectors.get_application_for(request.auth, number), request.auth)


@router.post(
    "/applications/{number}/advance",
    response={200: ApplicationOut, **ERRORS},
    summary="完成当前环节，进入下一环节（工作人员）",
)
def advance(request: HttpRequest, number: str, payload: AdvanceIn) -> Any:
    return _act(
        request,
        number,
        services.advance_stage,
        payload.expected_stage,
        payload.version,
        payload.note,
    )


@router.post(
    "/applications/{number}/pause",
    response={200: ApplicationOut, **ERRORS},
    summary="因客户原因暂停计时（工作人员）",
)
def pause(request: HttpRequest, number: str, payload: PauseIn) -> Any:
    return _act(
        request,
        number,
        services.pause_clock,
        payload.reason,
        payload.note,
        payload.version,
        on=payload.on,
    )


@router.post(
    "/applications/{number}/resume",
    response={200: ApplicationOut, **ERRORS},
    summary="恢复计时，到期日顺延暂停的工作日（工作人员）",
)
def resume(request: HttpRequest, number: str, payload: ResumeIn) -> Any:
    return _act(request, number, services.resume_clock, payload.version, on=payload.on)


@router.post(
    "/applications/{number}/grid-upgrade",
    response={200: ApplicationOut, **ERRORS},
    summary="标记电网改造等原因无法满足时限，登记承诺完成日期（T2/L4）",
)
def grid_upgrade(request: HttpRequest, number: str, payload: GridUpgradeIn) -> Any:
    return _act(
        request,
        number,
        services.mark_grid_upgrade,
        payload.cause,
        payload.project,
        payload.committed_on,
        payload.customer_informed_on,
        payload.version,
        reason=payload.reason,
    )


@router.post(
    "/applications/{number}/contracted-date",
    response={200: ApplicationOut, **ERRORS},
    summary="登记约定接电日期（L8，不延长法定时限）",
)
def contracted_date(request: HttpRequest, number: str, payload: ContractedDateIn) -> Any:
    return _act(
        request, number, services.set_contracted_date, payload.contracted_on, payload.version
    )


@router.post(
    "/applications/{number}/key-project",
    response={200: ApplicationOut, **ERRORS},
    summary="标记国家/自治区重大项目（L6 绿色通道）",
)
def key_project(request: HttpRequest, number: str, payload: KeyProjectLevelIn) -> Any:
    return _act(request, number, services.set_key_project, payload.level, payload.version)


@router.post(
    "/applications/{number}/consent",
    response={200: ApplicationOut, **ERRORS},
    summary="登记客户签字确认三零政策告知（T1）",
)
def consent(request: HttpRequest, number: str, payload: VersionIn) -> Any:
    return _act(request, number, services.record_informed_consent, payload.version)


@router.post(
    "/applications/{number}/cancel",
    response={200: ApplicationOut, **ERRORS},
    summary="撤销申请（申请人或工作人员）",
)
def cancel(request: HttpRequest, number: str, payload: CancelIn) -> Any:
    return _act(request, number, services.cancel_application, payload.reason, payload.version)


# --- queue, documents, notifications ----------------------------------------------------------


@router.get(
    "/queue",
    response={200: ApplicationPage, **ERRORS},
    summary="工作人员待办队列（重大项目优先，按到期日，超期在前）",
)
def queue(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    if not request.auth.is_company_staff:
        raise services.NotAllowed(_("待办队列仅供供电企业工作人员使用"))
    return _page(selectors.staff_queue(request.auth).defer("decision"), page, page_size)


@router.post(
    "/documents",
    response={201: DocumentOut, **ERRORS},
    summary="上传办电材料（PDF/JPEG/PNG，按内容识别类型）",
)
def upload_document(
    request: HttpRequest,
    kind: Form[str],
    file: File[UploadedFile],
    valid_until: Form[dt.date | None] = None,
) -> Any:
    doc = services.upload_document(request.auth, kind, file, valid_until)
    return Respond(201, _document(doc, timezone.localdate()))


@router.get(
    "/documents",
    response={200: list[DocumentOut], **ERRORS},
    summary="本人材料（有效期内的可在新申请中复用，L13）",
)
def list_documents(request: HttpRequest) -> Any:
    today = timezone.localdate()
    return [_document(d, today) for d in selectors.documents_for(request.auth)[:200]]


@router.get(
    "/notifications",
    response={200: list[NotificationOut], **ERRORS},
    summary="本人通知（最近100条）",
)
def notifications(request: HttpRequest) -> Any:
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "kind_label": n.get_kind_display(),
            "text": n.text,
            "application": n.application.number if n.application_id else None,
            "created_at": n.created_at,
            "read_at": n.read_at,
        }
        for n in selectors.notifications_for(request.auth)[:100]
    ]


@router.post(
    "/notifications/read",
    response={200: NotificationsReadOut, **ERRORS},
    summary="将本人通知标为已读（ids 为空时全部）",
)
def notifications_read(request: HttpRequest, payload: NotificationsReadIn) -> Any:
    return {"marked": services.mark_notifications_read(request.auth, payload.ids)}


# --- capacity standard (L7) -------------------------------------------------------------------


@router.get(
    "/capacity-suggestion",
    auth=None,
    response={200: CapacitySuggestionOut, 422: ErrorOut},
    summary="推荐报装容量（L7 容量标准：按建筑面积、户数、充电桩数）",
)
def capacity_suggestion(
    request: HttpRequest,
    area_m2: float | None = Query(None, gt=0, le=MAX_FLOOR_AREA_M2, allow_inf_nan=False),
    dwellings: int | None = Query(None, ge=1, le=MAX_DWELLINGS),
    ev_chargers: int = Query(0, ge=0, le=MAX_CHARGERS),
    region: str | None = Query(None, pattern=r"^[0-9]{6}$"),
    on: dt.date | None = None,
) -> Any:
    if area_m2 is None and (dwellings is not None or not ev_chargers):
        raise services.InvalidInput(
            _("请填写建筑面积（按户数计算时为每户建筑面积），或填写充电桩数量"), "area_m2"
        )
    day = on or timezone.localdate()
    suggestion = suggest_capacity(
        day, area_m2=area_m2, dwellings=dwellings, ev_chargers=ev_chargers, region=region
    )
    return {**suggestion.as_json(), "on": day, "region": region}


# --- public progress --------------------------------------------------------------------------


@router.get(
    "/progress/{number}",
    auth=None,
    response={200: PublicProgressOut, 404: ErrorOut, 429: ErrorOut},
    summary="公开进度查询（申请编号 + 查询验证码；不含个人信息）",
)
def progress(request: HttpRequest, number: str, code: str = "") -> Any:
    minutes = throttle.blocked(request, number)  # the same failure budget as the web page
    if minutes is not None:
        message = _("查询失败次数过多，请%(n)s分钟后再试") % {"n": minutes}
        return Respond(429, {"detail": message, "field": ""})
    found = selectors.public_progress(number, code)
    if found is None:
        throttle.failed(request, number)
        return Respond(404, {"detail": _("申请编号或查询验证码不正确"), "field": "code"})
    # The hottest endpoint: the payload below is built field by field from public data only
    # (the fields of PublicProgressOut, which documents it), so it is encoded directly rather
    # than re-validated through the schema (half of the endpoint's CPU time). A test checks the
    # keys equal the schema's fields.
    payload = {
        "number": found.number,
        "category": found.category,
        "category_label": found.category_label,
        "status": found.status,
        "status_label": found.status_label,
        "current_stage": found.current_stage,
        "current_stage_label": found.current_stage_label,
        "applied_on": found.applied_on,
        "time_limit_wd": found.time_limit_wd,
        "due_on": found.due_on,
        "due_pending_year": found.due_pending_year,
        "due_pending_text": found.due_pending_text,
        "completed_on": found.completed_on,
        "contracted_on": found.contracted_on,
        "grid_upgrade_cause": found.grid_upgrade_cause,
        "grid_upgrade_cause_label": found.grid_upgrade_cause_label,
        "grid_upgrade_committed_on": found.grid_upgrade_committed_on,
        "stages": found.stages,
        "pauses": found.pauses,
    }
    return HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
