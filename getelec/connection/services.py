"""State changes of connection applications: each one transaction + one audit row.

Views, API and CLI change applications only through these functions.
All functions raise ServiceError subclasses with a Chinese message naming the field.

Concurrency: every change is a conditional UPDATE on (id, version[, status, current_stage]) that
bumps `version`; when it matches no row somebody else changed the application first and the
caller gets Conflict. On PostgreSQL the loser blocks on the row lock and then sees the new
version; on SQLite (transaction_mode IMMEDIATE) writers are serialised at BEGIN.

Idempotency: asking for the state the application is already in (the same consent, grid-upgrade
mark, contracted date, key-project level, cancellation, pause reason) returns it unchanged
without a new audit row; a repeated submission with the same `submission_key` returns the first
application; a repeated stage advance is a Conflict (nothing is applied twice).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.accounts.models import Organisation, Region, User
from getelec.audit.services import record
from getelec.connection import notify as notices
from getelec.connection import validators as check
from getelec.connection.models import (
    OPEN_STATUSES,
    Application,
    Category,
    CustomerType,
    Document,
    GridUpgradeCause,
    KeyProject,
    Notification,
    NumberSequence,
    Pause,
    PauseReason,
    Purpose,
    RequestType,
    StageCode,
    StageRecord,
    Status,
    Supply,
    Voltage,
)

# Public reads that other domains use (they never import connection.selectors): who may see
# and work on an application, and the applications in a user's scope.
from getelec.connection.selectors import (  # noqa: F401 (re-exported for other domains)
    applications_for,
    can_work_on,
    get_application_for,
    is_owner,
    sees_personal_data,
)
from getelec.core.assess import AssessError, parse_input, plan
from getelec.core.schedule import PauseSpan, StageSpan, workday_schedule
from getelec.core.workdays import CalendarYearNotLoaded, WorkCalendar, pending_text
from getelec.documents.services import StoredFiles, store_upload, upload_document
from getelec.kernel.errors import (
    Conflict,
    InvalidInput,
    InvalidState,
    NotAllowed,
    ServiceError,
)
from getelec.runlock import lock_in_transaction
from getelec.workcalendar.signals import DateMove
from getelec.workcalendar.source import current_calendar


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


# --------------------------------------------------------------------------------------------
# helpers


def _today() -> dt.date:
    return timezone.localdate()


def _fresh(application: Application) -> Application:
    return Application.objects.select_related("region", "company", "applicant").get(
        pk=application.pk
    )


def _status_message(app: Application) -> str:
    return {
        Status.PAUSED: _("该申请正在暂停计时，请先恢复计时"),
        Status.AWAITING_CONSENT: _("该申请须客户先签字确认三零政策告知，暂不能办理"),
        Status.COMPLETED: _("该申请已接电办结"),
        Status.CANCELLED: _("该申请已撤销"),
    }.get(app.status, _("该申请当前状态不允许此操作"))


def _conflict() -> Conflict:
    return Conflict(_("该申请已被他人更新，请刷新页面后重试"), "version")


def _check_version(app: Application, version: Any) -> None:
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidInput(_("缺少版本号"), "version")
    if app.version != version:
        raise _conflict()


def _require_open(app: Application) -> None:
    if app.status not in OPEN_STATUSES:
        raise InvalidState(_status_message(app), "status")


def _require_worker(actor: User, app: Application) -> None:
    if not can_work_on(actor, app):
        raise NotAllowed(_("只有该申请所属供电企业本区域的工作人员可以办理此操作"))


def _apply_update(
    app: Application, version: int, expect: dict[str, Any] | None = None, **fields: Any
) -> None:
    """The conditional UPDATE: succeeds only if nobody changed the application since `version`."""
    now = timezone.now()
    updated = Application.objects.filter(pk=app.pk, version=version, **(expect or {})).update(
        version=F("version") + 1, updated_at=now, **fields
    )
    if updated != 1:
        raise _conflict()
    for name, value in fields.items():
        setattr(app, name, value)
    app.version = version + 1


def _snapshot(app: Application, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(app, name) for name in names}


def _fmt_date(day: dt.date | None, pending_year: int | None = None) -> str:
    if day is not None:
        return day.isoformat()
    return pending_text(pending_year) or "—"


def _company_for(region: Region) -> Organisation | None:
    """The supply company serving a county: a county branch if any, else the city company."""
    companies = Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY)
    for candidate in (region.code, region.parent_id):
        if candidate:
            found = companies.filter(region_id=candidate).order_by("id").first()
            if found is not None:
                return found
    return None


# --- deadlines --------------------------------------------------------------------------------


@dataclass
class _Schedule:
    stage_due: dict[int, dt.date | None]  # StageRecord.seq -> due date
    due_on: dt.date | None
    pending_year: int | None
    paused_wd: int
    pause_wd: dict[int, int | None]  # Pause.pk -> working days paused (closed pauses)


def _compute_schedule(
    app: Application,
    stages: Sequence[StageRecord],
    pauses: Sequence[Pause],
    calendar: WorkCalendar,
    recount_year: int | None = None,
) -> _Schedule:
    """Every due date of `app` from its base data: applied_on, stage limits, closed pauses.

    The dates come from getelec.core.schedule.workday_schedule (the one working-day schedule):
    a stage counts the pauses that started before it was completed, the overall due date every
    closed pause, an open pause nothing until it ends. Deterministic, so recomputing is
    idempotent. A closed pause keeps the working days stored when it ended, except one
    overlapping `recount_year` (a replaced schedule).
    """
    dates = workday_schedule(
        app.applied_on,
        [
            StageSpan(
                stage.limit_wd,
                timezone.localdate(stage.completed_at) if stage.completed_at else None,
            )
            for stage in stages
        ],
        app.time_limit_wd,
        calendar,
        [PauseSpan(p.started_on, p.ended_on, p.paused_wd) for p in pauses],
        recount_year,
    )
    return _Schedule(
        stage_due={stage.seq: due for stage, due in zip(stages, dates.stage_due, strict=True)},
        due_on=dates.due_on,
        pending_year=dates.pending_year,
        paused_wd=dates.paused_wd,
        pause_wd={
            p.pk: wd for p, wd in zip(pauses, dates.pause_wd, strict=True) if p.ended_on is not None
        },
    )


def _save_schedule(
    stages: Sequence[StageRecord], pauses: Sequence[Pause], schedule: _Schedule
) -> None:
    for stage in stages:
        new = schedule.stage_due.get(stage.seq)
        if stage.due_on != new:
            stage.due_on = new
            StageRecord.objects.filter(pk=stage.pk).update(due_on=new)
    for pause in pauses:
        if pause.pk in schedule.pause_wd and pause.paused_wd != schedule.pause_wd[pause.pk]:
            pause.paused_wd = schedule.pause_wd[pause.pk]
            Pause.objects.filter(pk=pause.pk).update(paused_wd=pause.paused_wd)


def _notify_due(app: Application, old_due: dt.date | None, old_pending: int | None) -> None:
    if (old_due, old_pending) == (app.due_on, app.due_pending_year):
        return
    notices.notify(
        app.applicant,
        app,
        Notification.Kind.DUE_CHANGED,
        _("您的用电报装申请%(number)s全过程到期日更新为：%(due)s")
        % {"number": app.number, "due": _fmt_date(app.due_on, app.due_pending_year)},
    )


# --- numbers ----------------------------------------------------------------------------------


def _next_number(region: Region, applied_on: dt.date) -> str:
    """6401-20261126-0001: city code, application date, daily sequence (row-locked counter)."""
    key = f"{region.code[:4]}-{applied_on:%Y%m%d}"
    while True:
        if not NumberSequence.objects.filter(key=key).update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(key=key, last=1)
            except IntegrityError:
                NumberSequence.objects.filter(key=key).update(last=F("last") + 1)
        last = NumberSequence.objects.get(key=key).last
        number = f"{key}-{last:04d}"
        if not Application.objects.filter(number=number).exists():  # e.g. bulk-loaded rows
            return number


def _verification_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


# --------------------------------------------------------------------------------------------
# submission


@dataclass
class _Validated:
    customer_type: str
    customer_name: str
    id_number: str
    contact_phone: str
    address: str
    region: Region
    company: Organisation
    property_scope: str
    request_type: str
    purpose: str
    capacity_kw: Decimal
    voltage: str | None
    supply: str
    external_works: bool
    requested_high_voltage: bool
    hv_to_lv_deregistration: bool
    declared_existing_kw: Decimal
    first_requested_on: dt.date | None


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(_("取值必须是是/否"), field)
    return value


def validate_input(data: ApplicationInput, applied_on: dt.date) -> _Validated:
    """Check every field of a submission (Chinese messages naming the field); no writes."""
    customer_type = check.choice("customer_type", _("用户类型"), data.customer_type, CustomerType)
    name = check.required_text("customer_name", _("户名"), data.customer_name, 128)
    id_number = check.id_number(customer_type, data.id_number)
    phone = check.phone(data.contact_phone)
    address = check.required_text("address", _("用电地址"), data.address, 255)
    code = data.region.strip() if isinstance(data.region, str) else ""
    region = (
        Region.objects.select_related("parent").filter(code=code, level=Region.Level.COUNTY).first()
    )
    if region is None:
        raise InvalidInput(_("所在县（市、区）无效：请选择一个县级行政区划"), "region")
    company = _company_for(region)
    if company is None:
        raise InvalidInput(_("所选地区暂无供电企业受理网上申请"), "region")
    scope = check.property_scope(data.property_scope)
    request_type = check.choice("request_type", _("业务类型"), data.request_type, RequestType)
    purpose = check.choice("purpose", _("用电用途"), data.purpose, Purpose)
    capacity = check.capacity(data.capacity_kw)
    voltage = None
    if data.voltage not in (None, ""):
        voltage = check.choice("voltage", _("供电电压"), data.voltage, Voltage)
    supply = check.choice("supply", _("电源"), data.supply or "single", Supply)
    external = _flag("external_works", data.external_works)
    requested_hv = _flag("requested_high_voltage", data.requested_high_voltage)
    dereg = _flag("hv_to_lv_deregistration", data.hv_to_lv_deregistration)
    if supply == Supply.DUAL and voltage == Voltage.LOW:
        raise InvalidInput(_("双电源仅适用于高压供电，不能与低压同时选择"), "supply")
    if requested_hv and voltage == Voltage.LOW:
        raise InvalidInput(_("要求高压供电与所选低压供电矛盾"), "requested_high_voltage")
    existing = check.capacity(data.property_existing_kw, "property_existing_kw", allow_zero=True)
    first = None
    if data.first_requested_on not in (None, ""):
        first = check.date_not_after(
            "first_requested_on", _("首次提出需求日"), data.first_requested_on, applied_on
        )
    return _Validated(
        customer_type,
        name,
        id_number,
        phone,
        address,
        region,
        company,
        scope,
        request_type,
        purpose,
        capacity,
        voltage,
        supply,
        external,
        requested_hv,
        dereg,
        existing,
        first,
    )


def platform_existing_kw(property_scope: str, exclude_pk: int | None = None) -> Decimal:
    """Capacity of open and completed applications in the same (normalised) property scope."""
    qs = Application.objects.filter(
        property_scope=property_scope, status__in=(*OPEN_STATUSES, Status.COMPLETED)
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("capacity_kw"))["total"] or Decimal("0")


def _assess(v: _Validated, existing_kw: Decimal, applied_on: dt.date) -> Any:
    raw: dict[str, Any] = {
        "customer_type": v.customer_type,
        "request_type": v.request_type,
        "purpose": v.purpose,
        "capacity_kw": float(v.capacity_kw),
        "supply": v.supply,
        "external_works": v.external_works,
        "requested_high_voltage": v.requested_high_voltage,
        "hv_to_lv_deregistration": v.hv_to_lv_deregistration,
        "property_existing_kw": float(min(existing_kw, Decimal(check.MAX_CAPACITY_KW))),
        "region": v.region.code,
        "applied_on": applied_on.isoformat(),
    }
    if v.voltage:
        raw["voltage"] = v.voltage
    try:
        return plan(parse_input(raw))
    except AssessError as exc:
        raise InvalidInput(str(exc).split(": ", 1)[-1], exc.field) from None


def _decision_json(decided: Any, declared: Decimal, platform: Decimal) -> dict[str, Any]:
    return {
        "category": decided.category,
        "voltage": decided.voltage,
        "proposed_voltage": decided.proposed_voltage,
        "three_zero": {
            "eligible": decided.three_zero_eligible,
            "reasons": [r.as_dict() for r in decided.reasons],
        },
        "informed_consent_required": decided.informed_consent_required,
        "site_survey_required": decided.site_survey_required,
        "time_limit_working_days": decided.time_limit_wd,
        "stages": [{"name": s, "limit_working_days": n} for s, n in decided.stages],
        "property_existing_kw": {"declared": str(declared), "platform": str(platform)},
        "basis": {k: [v.as_dict() for v in vs] for k, vs in decided.basis.items()},
    }


# The documents-once store (L13) lives in getelec.documents; submission keeps its files there.
_StoredFiles = StoredFiles
_store_upload = store_upload


def _same_number(a: Any, b: Decimal) -> bool:
    try:
        return Decimal(str(a).strip()) == b
    except (InvalidOperation, ValueError):
        return False


def _check_same_submission(earlier: Application, data: ApplicationInput) -> None:
    """A retry with a used submission key must be the same submission: the same key on other
    content is a client error (409), never silently the first application."""
    same = (
        data.customer_type == earlier.customer_type
        and str(data.region).strip() == earlier.region_id
        and data.request_type == earlier.request_type
        and data.purpose == earlier.purpose
        and str(data.customer_name).strip() == earlier.customer_name
        and _same_number(data.capacity_kw, earlier.capacity_kw)
    )
    if not same:
        raise Conflict(
            _("该提交标识已用于内容不同的另一份申请，请刷新页面后重新提交"), "submission_key"
        )


def submit_application(
    applicant: User,
    data: ApplicationInput,
    uploads: list[tuple[str, Any, dt.date | None]] | None = None,  # (kind, UploadedFile, valid)
    reuse_document_ids: list[int] | None = None,
    applied_on: dt.date | None = None,  # default: today (Asia/Shanghai)
    actor: User | None = None,  # staff entering a counter application on behalf
    *,
    submission_key: str = "",
) -> Application:
    """Validate, assess (T1/T2/L3/L33/L34), number and store one application with its stages.

    Nothing is saved when anything fails. `submission_key` (≤ 64 chars, chosen by the client)
    makes a retried submission return the first application instead of a duplicate.
    """
    actor = actor or applicant
    if not getattr(applicant, "is_authenticated", False) or not applicant.is_applicant:
        raise NotAllowed(_("只有申请人账号可以提交用电报装申请"), "applicant")
    key = (submission_key or "").strip()
    if len(key) > 64:
        raise InvalidInput(_("提交标识过长（不超过64个字符）"), "submission_key")
    if key:
        earlier = Application.objects.filter(applicant=applicant, submission_key=key).first()
        if earlier is not None:
            _check_same_submission(earlier, data)
            return earlier
    today = _today()
    if applied_on is None:
        applied_on = today
    applied_on = check.as_date("applied_on", _("申请日"), applied_on)
    if applied_on > today:
        raise InvalidInput(_("申请日不能晚于今天"), "applied_on")
    if actor.pk == applicant.pk and applied_on != today:
        raise InvalidInput(_("网上申请的申请日为提交当天"), "applied_on")
    v = validate_input(data, applied_on)
    if actor.pk != applicant.pk and not (
        actor.is_company_staff and actor.organisation_id == v.company.pk
    ):
        raise NotAllowed(_("只有受理该地区业务的供电企业工作人员可以代客户录入申请"))
    reuse_ids = list(dict.fromkeys(reuse_document_ids or []))
    if any(not isinstance(i, int) or isinstance(i, bool) for i in reuse_ids):
        raise InvalidInput(_("材料编号无效"), "reuse_document_ids")

    try:
        with _StoredFiles() as stored, transaction.atomic():
            # The 三零 cap counts the scope's other applications: read them under a lock on the
            # scope, so concurrent submissions cannot each see the capacity without the other.
            lock_in_transaction(f"connection.property-scope:{v.property_scope}")
            platform = platform_existing_kw(v.property_scope)
            decided = _assess(v, v.declared_existing_kw + platform, applied_on)
            app = _create(applicant, actor, v, decided, platform, applied_on, key)
            documents = [
                _store_upload(applicant, kind, upload, valid, stored)
                for kind, upload, valid in (uploads or [])
            ]
            if reuse_ids:
                reused = list(Document.objects.filter(owner=applicant, pk__in=reuse_ids))
                if len(reused) != len(reuse_ids):
                    raise InvalidInput(_("所选材料不存在或不属于本人"), "reuse_document_ids")
                expired = [d for d in reused if d.valid_until and d.valid_until < applied_on]
                if expired:
                    raise InvalidInput(
                        _("材料“%(name)s”已过有效期，请重新上传") % {"name": expired[0]},
                        "reuse_document_ids",
                    )
                documents += reused
            if documents:
                app.documents.add(*documents)
            record(
                actor,
                "connection.submit_application",
                app,
                {},
                {
                    "number": app.number,
                    "status": app.status,
                    "category": app.category,
                    "three_zero": app.three_zero,
                    "due_on": app.due_on,
                    "due_pending_year": app.due_pending_year,
                    "documents": sorted(d.pk for d in documents),
                },
                reason=_("柜台代录") if actor.pk != applicant.pk else "",
            )
            notices.notify(
                applicant,
                app,
                Notification.Kind.SUBMITTED,
                _(
                    "您的用电报装申请已提交，申请编号%(number)s，查询验证码%(code)s；"
                    "类别：%(category)s，全过程时限%(limit)s个工作日，到期日：%(due)s。"
                )
                % {
                    "number": app.number,
                    "code": app.verification_code,
                    "category": app.get_category_display(),
                    "limit": app.time_limit_wd,
                    "due": _fmt_date(app.due_on, app.due_pending_year),
                }
                + (
                    _("您要求高压供电：请阅读三零服务政策告知并签字确认，确认前暂停计时（T1）。")
                    if app.status == Status.AWAITING_CONSENT
                    else ""
                ),
            )
    except IntegrityError:
        if key:  # a concurrent retry with the same key won the race
            earlier = Application.objects.filter(applicant=applicant, submission_key=key).first()
            if earlier is not None:
                return earlier
        raise
    app.refresh_from_db()
    return app


def _create(
    applicant: User,
    actor: User,
    v: _Validated,
    decided: Any,
    platform: Decimal,
    applied_on: dt.date,
    key: str,
) -> Application:
    stages = decided.stages
    consent = decided.informed_consent_required
    app = Application.objects.create(
        number=_next_number(v.region, applied_on),
        verification_code=_verification_code(),
        applicant=applicant,
        company=v.company,
        region=v.region,
        customer_type=v.customer_type,
        customer_name=v.customer_name,
        id_number=v.id_number,
        contact_phone=v.contact_phone,
        address=v.address,
        property_scope=v.property_scope,
        request_type=v.request_type,
        purpose=v.purpose,
        capacity_kw=v.capacity_kw,
        voltage=decided.voltage,
        supply=v.supply,
        external_works=v.external_works,
        requested_high_voltage=v.requested_high_voltage,
        hv_to_lv_deregistration=v.hv_to_lv_deregistration,
        property_existing_kw=v.declared_existing_kw + platform,
        category=decided.category,
        three_zero=decided.three_zero_eligible,
        informed_consent_required=consent,
        site_survey_required=decided.site_survey_required,
        time_limit_wd=decided.time_limit_wd,
        decision=_decision_json(decided, v.declared_existing_kw, platform),
        applied_on=applied_on,
        first_requested_on=v.first_requested_on,
        status=Status.AWAITING_CONSENT if consent else Status.IN_PROGRESS,
        current_stage=stages[0][0],
        submission_key=key,
    )
    rows, cumulative = [], 0
    for seq, (stage, limit) in enumerate(stages, start=1):
        cumulative += limit
        rows.append(
            StageRecord(
                application=app,
                seq=seq,
                stage=stage,
                limit_wd=limit,
                cumulative_wd=cumulative,
                started_on=applied_on if seq == 1 else None,
            )
        )
    StageRecord.objects.bulk_create(rows)
    rows = list(app.stages.order_by("seq"))
    pauses: list[Pause] = []
    if consent:
        pauses.append(
            Pause.objects.create(
                application=app,
                reason=PauseReason.AWAITING_CONSENT,
                started_on=applied_on,
                note=_("客户因自身原因要求高压供电：须告知三零服务政策并由客户签字确认（T1）"),
                created_by=actor,
            )
        )
    schedule = _compute_schedule(app, rows, pauses, current_calendar(fresh=True))
    _save_schedule(rows, pauses, schedule)
    Application.objects.filter(pk=app.pk).update(
        due_on=schedule.due_on, due_pending_year=schedule.pending_year
    )
    app.due_on, app.due_pending_year = schedule.due_on, schedule.pending_year
    return app


# --------------------------------------------------------------------------------------------
# workflow


def record_informed_consent(application: Application, actor: User, version: int) -> Application:
    """T1: the customer signed the 三零 notice; the clock paused while waiting resumes."""
    app = _fresh(application)
    if not (is_owner(actor, app) or can_work_on(actor, app)):
        raise NotAllowed(_("只有申请人本人或受理该申请的工作人员可以登记签字确认"))
    if app.informed_consent_at is not None:
        return app
    if not app.informed_consent_required:
        raise InvalidState(_("该申请无须签字确认三零政策告知"), "status")
    today = _today()
    with transaction.atomic():
        _check_version(app, version)
        if app.status != Status.AWAITING_CONSENT:
            raise InvalidState(_status_message(app), "status")
        app = _resume(
            app,
            actor,
            version,
            today,
            expect_status=Status.AWAITING_CONSENT,
            action="connection.record_informed_consent",
            extra={"informed_consent_at": timezone.now()},
        )
    return app


def advance_stage(
    application: Application, actor: User, expected_stage: str, version: int, note: str = ""
) -> Application:
    """Complete the current stage and start the next (the last one completes the application)."""
    app = _fresh(application)
    _require_worker(actor, app)
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput(_("办理意见过长（不超过2000个字符）"), "note")
    today, now = _today(), timezone.now()
    with transaction.atomic():
        _check_version(app, version)
        if app.status != Status.IN_PROGRESS:
            raise InvalidState(_status_message(app), "status")
        if app.current_stage != expected_stage:
            raise Conflict(
                _("当前环节已是“%(stage)s”，请刷新页面后重试")
                % {"stage": app.get_current_stage_display()},
                "expected_stage",
            )
        stages = list(app.stages.order_by("seq"))
        index = next(i for i, s in enumerate(stages) if s.stage == expected_stage)
        current = stages[index]
        following = stages[index + 1] if index + 1 < len(stages) else None
        old = _snapshot(app, ["status", "current_stage", "completed_on"])
        if following is not None:
            _apply_update(
                app,
                version,
                {"status": Status.IN_PROGRESS, "current_stage": expected_stage},
                current_stage=following.stage,
            )
        else:
            _apply_update(
                app,
                version,
                {"status": Status.IN_PROGRESS, "current_stage": expected_stage},
                current_stage="",
                status=Status.COMPLETED,
                completed_on=today,
            )
        StageRecord.objects.filter(pk=current.pk).update(
            completed_at=now, completed_by=actor, note=note
        )
        if following is not None:
            StageRecord.objects.filter(pk=following.pk).update(started_on=today)
        record(
            actor,
            "connection.advance_stage",
            app,
            old,
            _snapshot(app, ["status", "current_stage", "completed_on"]),
            reason=note,
        )
        if following is not None:
            due = _fmt_date(following.due_on, app.due_pending_year)
            notices.notify(
                app.applicant,
                app,
                Notification.Kind.STAGE_CHANGED,
                _(
                    "您的用电报装申请%(number)s已完成“%(done)s”，进入“%(next)s”环节"
                    "（环节到期日：%(due)s）。"
                )
                % {
                    "number": app.number,
                    "done": current.get_stage_display(),
                    "next": following.get_stage_display(),
                    "due": due,
                },
            )
        else:
            notices.notify(
                app.applicant,
                app,
                Notification.Kind.COMPLETED,
                _("您的用电报装申请%(number)s已完成装表接电（%(day)s）。")
                % {"number": app.number, "day": today.isoformat()},
            )
    app.refresh_from_db()
    return app


def pause_clock(
    application: Application,
    actor: User,
    reason: str,
    note: str,
    version: int,
    on: dt.date | None = None,
) -> Application:
    """Stop the clock for a customer-side reason (shown to everyone)."""
    app = _fresh(application)
    _require_worker(actor, app)
    staff_reasons = [r for r in PauseReason if r != PauseReason.AWAITING_CONSENT]
    reason = check.choice("reason", _("暂停原因"), reason, staff_reasons)
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput(_("说明过长（不超过2000个字符）"), "note")
    today = _today()
    day = today if on in (None, "") else check.as_date("on", _("暂停日期"), on)
    if day > today:
        raise InvalidInput(_("暂停日期不能晚于今天"), "on")
    if day < app.applied_on:
        raise InvalidInput(_("暂停日期不能早于申请日"), "on")
    with transaction.atomic():
        if app.status == Status.PAUSED:
            open_pause = app.pauses.filter(ended_on__isnull=True).first()
            if open_pause is not None and open_pause.reason == reason:
                return app  # already paused for this reason
        _check_version(app, version)
        if app.status != Status.IN_PROGRESS:
            raise InvalidState(_status_message(app), "status")
        last_end = app.pauses.filter(ended_on__isnull=False).order_by("-ended_on").first()
        if last_end is not None and day < last_end.ended_on:
            raise InvalidInput(_("暂停日期不能早于上一次恢复计时的日期"), "on")
        _apply_update(app, version, {"status": Status.IN_PROGRESS}, status=Status.PAUSED)
        pause = Pause.objects.create(
            application=app, reason=reason, note=note, started_on=day, created_by=actor
        )
        record(
            actor,
            "connection.pause_clock",
            app,
            {"status": Status.IN_PROGRESS},
            {"status": Status.PAUSED, "pause": pause.pk, "reason": reason, "started_on": day},
            reason=note,
        )
        notices.notify(
            app.applicant,
            app,
            Notification.Kind.PAUSED,
            _(
                "您的用电报装申请%(number)s自%(day)s起暂停计时，原因：%(reason)s。"
                "恢复后到期日相应顺延。"
            )
            % {"number": app.number, "day": day.isoformat(), "reason": pause.get_reason_display()},
        )
    app.refresh_from_db()
    return app


def _resume(
    app: Application,
    actor: User,
    version: int,
    day: dt.date,
    expect_status: str,
    action: str,
    extra: dict[str, Any] | None = None,
) -> Application:
    """Close the open pause on `day`; shift the open stages and the due date (in a transaction)."""
    stages = list(app.stages.order_by("seq"))
    pauses = list(app.pauses.order_by("started_on", "id"))
    open_pause = next((p for p in pauses if p.ended_on is None), None)
    if open_pause is None:
        raise InvalidState(_("该申请没有进行中的暂停"), "status")
    if day < open_pause.started_on:
        raise InvalidInput(_("恢复日期不能早于暂停日期"), "on")
    open_pause.ended_on = day
    schedule = _compute_schedule(app, stages, pauses, current_calendar(fresh=True))
    old = _snapshot(app, ["status", "due_on", "due_pending_year", "paused_wd"])
    _apply_update(
        app,
        version,
        {"status": expect_status},
        status=Status.IN_PROGRESS,
        due_on=schedule.due_on,
        due_pending_year=schedule.pending_year,
        paused_wd=schedule.paused_wd,
        **(extra or {}),
    )
    Pause.objects.filter(pk=open_pause.pk).update(ended_on=day)
    _save_schedule(stages, pauses, schedule)
    new = _snapshot(app, ["status", "due_on", "due_pending_year", "paused_wd"])
    record(
        actor,
        action,
        app,
        old,
        {
            **new,
            **(extra or {}),
            "pause": open_pause.pk,
            "pause_wd": schedule.pause_wd.get(open_pause.pk),
        },
    )
    paused = schedule.pause_wd.get(open_pause.pk)
    if open_pause.reason == PauseReason.AWAITING_CONSENT:
        notices.notify(
            app.applicant,
            app,
            Notification.Kind.RESUMED,
            _(
                "您的用电报装申请%(number)s已于%(day)s登记签字确认三零政策告知，进入“%(stage)s”环节办理。"
            )
            % {
                "number": app.number,
                "day": day.isoformat(),
                "stage": app.get_current_stage_display(),
            },
        )
    else:
        notices.notify(
            app.applicant,
            app,
            Notification.Kind.RESUMED,
            _("您的用电报装申请%(number)s已于%(day)s恢复计时，本次暂停%(wd)s个工作日。")
            % {
                "number": app.number,
                "day": day.isoformat(),
                "wd": "—" if paused is None else paused,
            },
        )
    _notify_due(app, old["due_on"], old["due_pending_year"])
    app.refresh_from_db()
    return app


def resume_clock(
    application: Application, actor: User, version: int, on: dt.date | None = None
) -> Application:
    """Restart the clock: paused working days = workdays_between(start, end); dates shift."""
    app = _fresh(application)
    _require_worker(actor, app)
    today = _today()
    day = today if on in (None, "") else check.as_date("on", _("恢复日期"), on)
    if day > today:
        raise InvalidInput(_("恢复日期不能晚于今天"), "on")
    with transaction.atomic():
        _check_version(app, version)
        if app.status != Status.PAUSED:
            raise InvalidState(
                _("该申请未处于暂停计时状态")
                if app.status in OPEN_STATUSES
                else _status_message(app),
                "status",
            )
        return _resume(app, actor, version, day, Status.PAUSED, "connection.resume_clock")


_GRID_FIELDS = [
    "grid_upgrade_cause",
    "grid_upgrade_project",
    "grid_upgrade_committed_on",
    "grid_upgrade_marked_on",
    "customer_informed_on",
]


def mark_grid_upgrade(
    application: Application,
    actor: User,
    cause: str,
    project: str,
    committed_on: dt.date,
    customer_informed_on: dt.date,
    version: int,
    reason: str = "",
) -> Application:
    """T2/L4: the limit is unreachable (grid upgrade, approval, obstruction): the committed
    completion date is recorded, shown to the customer and kept for the monthly filing (A1).
    The statutory due date is unchanged (the filing explains the delay)."""
    app = _fresh(application)
    _require_worker(actor, app)
    cause = check.choice("cause", _("原因"), cause, GridUpgradeCause)
    project = check.required_text("project", _("配套电网工程"), project, 200)
    today = _today()
    committed = check.as_date("committed_on", _("承诺完成日期"), committed_on)
    if committed < today:
        raise InvalidInput(_("承诺完成日期不能早于今天"), "committed_on")
    informed = check.as_date("customer_informed_on", _("告知客户日期"), customer_informed_on)
    if informed > today:
        raise InvalidInput(_("告知客户日期不能晚于今天"), "customer_informed_on")
    if informed < app.applied_on:
        raise InvalidInput(_("告知客户日期不能早于申请日"), "customer_informed_on")
    reason = (reason or "").strip()
    with transaction.atomic():
        if (
            app.grid_upgrade_cause,
            app.grid_upgrade_project,
            app.grid_upgrade_committed_on,
            app.customer_informed_on,
        ) == (cause, project, committed, informed):
            return app
        _check_version(app, version)
        _require_open(app)
        old = _snapshot(app, _GRID_FIELDS)
        _apply_update(
            app,
            version,
            grid_upgrade_cause=cause,
            grid_upgrade_project=project,
            grid_upgrade_committed_on=committed,
            customer_informed_on=informed,
            grid_upgrade_marked_on=app.grid_upgrade_marked_on or today,
        )
        record(
            actor,
            "connection.mark_grid_upgrade",
            app,
            old,
            {**_snapshot(app, _GRID_FIELDS), "due_on": app.due_on},
            reason=reason,
        )
        notices.notify(
            app.applicant,
            app,
            Notification.Kind.GRID_UPGRADE,
            _(
                "您的用电报装申请%(number)s因%(cause)s（%(project)s）无法在规定时限内接电，"
                "承诺完成日期：%(day)s。"
            )
            % {
                "number": app.number,
                "cause": app.get_grid_upgrade_cause_display(),
                "project": project,
                "day": committed.isoformat(),
            },
        )
    app.refresh_from_db()
    return app


def set_contracted_date(
    application: Application, actor: User, contracted_on: dt.date | None, version: int
) -> Application:
    """L8: the connection date agreed with the customer; tracked like a deadline, it never
    extends the statutory due date (due_on is not touched)."""
    app = _fresh(application)
    _require_worker(actor, app)
    day = None
    if contracted_on not in (None, ""):
        day = check.as_date("contracted_on", _("约定接电日期"), contracted_on)
        if day < app.applied_on:
            raise InvalidInput(_("约定接电日期不能早于申请日"), "contracted_on")
    with transaction.atomic():
        if app.contracted_on == day:
            return app
        _check_version(app, version)
        _require_open(app)
        old = {"contracted_on": app.contracted_on}
        _apply_update(app, version, contracted_on=day)
        record(actor, "connection.set_contracted_date", app, old, {"contracted_on": day})
        notices.notify(
            app.applicant,
            app,
            Notification.Kind.DUE_CHANGED,
            (
                _("您的用电报装申请%(number)s约定接电日期：%(day)s（法定时限到期日%(due)s不变）。")
                if day
                else _(
                    "您的用电报装申请%(number)s已取消约定接电日期（法定时限到期日%(due)s不变）。"
                )
            )
            % {
                "number": app.number,
                "day": day.isoformat() if day else "",
                "due": _fmt_date(app.due_on, app.due_pending_year),
            },
        )
    app.refresh_from_db()
    return app


def set_key_project(application: Application, actor: User, level: str, version: int) -> Application:
    """L6 green channel: national or provincial key projects go first in the queue."""
    app = _fresh(application)
    if not (can_work_on(actor, app) or getattr(actor, "is_platform_admin", False)):
        raise NotAllowed(_("只有受理该申请的工作人员或管理员可以标记重大项目"))
    level = check.choice("level", _("重大项目级别"), level or "", KeyProject)
    with transaction.atomic():
        if app.key_project == level:
            return app
        _check_version(app, version)
        _require_open(app)
        old = {"key_project": app.key_project}
        _apply_update(app, version, key_project=level)
        record(actor, "connection.set_key_project", app, old, {"key_project": level})
    app.refresh_from_db()
    return app


def cancel_application(
    application: Application, actor: User, reason: str, version: int
) -> Application:
    """Withdraw an open application (the applicant or its staff); an open pause ends today."""
    app = _fresh(application)
    if not (is_owner(actor, app) or can_work_on(actor, app)):
        raise NotAllowed(_("只有申请人本人或受理该申请的工作人员可以撤销申请"))
    reason = check.required_text("reason", _("撤销原因"), reason, 2000)
    today = _today()
    with transaction.atomic():
        if app.status == Status.CANCELLED:
            return app
        _check_version(app, version)
        _require_open(app)
        old = {"status": app.status}
        _apply_update(
            app,
            version,
            {"status": app.status},
            status=Status.CANCELLED,
            cancelled_reason=reason,
        )
        for pause in app.pauses.filter(ended_on__isnull=True):
            try:
                wd: int | None = current_calendar(fresh=True).workdays_between(
                    pause.started_on, today
                )
            except CalendarYearNotLoaded:
                wd = None
            Pause.objects.filter(pk=pause.pk).update(ended_on=today, paused_wd=wd)
        record(
            actor,
            "connection.cancel_application",
            app,
            old,
            {"status": Status.CANCELLED},
            reason=reason,
        )
        notices.notify(
            app.applicant,
            app,
            Notification.Kind.CANCELLED,
            _("您的用电报装申请%(number)s已撤销。原因：%(reason)s")
            % {"number": app.number, "reason": reason},
        )
    app.refresh_from_db()
    return app


def mark_notifications_read(user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's own unread in-app notices read (all of them when `ids` is empty).

    Ids that are not the user's own, or already read, are ignored (idempotent: a repeat marks
    nothing and writes no audit row). One audit row on the user lists what was marked.
    Returns how many notices were marked.
    """
    from getelec.connection.selectors import notifications_for

    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("请先登录"))
    wanted = list(dict.fromkeys(ids or []))
    if any(not isinstance(i, int) or isinstance(i, bool) for i in wanted):
        raise InvalidInput(_("通知编号无效"), "ids")
    with transaction.atomic():
        unread = notifications_for(user).filter(read_at__isnull=True)
        if wanted:
            unread = unread.filter(pk__in=wanted)
        marked = sorted(unread.values_list("pk", flat=True))
        if not marked:
            return 0
        now = timezone.now()
        count = Notification.objects.filter(pk__in=marked, read_at__isnull=True).update(read_at=now)
        record(
            user,
            "connection.mark_notifications_read",
            user,
            {"unread": marked},
            {"read_at": now},
        )
    return count


