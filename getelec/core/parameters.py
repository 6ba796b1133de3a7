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


StageListName = Literal[
    "stages_lv_three_zero_no_works",
    "stages_lv_three_zero_with_works",
    "stages_lv_non_three_zero",
    "stages_hv_single",
    "stages_hv_dual",
    "stages_lv_charging",
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
    "three_zero_residential": Parameter(bool, "低压居民用户享受三零服务（国家“三零”服务要求）"),
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
    "stages_lv_three_zero_no_works": _stages("低压居民/三零，无外线工程：环节及时限"),
    "stages_lv_three_zero_with_works": _stages("低压居民/三零，有外线工程：环节及时限"),
    "stages_lv_non_three_zero": _stages("未实行三零的低压非居民：环节及时限"),
    "stages_hv_single": _stages("高压单电源：环节及时限"),
    "stages_hv_dual": _stages("高压双电源：环节及时限"),
    "stages_lv_charging": _stages("低压充电设施（电动汽车、电动自行车）：环节及时限"),
    "own_clock_stage_lists": Parameter(
        list[StageListName],
        "各环节分别计时的环节表：每个环节自上一环节完成之日起按本环节时限计算（无全过程时限）",
    ),
    "charging_site_survey_required": Parameter(bool, "充电设施必须现场勘察确定接入条件"),
    "capacity_residential_bands": Parameter(list[CapacityBand], "居民用户按建筑面积的推荐容量"),
    "capacity_min_per_dwelling_kw": Parameter(PositiveNumber, "每套住宅用电负荷下限"),
    "capacity_ev_slow_charger_kw": Parameter(PositiveNumber, "交流慢充电桩推荐容量"),
    "capacity_lv_max_kw": Parameter(
        PositiveNumber,
        "低压供电容量界限：居民用户超过该值建议高压供电，选择低压时须工作人员核实确认",
    ),
    "capacity_hv_max_kw": Parameter(
        dict[
            Literal["residential", "small_micro_enterprise", "private_org", "other"], PositiveNumber
        ],
        "高压供电报装容量的合理上限（按用户类型；未列出的类型不设上限），超过须工作人员核实确认",
    ),
    # --- outages (频繁停电, reliability): L21, L22, L28 — used by getelec.analytics --------------
    "outage_period": Parameter(
        Literal["calendar_year_to_date"], "频繁停电统计周期：自然年1月1日至统计日"
    ),
    "outage_momentary_below_minutes": Parameter(
        PositiveNumber, "不超过该时长（分钟，含）的停电为瞬时停电，单独统计，不计入频繁停电次数"
    ),
    "outage_merge_window_hours": Parameter(
        PositiveNumber, "距同一供电单元上一次计入停电开始不足该时长（小时）的停电合并，不重复计次"
    ),
    "outage_unrestored_cap_hours": Parameter(
        PositiveNumber, "缺少复电事件时停电时长的上限（小时）；超过即按上限计并标记未复电"
    ),
    "outage_district_share": Parameter(
        Share, "台区停电判定：同时停电的在册电能表占比达到该值（向上取整）"
    ),
    "outage_feeder_share": Parameter(
        Share, "线路停电判定：同时停电的在册台区占比达到该值（向上取整）"
    ),
    "outage_excluded_causes": Parameter(
        list[
            Literal[
                "planned", "fault", "force_majeure", "external_damage", "supply_shortage", "other"
            ]
        ],
        "不计入频繁停电次数的停电原因（单独统计）",
    ),
    "outage_year_max_count": Parameter(PositiveInt, "一个供电单元一年内停电次数上限"),
    "outage_window_days": Parameter(PositiveInt, "滑动窗口长度（连续自然日）"),
    "outage_window_max_count": Parameter(PositiveInt, "滑动窗口内停电次数上限"),
    "outage_problem_line_min_districts": Parameter(
        PositiveInt, "一条线路有不少于该数量的频繁停电台区即为问题线路"
    ),
    "outage_warning_year_min_count": Parameter(
        PositiveInt, "预警：年内计入停电次数达到该值（且未超过年上限）"
    ),
    "outage_warning_long_days": Parameter(PositiveInt, "预警长窗口：截至统计日的天数"),
    "outage_warning_long_count": Parameter(PositiveInt, "预警长窗口内恰好达到的停电次数"),
    "outage_warning_short_days": Parameter(PositiveInt, "预警短窗口：截至统计日的天数"),
    "outage_warning_short_count": Parameter(PositiveInt, "预警短窗口内恰好达到的停电次数"),
    "outage_major_event_day_exclusion": Parameter(
        bool, "是否按IEEE 1366的2.5β方法剔除重大事件日的停电"
    ),
    "outage_major_event_day_beta": Parameter(PositiveNumber, "重大事件日阈值 exp(α + kβ) 中的 k"),
    "outage_major_event_day_history_years": Parameter(
        PositiveInt, "计算重大事件日阈值所用的历史年数"
    ),
    "outage_rs2_excluded_causes": Parameter(
        list[
            Literal[
                "planned", "fault", "force_majeure", "external_damage", "supply_shortage", "other"
            ]
        ],
        "RS-2（不计外部影响）不计入的停电原因",
    ),
    "outage_rs3_excluded_causes": Parameter(
        list[
            Literal[
                "planned", "fault", "force_majeure", "external_damage", "supply_shortage", "other"
            ]
        ],
        "RS-3（不计系统电源不足限电）不计入的停电原因",
    ),
    # --- supervision (regulator's desk): T2, L4, 附件2 — used by getelec.supervision -----------
    "filing_batch_period": Parameter(
        Literal["month"], "电网改造升级无法满足接电时限的备案（附件1）报送周期：按月度"
    ),
    "filing_batch_due_wd": Parameter(
        PositiveInt, "月度备案批次报送截止：次月第N个工作日（含当日）"
    ),
    "ledger_ongoing_report_period": Parameter(
        Literal["quarter"], "任务台账“持续推进”任务的进展报告周期：按季度"
    ),
    "ledger_quarterly_report_due_wd": Parameter(
        PositiveInt, "季度进展报告截止：季度结束后第N个工作日；逾期未获审核通过即标记逾期"
    ),
    "ledger_reporting_start_quarter": Parameter(
        Annotated[str, Field(pattern=r"^20\d\dQ[1-4]$")],
        "任务台账季度报告自该季度起考核（如 2026Q1；此前的季度不考核）",
    ),
    "pattern_pause_factor": Parameter(
        PositiveNumber, "暂停计时异常：申请的暂停工作日超过本企业同期中位数的倍数"
    ),
    "pattern_pause_min_wd": Parameter(
        PositiveInt, "暂停计时异常：暂停工作日至少达到该值才提示（避免小数值误报）"
    ),
    "pattern_late_registration_wd": Parameter(
        PositiveInt, "受理滞后：客户首次提出需求至申请日超过该工作日数即提示"
    ),
    "pattern_reapply_window_days": Parameter(
        PositiveInt, "撤销后重新申请：同一产权范围撤销后该自然日内又提交新申请即提示"
    ),
    # --- supply quality desk: L24, L25, L27, L28–L30, L47 — used by getelec.outages ---------------
    "quality_observation_days": Parameter(
        PositiveInt, "整改完成后的观察期（自然日）：期间无新的计入停电方可验收销号"
    ),
    "quality_planned_notice_days": Parameter(PositiveInt, "计划检修停电须提前公告的天数（自然日）"),
    "quality_merge_lookahead_days": Parameter(
        PositiveInt, "“一停多用”：提示同一设备前后该天数内的其他计划停电"
    ),
    "quality_repair_arrival_minutes": Parameter(
        Annotated[dict[Literal["urban", "rural", "remote"], PositiveInt], Field(min_length=3)],
        "故障抢修到达现场承诺时限（分钟），按城区、农村、特殊边远地区",
    ),
    "quality_reward_rs1_min_percent": Parameter(
        Annotated[int | float, Field(gt=0, le=100)], "可靠性奖励线：年度中压RS-1不低于该值（%）"
    ),
    "quality_penalty_rs1_below_percent": Parameter(
        Annotated[int | float, Field(gt=0, le=100)], "可靠性处罚线：年度中压RS-1低于该值（%）"
    ),
    "quality_penalty_frequent_districts_min": Parameter(
        PositiveInt, "可靠性处罚：区域内频繁停电台区数达到该值"
    ),
    "quality_signoff_organisation": Parameter(
        Annotated[str, Field(min_length=2, max_length=128)],
        "频繁停电闭环销号（L30）的核验销号机构名称：只有该机构的监管人员可以核验、销号",
    ),
}
