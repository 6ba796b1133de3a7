"""API schemas for connection applications: explicit In/Out fields (never __all__)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool

from getelec.core.assess import CustomerType as CustomerTypeIn
from getelec.core.assess import Purpose as PurposeIn
from getelec.core.assess import RequestType as RequestTypeIn

StaffPauseReason = Literal[
    "customer_works", "missing_documents", "customer_request", "customer_unreachable"
]
GridUpgradeCauseIn = Literal[
    "public_grid_upgrade", "administrative_approval", "obstructed_construction"
]
KeyProjectIn = Literal["", "national", "provincial"]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str = Field(description="一行说明，格式为“字段: 说明”")
    field: str = Field("", description="出错的字段名（整体错误时为空）")
    errors: list[dict[str, Any]] | None = Field(
        None, description="输入有多处错误时逐项列出（每项含字段名和说明）；一处错误时省略"
    )


# --- inputs -----------------------------------------------------------------------------------


# The fields of getelec.connection.inputs.ApplicationInput (pinned by tests/test_inputs.py) plus
# `document_ids` and `submission_key`; the choices are the core's vocabularies. (A comment, not
# the docstring: the docstring is the OpenAPI description.)
class ApplicationIn(StrictIn):
    """One application (JSON; documents are uploaded first via POST /documents)."""

    customer_type: CustomerTypeIn
    customer_name: str = Field(max_length=128, description="户名（居民为姓名）")
    id_number: str = Field(max_length=32, description="居民：身份证号；其他：统一社会信用代码")
    contact_phone: str = Field(max_length=20)
    address: str = Field(max_length=255)
    region: str = Field(pattern=r"^[0-9]{6}$", description="所在县（市、区）行政区划代码")
    property_scope: str = Field(max_length=128, description="不动产权证号等同一产权范围标识")
    request_type: RequestTypeIn = "new"
    purpose: PurposeIn = "general"
    capacity_kw: Decimal = Field(description="报装容量（千瓦），> 0 且 ≤ 10,000,000")
    voltage: Literal["low", "high"] | None = Field(None, description="不填则按规则建议")
    supply: Literal["single", "dual"] = "single"
    external_works: StrictBool = False
    requested_high_voltage: StrictBool = False
    hv_to_lv_deregistration: StrictBool = False
    property_existing_kw: Decimal = Field(
        Decimal("0"), description="同一产权范围内已有及在途容量（千瓦，客户申报）"
    )
    first_requested_on: dt.date | None = None
    document_ids: list[int] = Field(
        default_factory=list, max_length=20, description="复用本人仍在有效期内的材料（L13）"
    )
    submission_key: str = Field(
        "", max_length=64, description="客户端生成的提交标识：重复提交返回同一申请"
    )


class VersionIn(StrictIn):
    version: int = Field(ge=1, description="读取时的版本号（乐观并发控制）")


class AdvanceIn(VersionIn):
    expected_stage: str = Field(max_length=24, description="要完成的当前环节")
    note: str = Field("", max_length=2000)


class PauseIn(VersionIn):
    reason: StaffPauseReason
    note: str = Field("", max_length=2000)
    on: dt.date | None = None


class ResumeIn(VersionIn):
    on: dt.date | None = None


class GridUpgradeIn(VersionIn):
    cause: GridUpgradeCauseIn
    project: str = Field(max_length=200)
    committed_on: dt.date
    customer_informed_on: dt.date
    reason: str = Field("", max_length=2000)


class ContractedDateIn(VersionIn):
    contracted_on: dt.date | None


class KeyProjectLevelIn(VersionIn):
    level: KeyProjectIn


class CancelIn(VersionIn):
    reason: str = Field(max_length=2000)


# --- outputs ----------------------------------------------------------------------------------


class CitationOut(Schema):
    parameter: str
    value: Any
    effective: str
    region: str | None = None
    clause: str
    quote: str
    source: str = ""
    unconfirmed: bool = False
    reason: str = ""  # clause DEFAULT: why the platform chose this value
    paraphrase: bool = False


class ReasonOut(Schema):
    rule: str
    clause: str
    text: str  # in the request language
    met: bool
    variant: str | None = None  # which sentence of the rule; None for a legacy stored text
    values: dict[str, Any] = Field(default_factory=dict)  # the numbers the sentence uses
    legacy: bool = False  # a stored sentence from before reasons were data, shown as stored


class ThreeZeroOut(Schema):
    eligible: bool
    reasons: list[ReasonOut]


class DecisionOut(Schema):
    category: str
    category_label: str
    three_zero: ThreeZeroOut
    informed_consent_required: bool
    site_survey_required: bool
    time_limit_working_days: int
    # "each": every stage on its own clock (T2, charging): the time limit is only the sum of the
    # stage limits, and due_on is the current stage's own; "cumulative": the overall limit.
    stage_clock: str = "cumulative"
    proposed_voltage: str
    basis: dict[str, list[CitationOut]]


class StageOut(Schema):
    seq: int
    stage: str
    label: str
    limit_wd: int
    cumulative_wd: int
    started_on: dt.date | None
    due_on: dt.date | None
    completed_on: dt.date | None
    note: str = ""


class PauseOut(Schema):
    reason: str
    label: str
    started_on: dt.date
    ended_on: dt.date | None
    paused_wd: int | None
    note: str = ""


class GridUpgradeOut(Schema):
    cause: str
    cause_label: str
    project: str
    committed_on: dt.date | None
    marked_on: dt.date | None
    customer_informed_on: dt.date | None


class DocumentOut(Schema):
    id: int
    kind: str
    kind_label: str
    original_name: str
    content_type: str
    size: int
    valid_until: dt.date | None
    uploaded_at: dt.datetime
    valid: bool


class ApplicationListItem(Schema):
    number: str
    status: str
    status_label: str
    category: str
    category_label: str
    customer_name: str = Field(description="居民姓名已脱敏")
    region: str
    region_name: str
    company: str
    capacity_kw: Decimal
    key_project: str
    current_stage: str
    current_stage_label: str
    applied_on: dt.date
    due_on: dt.date | None
    due_pending_year: int | None
    due_pending_text: str
    remaining_wd: int | None = Field(description="剩余工作日（负数为已超期工作日）")
    overdue: bool
    version: int


class ApplicationPage(Schema):
    count: int = Field(description="总数（超过10,000时为10,000，count_exact为false）")
    count_exact: bool
    page: int
    page_size: int
    items: list[ApplicationListItem]


class ApplicationOut(ApplicationListItem):
    customer_type: str
    id_number: str
    contact_phone: str
    address: str
    personal_data_masked: bool
    property_scope: str
    request_type: str
    purpose: str
    voltage: str
    supply: str
    external_works: bool
    requested_high_voltage: bool
    hv_to_lv_deregistration: bool
    property_existing_kw: Decimal
    three_zero: bool
    informed_consent_required: bool
    informed_consent_at: dt.datetime | None
    site_survey_required: bool
    time_limit_wd: int
    paused_wd: int
    contracted_on: dt.date | None
    completed_on: dt.date | None
    cancelled_reason: str
    first_requested_on: dt.date | None
    grid_upgrade: GridUpgradeOut | None
    verification_code: str | None = Field(None, description="仅申请人本人可见")
    stages: list[StageOut]
    pauses: list[PauseOut]
    decision: DecisionOut
    documents: list[DocumentOut]
    can_work: bool = Field(description="当前用户可办理此申请")


class PublicStageOut(Schema):
    stage: str
    label: str
    limit_wd: int
    started_on: dt.date | None
    due_on: dt.date | None
    completed_on: dt.date | None


class PublicPauseOut(Schema):
    reason: str
    label: str
    started_on: dt.date
    ended_on: dt.date | None
    paused_wd: int | None


class PublicProgressOut(Schema):
    """No personal data: no name, phone, ID number or address."""

    number: str
    category: str
    category_label: str
    status: str
    status_label: str
    current_stage: str
    current_stage_label: str
    applied_on: dt.date
    time_limit_wd: int | None
    due_on: dt.date | None
    due_pending_year: int | None
    due_pending_text: str
    completed_on: dt.date | None
    contracted_on: dt.date | None
    grid_upgrade_cause: str
    grid_upgrade_cause_label: str
    grid_upgrade_committed_on: dt.date | None
    stages: list[PublicStageOut]
    pauses: list[PublicPauseOut]


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    application: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationsReadIn(StrictIn):
    ids: list[int] = Field(
        default_factory=list, description="要标为已读的本人通知编号；为空时全部标为已读"
    )


class NotificationsReadOut(Schema):
    marked: int = Field(description="本次标为已读的通知数（重复提交为0）")


class CapacityPartOut(Schema):
    item: Literal["dwelling", "ev_charger"]
    count: int
    kw_each: float
    kw: float
    parameters: list[str]


class CapacitySuggestionOut(Schema):
    kw: float = Field(description="推荐报装容量（千瓦）")
    area_m2: float | None
    on: dt.date
    region: str | None
    parts: list[CapacityPartOut]
    basis: list[dict[str, Any]] = Field(description="所用参数值及其条款、原文和来源（L7）")