def _deadline_changes(
    app: Application, stages: Sequence[StageRecord], schedule: _Schedule
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored values `schedule` changes, old and new (only those that differ)."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name, value in (
        ("due_on", schedule.due_on),
        ("due_pending_year", schedule.pending_year),
        ("paused_wd", schedule.paused_wd),
    ):
        if getattr(app, name) != value:
            old[name], new[name] = getattr(app, name), value
    stage_old = {s.stage: s.due_on for s in stages if s.due_on != schedule.stage_due.get(s.seq)}
    if stage_old:
        old["stage_due"] = stage_old
        new["stage_due"] = {
            s.stage: schedule.stage_due.get(s.seq) for s in stages if s.stage in stage_old
        }
    return old, new


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _touching_year(year: int) -> Any:
    """Open applications whose stored dates may depend on `year`'s schedule: applied by its end
    and due in it or later (or pending), or with a closed pause overlapping it (a stage's due
    date is never after the overall one, so the rest cannot move)."""
    first, last = _year_bounds(year)
    return Application.objects.filter(status__in=OPEN_STATUSES, applied_on__lte=last).filter(
        Q(due_on__isnull=True)
        | Q(due_on__gte=first)
        | Q(pauses__ended_on__gte=first, pauses__started_on__lte=last)
    )


