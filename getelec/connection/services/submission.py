"""Submitting an application: validate, assess (T1/T2/L3/L33/L34), number and store it with its
stages and deadlines, in one transaction with one audit row and a notice to the applicant."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from getelec.accounts.models import Organisation, Region, User
from getelec.audit.services import record
from getelec.connection import validators as check
from getelec.connection.inputs import STORED_AS_GIVEN, ApplicationInput, rule_payload
from getelec.connection.models import (
    Application,
    CustomerType,
    Document,
    NumberSequence,
    Pause,
    PauseReason,
    Purpose,
    RequestType,
    StageRecord,
    Status,
    Supply,
    Voltage,
)
from getelec.connection.selectors import company_serving, platform_existing_kw
from getelec.connection.services import deadlines, messages
from getelec.connection.services._transition import _today
from getelec.core.assess import AssessError, CapacityCheck, capacity_check, parse_input, plan
from getelec.core.reasons import format_number
from getelec.documents.services import StoredFiles, store_upload
from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed
from getelec.runlock import lock_in_transaction

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


# --- validation -------------------------------------------------------------------------------


@dataclass
class _Validated:
    """A checked submission: the input with every value normalised, the county it names, the
    supply company serving that county, and the staff's confirmation of an over-limit capacity
    (empty when none was needed)."""

    data: ApplicationInput
    region: Region
    company: Organisation
    capacity_confirmation: str = ""
    capacity_limit: CapacityCheck | None = None

    @property
    def property_scope(self) -> str:
        return str(self.data.property_scope)

    @property
    def declared_existing_kw(self) -> Decimal:
        return Decimal(self.data.property_existing_kw)


class _Errors:
    """Runs each check and keeps every InvalidInput, so that one round shows them all."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def check(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            self.found.extend(exc.errors)
            return None

    def add(self, field: str, message: str) -> None:
        self.found.append((field, message))

    def fields(self) -> set[str]:
        return {field for field, _message in self.found}

    def raise_if_any(self) -> None:
        if self.found:
            raise InvalidInput.several(self.found)


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(_("取值必须是是/否"), field)
    return value


def _county(data: ApplicationInput) -> tuple[Region, Organisation]:
    code = data.region.strip() if isinstance(data.region, str) else ""
    region = (
        Region.objects.select_related("parent").filter(code=code, level=Region.Level.COUNTY).first()
    )
    if region is None:
        raise InvalidInput(_("所在县（市、区）无效：请选择一个县级行政区划"), "region")
    company = company_serving(region)
    if company is None:
        raise InvalidInput(_("所选地区暂无供电企业受理网上申请"), "region")
    return region, company


def validate_input(
    data: ApplicationInput,
    applied_on: dt.date,
    actor: User | None = None,
    capacity_confirmation: str = "",
) -> _Validated:
    """Check every field of a submission and report every problem at once (InvalidInput with
    one (field, message) per problem, Chinese messages naming the field); no writes.

    A capacity beyond the plausible limit for the customer type and voltage
    (getelec.core.assess.capacity_check) is refused unless `capacity_confirmation` gives the
    reason of staff (`actor`) of the company serving the county.
    """
    errors = _Errors()
    check_ = errors.check
    customer_type = check_(
        check.choice, "customer_type", _("用户类型"), data.customer_type, CustomerType
    )
    name = check_(check.required_text, "customer_name", _("户名"), data.customer_name, 128)
    id_number: Any = None
    if customer_type is not None:
        id_number = check_(check.id_number, customer_type, data.id_number)
    phone = check_(check.phone, data.contact_phone)
    address = check_(check.required_text, "address", _("用电地址"), data.address, 255)
    county = check_(_county, data)
    scope = check_(check.property_scope, data.property_scope)
    request_type = check_(
        check.choice, "request_type", _("业务类型"), data.request_type, RequestType
    )
    purpose = check_(check.choice, "purpose", _("用电用途"), data.purpose, Purpose)
    capacity = check_(check.capacity, data.capacity_kw)
    voltage = None
    if data.voltage not in (None, ""):
        voltage = check_(check.choice, "voltage", _("供电电压"), data.voltage, Voltage)
    supply = check_(check.choice, "supply", _("电源"), data.supply or "single", Supply)
    external = check_(_flag, "external_works", data.external_works)
    requested_hv = check_(_flag, "requested_high_voltage", data.requested_high_voltage)
    dereg = check_(_flag, "hv_to_lv_deregistration", data.hv_to_lv_deregistration)
    if supply == Supply.DUAL and voltage == Voltage.LOW:
        errors.add("supply", _("双电源仅适用于高压供电，不能与低压同时选择"))
    if requested_hv and voltage == Voltage.LOW:
        errors.add("requested_high_voltage", _("要求高压供电与所选低压供电矛盾"))
    existing = check_(
        check.capacity, data.property_existing_kw, "property_existing_kw", allow_zero=True
    )
    first = None
    if data.first_requested_on not in (None, ""):
        first = check_(
            check.date_not_after,
            "first_requested_on",
            _("首次提出需求日"),
            data.first_requested_on,
            applied_on,
        )
    if county is None:
        errors.raise_if_any()  # the county's own error is among them
    region, company = county
    checked = ApplicationInput(
        customer_type=customer_type,
        customer_name=name,
        id_number=id_number,
        contact_phone=phone,
        address=address,
        region=region.code,
        property_scope=scope,
        request_type=request_type,
        purpose=purpose,
        capacity_kw=capacity,
        voltage=voltage,
        supply=supply,
        external_works=external,
        requested_high_voltage=requested_hv,
        hv_to_lv_deregistration=dereg,
        property_existing_kw=existing,
        first_requested_on=first,
    )
    limit = None
    rule_fields = {"customer_type", "capacity_kw", "voltage", "supply", "requested_high_voltage"}
    if not (errors.fields() & (rule_fields | {"property_existing_kw", "property_scope"})):
        limit = _capacity_limit(checked, applied_on)
    reason = (capacity_confirmation or "").strip()
    if limit is not None and limit.exceeded:
        staff = actor is not None and actor.is_company_staff and actor.organisation_id == company.pk
        if not reason:
            errors.add("capacity_kw", _over_limit_message(checked, limit))
        elif not staff:
            errors.add(
                "capacity_confirmation",
                _("只有受理该地区业务的供电企业工作人员可以确认超出合理范围的报装容量"),
            )
        elif len(reason) > 255:
            errors.add("capacity_confirmation", _("确认理由过长（不超过255个字符）"))
    errors.raise_if_any()
    confirmed = reason if limit is not None and limit.exceeded else ""
    return _Validated(checked, region, company, confirmed, limit)


