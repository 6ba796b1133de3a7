"""三零 reasons as data, and the one catalogue of their sentences.

A reason is a rule code, the clause it applies, whether it is met, a variant (which of the
rule's sentences) and the values it used. Stored decisions hold that data, never a sentence:
the sentence is rendered at display time from MESSAGES, here in Chinese (the source language,
for the core's own callers), in the web through Django's gettext over the same msgids
(getelec.connection.reason_text).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from getelec.core.workdays import gettext_noop

Number = int | float

# (rule, variant) -> Chinese template; placeholders name the keys of Reason.values.
MESSAGES: dict[tuple[str, str], str] = {
    ("customer_type", "ebike_charging"): gettext_noop("小区电动自行车充电设施按三零政策接电"),
    ("customer_type", "in_scope"): gettext_noop(
        "用户类型属于三零服务对象（居民、小微企业、民营经济组织）"
    ),
    ("customer_type", "out_of_scope"): gettext_noop(
        "用户类型不属于三零服务对象（居民、小微企业、民营经济组织）"
    ),
    ("customer_type", "residential"): gettext_noop("居民低压用户按国家“三零”服务要求纳入三零服务"),
    ("request_type", "new"): gettext_noop("业务类型为正式新装"),
    ("request_type", "not_new"): gettext_noop("三零服务仅适用于正式新装，不含增容和临时用电"),
    ("capacity", "within"): gettext_noop("报装容量%(kw)s千瓦不超过%(cap)s千瓦上限"),
    ("capacity", "over"): gettext_noop("报装容量%(kw)s千瓦超过%(cap)s千瓦上限，建议采用高压供电"),
    ("property_scope_split", "within"): gettext_noop(
        "同一产权范围内已有及在途容量%(existing)s千瓦，合计%(total)s千瓦不超过%(cap)s千瓦"
    ),
    ("property_scope_split", "split"): gettext_noop(
        "同一产权范围内已有及在途容量%(existing)s千瓦，合计%(total)s千瓦超过%(cap)s千瓦，"
        "属拆分报装，不纳入三零服务，建议采用高压供电"
    ),
    ("hv_to_lv_deregistration", "excluded"): gettext_noop(
        "高压供电用户申请销户转低压用电，不纳入三零服务范围"
    ),
    ("voltage", "informed_consent"): gettext_noop(
        "用户因自身原因要求高压供电：须告知三零服务政策并由用户签字确认"
    ),
    ("voltage", "high_voltage"): gettext_noop("高压供电，不适用低压三零服务"),
}


def number(value: float) -> Number:
    """A value as stored: an int when whole (200, not 200.0), else the float itself."""
    value = float(value)
    return int(value) if value.is_integer() else value


def format_number(value: Any) -> str:
    """A stored value in a sentence: 200, 12.5, 1234567 (ten significant digits at most)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.10g}"
    return str(value)


def render(
    rule: str,
    variant: str,
    values: Mapping[str, Any],
    translate: Callable[[str], str] = gettext_noop,
) -> str:
    """The sentence of (rule, variant) with its values; KeyError for an unknown pair or value."""
    template = translate(MESSAGES[(rule, variant)])
    return template % {name: format_number(value) for name, value in values.items()}


@dataclass(frozen=True)
class Reason:
    """One 三零 condition checked: the rule, its clause, met or not, and the values used."""

    rule: str  # stable code
    clause: str
    met: bool
    variant: str  # which sentence of the rule (a key of MESSAGES with `rule`)
    values: Mapping[str, Number] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The sentence in Chinese (the web renders it in the page language)."""
        return render(self.rule, self.variant, self.values)

    def as_dict(self) -> dict[str, Any]:
        """The reason as decisions store it: data only, no sentence."""
        return {
            "rule": self.rule,
            "clause": self.clause,
            "met": self.met,
            "variant": self.variant,
            "values": dict(self.values),
        }