def _pending_on_loaded_years(calendar: WorkCalendar) -> Any:
    return Application.objects.filter(due_pending_year__in=calendar.years)


_CHUNK = 500


def _in_chunks(candidates: Any, lock: bool) -> Any:
    """The candidates with stages and pauses loaded, a chunk at a time (locked when writing)."""
    ids = list(candidates.order_by("id").values_list("id", flat=True).distinct())
    for i in range(0, len(ids), _CHUNK):
        rows = Application.objects.filter(pk__in=ids[i : i + _CHUNK])
        if lock:
            rows = rows.select_for_update(of=("self",))
        yield from (
            rows.select_related("applicant")
            .prefetch_related(
                Prefetch("stages", queryset=StageRecord.objects.order_by("seq")),
                Prefetch("pauses", queryset=Pause.objects.order_by("started_on", "id")),
            )
            .order_by("id")
        )


def deadline_moves(calendar: WorkCalendar, year: int) -> list[DateMove]:
    """Stored dates of open applications that `calendar` (a replaced `year`) would move.

    Reads only. Each moved overall or stage due date is one DateMove (None: pending)."""
    moves: list[DateMove] = []
    for app in _in_chunks(_touching_year(year), lock=False):
        stages, pauses = list(app.stages.all()), list(app.pauses.all())
        schedule = _compute_schedule(app, stages, pauses, calendar, recount_year=year)
        old, new = _deadline_changes(app, stages, schedule)
        if "due_on" in old:
            label = str(Application._meta.get_field("due_on").verbose_name)
            moves.append(DateMove(app.number, "due_on", old["due_on"], new["due_on"], label))
        for stage, was in old.get("stage_due", {}).items():
            label = str(StageCode(stage).label)
            moves.append(DateMove(app.number, stage, was, new["stage_due"][stage], label))
    return moves