def _capacity_limit(data: ApplicationInput, applied_on: dt.date) -> CapacityCheck | None:
    """The plausibility check at the voltage the rules give (with the capacity the platform
    already knows in the property scope, read without the scope lock: it only ever grows, which
    moves the voltage to HV, whose limits are the higher)."""
    existing = Decimal(data.property_existing_kw) + platform_existing_kw(str(data.property_scope))
    raw = rule_payload(
        data, applied_on, property_existing_kw=min(existing, Decimal(check.MAX_CAPACITY_KW))
    )
    try:
        return capacity_check(parse_input(raw))
    except AssessError:
        return None  # the rules refuse it themselves, naming the field, after the lock


def _over_limit_message(data: ApplicationInput, limit: CapacityCheck) -> str:
    return _(
        "报装容量%(kw)s千瓦超出%(type)s%(voltage)s供电的合理范围（不超过%(max)s千瓦）："
        "请核对容量及单位（千瓦）。确需该容量的，请到供电企业营业厅办理，由工作人员核实确认。"
    ) % {
        "kw": format_number(float(data.capacity_kw)),
        "type": CustomerType(data.customer_type).label,
        "voltage": _("低压") if limit.voltage == "low" else _("高压"),
        "max": format_number(limit.limit_kw),
    }


# --- assessment -------------------------------------------------------------------------------


def _assess(v: _Validated, existing_kw: Decimal, applied_on: dt.date) -> Any:
    raw = rule_payload(
        v.data,
        applied_on,
        property_existing_kw=min(existing_kw, Decimal(check.MAX_CAPACITY_KW)),
    )
    try:
        return plan(parse_input(raw))
    except AssessError as exc:
        raise InvalidInput(str(exc).split(": ", 1)[-1], exc.field) from None


def _decision_json(
    decided: Any,
    declared: Decimal,
    platform: Decimal,
    limit: CapacityCheck | None = None,
    confirmation: str = "",
) -> dict[str, Any]:
    existing = {"declared": str(declared), "platform": str(platform)}
    decision = {**decided.as_json(), "property_existing_kw": existing}
    if limit is not None:
        decision["capacity_limit"] = {
            "voltage": limit.voltage,
            "limit_kw": limit.limit_kw,
            "exceeded": limit.exceeded,
            "confirmed_reason": confirmation,
        }
        decision["basis"]["capacity_limit"] = [b.as_dict() for b in limit.basis]
    return decision


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


def _application_date(
    applicant: User, actor: User, applied_on: dt.date | None, today: dt.date
) -> dt.date:
    """Today for an online application; a counter entry may name an earlier day."""
    if applied_on is None:
        applied_on = today
    applied_on = check.as_date("applied_on", _("申请日"), applied_on)
    if applied_on > today:
        raise InvalidInput(_("申请日不能晚于今天"), "applied_on")
    if actor.pk == applicant.pk and applied_on != today:
        raise InvalidInput(_("网上申请的申请日为提交当天"), "applied_on")
    return applied_on


def _reused(applicant: User, reuse_ids: list[int], applied_on: dt.date) -> list[Document]:
    """The applicant's own documents named for reuse, each still valid on the application day."""
    if not reuse_ids:
        return []
    reused = list(Document.objects.filter(owner=applicant, pk__in=reuse_ids))
    if len(reused) != len(reuse_ids):
        raise InvalidInput(_("所选材料不存在或不属于本人"), "reuse_document_ids")
    expired = [d for d in reused if d.valid_until and d.valid_until < applied_on]
    if expired:
        raise InvalidInput(
            _("材料“%(name)s”已过有效期，请重新上传") % {"name": expired[0]},
            "reuse_document_ids",
        )
    return reused


