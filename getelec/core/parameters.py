"""The names and types of every policy parameter.

Values live in YAML (``getelec/policy``); this registry says which names exist and what shape
their values take, so a typo in a file is an error at load time, never a silently unused value.
A name carries its unit (``_kw``, ``_wd`` working days, ``_days`` calendar days, ``_minutes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

StageCode = Literal[
    "intake",  # 业务受理
    "supply_scheme",  # 供电方案答复 (incl. site survey)
    "external_works",  # 外线工程实施
    "design_review",  # 设计文件审核
    "midway_inspection",  # 中间检查
    "completion_inspection",  # 竣工检验
    "energizing",  # 装表接电
]


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    stage: StageCode
    limit_wd: Annotated[int, Field(ge=1, le=60)]


class CapacityBand(BaseModel):
    """Recommended capacity for a dwelling up to `max_area_m2` (None: any larger)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    max_area_m2: Annotated[float, Field(gt=0)] | None
    kw: Annotated[float, Field(gt=0)]


PositiveInt = Annotated[int, Field(ge=1)]
PositiveNumber = Annotated[int | float, Field(gt=0)]
NonNegativeNumber = Annotated[int | float, Field(ge=0)]
Share = Annotated[int | float, Field(gt=0, le=1)]


@dataclass(frozen=True)
class Parameter:
    type: Any
    description: str
    required: bool = True
    adapter: TypeAdapter[Any] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "adapter", TypeAdapter(self.type))


def _stages(description: str) -> Parameter:
    return Parameter(list[Stage], description)


PARAMETERS: dict[str, Parameter] = {
    # --- connection applications (办电): T1, T2, L2, L3, L7, L33, L34 -------------------------
    "three_zero_max_kw": Parameter(
        PositiveNumber, "三零服务（低压接入）总容量上限；超过时建议高压供电"
    ),
    "three_zero_customer_types": Parameter(
        list[Literal["residential", "small_micro_enterprise", "private_org", "other"]],
        "可享受三零服务的用户类型",
    ),
    "three_zero_request_types": Parameter(
        list[Literal["new", "increase", "temporary"]], "可享受三零服务的业务类型（正式新装）"
    ),
    "ebike_charging_three_zero": Parameter(bool, "小区电动自行车充电设施按三零政策接电"),
    "lv_three_zero_no_works_limit_wd": Parameter(
        PositiveInt, "低压居民及三零低压非居民，无外线工程，全过程时限（工作日）"
    ),
    "lv_three_zero_with_works_limit_wd": Parameter(
        PositiveInt, "低压居民及三零低压非居民，有外线工程，全过程时限（工作日）"
    ),
    "lv_non_three_zero_limit_wd": Parameter(PositiveInt, "未实行三零的低压非居民全过程时限"),
    "hv_single_limit_wd": Parameter(PositiveInt, "高压单电源全过程时限（工作日）"),
    "hv_dual_limit_wd": Parameter(PositiveInt, "高压双电源全过程时限（工作日）"),
    "lv_charging_limit_wd": Parameter(PositiveInt, "低压充电设施全过程时限（各环节之和）"),
    "stages_lv_three_zero_no_works": _stages("低压居民/三零，无外线工程：环节及时限"),
    "stages_lv_three_zero_with_works": _stages("低压居民/三零，有外线工程：环节及时限"),
    "stages_lv_non_three_zero": _stages("未实行三零的低压非居民：环节及时限"),
    "stages_hv_single": _stages("高压单电源：环节及时限"),
    "stages_hv_dual": _stages("高压双电源：环节及时限"),
    "stages_lv_charging": _stages("低压充电设施（电动汽车、电动自行车）：环节及时限"),
    "charging_site_survey_required": Parameter(bool, "充电设施必须现场勘察确定接入条件"),
    "capacity_residential_bands": Parameter(list[CapacityBand], "居民用户按建筑面积的推荐容量"),
    "capacity_min_per_dwelling_kw": Parameter(PositiveNumber, "每套住宅用电负荷下限"),
    "capacity_ev_slow_charger_kw": Parameter(PositiveNumber, "交流慢充电桩推荐容量"),
}