def _recompute(candidates: Any, actor: Any, reason: str, recount_year: int | None = None) -> int:
    calendar = current_calendar(fresh=True)
    changed = 0
    for app in _in_chunks(candidates, lock=True):
        stages, pauses = list(app.stages.all()), list(app.pauses.all())
        schedule = _compute_schedule(app, stages, pauses, calendar, recount_year)
        old, new = _deadline_changes(app, stages, schedule)
        _save_schedule(stages, pauses, schedule)
        if not old:
            continue
        values = {k: v for k, v in new.items() if k != "stage_due"}
        Application.objects.filter(pk=app.pk).update(
            version=F("version") + 1, updated_at=timezone.now(), **values
        )
        before = (app.due_on, app.due_pending_year)
        for name, value in values.items():
            setattr(app, name, value)
        record(actor, "connection.recompute_deadline", app, old, new, reason=reason)
        if app.status in OPEN_STATUSES:
            _notify_due(app, *before)
        changed += 1
    return changed


def recompute_pending_deadlines(actor: Any) -> int:
    """Compute due dates that were pending on a year the calendar now has; returns how many.

    Run by every calendar import (even one that changes nothing) and by the periodic check
    (`getelec filings check`), so none stays pending after its year is loaded. Each changed
    application gets one audit row with the moved dates, old and new; idempotent."""
    candidates = _pending_on_loaded_years(current_calendar(fresh=True))
    with transaction.atomic():
        return _recompute(candidates, actor, _("节假日安排导入后计算到期日"))


def recompute_year_deadlines(actor: Any, year: int) -> int:
    """After `year`'s schedule was replaced: recompute every open application whose dates touch
    it (pauses overlapping it recounted) and every one pending on a loaded year; returns how
    many changed. One audit row per changed application with the moved dates, old and new."""
    with transaction.atomic():
        changed = _recompute(
            _touching_year(year), actor, _("节假日安排更正后重新计算到期日"), recount_year=year
        )
        return changed + recompute_pending_deadlines(actor)


# Re-exported for forms and the API (so they name one place for labels and choices).
__all__ = [
    "ApplicationInput",
    "Category",
    "Conflict",
    "InvalidInput",
    "InvalidState",
    "NotAllowed",
    "ServiceError",
    "StageCode",
    "advance_stage",
    "cancel_application",
    "deadline_moves",
    "mark_grid_upgrade",
    "mark_notifications_read",
    "pause_clock",
    "platform_existing_kw",
    "recompute_pending_deadlines",
    "recompute_year_deadlines",
    "record_informed_consent",
    "resume_clock",
    "set_contracted_date",
    "set_key_project",
    "submit_application",
    "upload_document",
    "validate_input",
]