def submit_application(
    applicant: User,
    data: ApplicationInput,
    uploads: list[tuple[str, Any, dt.date | None]] | None = None,  # (kind, UploadedFile, valid)
    reuse_document_ids: list[int] | None = None,
    applied_on: dt.date | None = None,  # default: today (Asia/Shanghai)
    actor: User | None = None,  # staff entering a counter application on behalf
    *,
    submission_key: str = "",
    capacity_confirmation: str = "",
) -> Application:
    """Validate, assess (T1/T2/L3/L33/L34), number and store one application with its stages.

    Nothing is saved when anything fails; every field's problem is reported at once.
    `submission_key` (≤ 64 chars, chosen by the client) makes a retried submission return the
    first application instead of a duplicate. `capacity_confirmation`: staff of the serving
    company entering the application at the counter confirm, with this reason, a capacity beyond
    the plausible limit (recorded in the decision and the audit row).
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
    applied_on = _application_date(applicant, actor, applied_on, _today())
    v = validate_input(data, applied_on, actor, capacity_confirmation)
    if actor.pk != applicant.pk and not (
        actor.is_company_staff and actor.organisation_id == v.company.pk
    ):
        raise NotAllowed(_("只有受理该地区业务的供电企业工作人员可以代客户录入申请"))
    reuse_ids = list(dict.fromkeys(reuse_document_ids or []))
    if any(not isinstance(i, int) or isinstance(i, bool) for i in reuse_ids):
        raise InvalidInput(_("材料编号无效"), "reuse_document_ids")

    try:
        with StoredFiles() as stored, transaction.atomic():
            # The 三零 cap counts the scope's other applications: read them under a lock on the
            # scope, so concurrent submissions cannot each see the capacity without the other.
            lock_in_transaction(f"connection.property-scope:{v.property_scope}")
            platform = platform_existing_kw(v.property_scope)
            decided = _assess(v, v.declared_existing_kw + platform, applied_on)
            app = _create(applicant, actor, v, decided, platform, applied_on, key)
            documents = [
                store_upload(applicant, kind, upload, valid, stored)
                for kind, upload, valid in (uploads or [])
            ]
            documents += _reused(applicant, reuse_ids, applied_on)
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
                    **(
                        {"capacity_confirmed": v.capacity_confirmation}
                        if v.capacity_confirmation
                        else {}
                    ),
                },
                reason=_audit_reason(actor, applicant, v),
            )
            messages.tell(app, messages.submitted(app))
    except IntegrityError:
        if key:  # a concurrent retry with the same key won the race
            earlier = Application.objects.filter(applicant=applicant, submission_key=key).first()
            if earlier is not None:
                return earlier
        raise
    app.refresh_from_db()
    return app


def _audit_reason(actor: User, applicant: User, v: _Validated) -> str:
    parts = [_("柜台代录")] if actor.pk != applicant.pk else []
    if v.capacity_confirmation:
        parts.append(
            _("确认超出合理范围的报装容量：%(reason)s") % {"reason": v.capacity_confirmation}
        )
    return "；".join(str(p) for p in parts)


def _create(
    applicant: User,
    actor: User,
    v: _Validated,
    decided: Any,
    platform: Decimal,
    applied_on: dt.date,
    key: str,
) -> Application:
    consent = decided.informed_consent_required
    app = Application.objects.create(
        number=_next_number(v.region, applied_on),
        verification_code=_verification_code(),
        applicant=applicant,
        company=v.company,
        region=v.region,
        **{name: getattr(v.data, name) for name in STORED_AS_GIVEN},
        voltage=decided.voltage,
        property_existing_kw=v.declared_existing_kw + platform,
        category=decided.category,
        three_zero=decided.three_zero_eligible,
        informed_consent_required=consent,
        site_survey_required=decided.site_survey_required,
        time_limit_wd=decided.time_limit_wd,
        decision=_decision_json(
            decided, v.declared_existing_kw, platform, v.capacity_limit, v.capacity_confirmation
        ),
        applied_on=applied_on,
        status=Status.AWAITING_CONSENT if consent else Status.IN_PROGRESS,
        current_stage=decided.stages[0][0],
        submission_key=key,
    )
    stages = _create_stages(app, decided.stages, applied_on)
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
    schedule = deadlines._compute_schedule(app, stages, pauses, deadlines.calendar())
    deadlines._save_schedule(stages, pauses, schedule)
    Application.objects.filter(pk=app.pk).update(
        due_on=schedule.due_on, due_pending_year=schedule.pending_year
    )
    app.due_on, app.due_pending_year = schedule.due_on, schedule.pending_year
    return app


def _create_stages(
    app: Application, stages: list[tuple[str, int]], applied_on: dt.date
) -> list[StageRecord]:
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
    return list(app.stages.order_by("seq"))
