"""Translating the 三零 reasons that the pure core writes (in Chinese) for the UI language.

The core (no Django) writes each reason's text in Chinese, and applications store it in their
decision. The web shows it through `localise`: fixed sentences go through gettext as they are;
the sentences with numbers are recognised by pattern and rebuilt from a translatable template.
In Chinese the result is the stored text unchanged; unknown texts are shown as stored.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The fixed sentences of getelec.core.assess.plan (kept in step with it; the test checks).
FIXED = (
    gettext_noop("小区电动自行车充电设施按三零政策接电"),
    gettext_noop("用户类型属于三零服务对象（居民、小微企业、民营经济组织）"),
    gettext_noop("用户类型不属于三零服务对象（居民、小微企业、民营经济组织）"),
    gettext_noop("业务类型为正式新装"),
    gettext_noop("三零服务仅适用于正式新装，不含增容和临时用电"),
    gettext_noop("高压供电用户申请销户转低压用电，不纳入三零服务范围"),
    gettext_noop("用户因自身原因要求高压供电：须告知三零服务政策并由用户签字确认"),
    gettext_noop("高压供电，不适用低压三零服务"),
)

_NUMBER = r"[0-9][0-9.e+]*"
_CAPACITY = re.compile(
    rf"^报装容量(?P<kw>{_NUMBER})千瓦(?P<op>不超过|超过)(?P<cap>{_NUMBER})千瓦上限"
    r"(?P<hv>，建议采用高压供电)?$"
)
_SPLIT = re.compile(
    rf"^同一产权范围内已有及在途容量(?P<existing>{_NUMBER})千瓦，合计(?P<total>{_NUMBER})千瓦"
    rf"(?P<op>不超过|超过)(?P<cap>{_NUMBER})千瓦(?P<split>，属拆分报装，不纳入三零服务，建议采用高压供电)?$"
)


def localise(text: str) -> str:
    """The reason in the active language (Chinese: unchanged)."""
    if text in FIXED:
        return _(text)
    match = _CAPACITY.match(text)
    if match:
        values = match.groupdict()
        if match["op"] == "不超过":
            return _("报装容量%(kw)s千瓦不超过%(cap)s千瓦上限") % values
        if match["hv"]:
            return _("报装容量%(kw)s千瓦超过%(cap)s千瓦上限，建议采用高压供电") % values
        return _("报装容量%(kw)s千瓦超过%(cap)s千瓦上限") % values
    match = _SPLIT.match(text)
    if match:
        values = match.groupdict()
        if match["op"] == "不超过" and not match["split"]:
            return (
                _(
                    "同一产权范围内已有及在途容量%(existing)s千瓦，合计%(total)s千瓦不超过%(cap)s千瓦"
                )
                % values
            )
        if match["split"]:
            return (
                _(
                    "同一产权范围内已有及在途容量%(existing)s千瓦，合计%(total)s千瓦超过%(cap)s千瓦，"
                    "属拆分报装，不纳入三零服务，建议采用高压供电"
                )
                % values
            )
    return text


def localised(reasons: list[Any]) -> list[dict[str, Any]]:
    """Reasons (dicts as stored, or core Reason objects) with their text localised."""
    result = []
    for reason in reasons:
        data = reason if isinstance(reason, dict) else reason.as_dict()
        result.append({**data, "text": localise(str(data.get("text", "")))})
    return result
