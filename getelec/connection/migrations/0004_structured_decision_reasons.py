"""Stored 三零 reasons become data: rule, variant and values instead of a Chinese sentence.

Each reason in Application.decision["three_zero"]["reasons"] was {rule, clause, text, met}, the
text a sentence with its numbers written in. Forwards reads those sentences once (the patterns
of the former getelec/connection/reasons.py, copied here: a migration never imports app code
that may change) and stores {rule, clause, met, variant, values}; a sentence it cannot read
keeps its text and gets "legacy": true (the pages show it as stored). Backwards writes the
sentences back from the same templates.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

# (rule, variant) -> the sentence the core wrote (templates with the values' names).
SENTENCES: dict[tuple[str, str], str] = {
    ("customer_type", "ebike_charging"): "小区电动自行车充电设施按三零政策接电",
    ("customer_type", "in_scope"): "用户类型属于三零服务对象（居民、小微企业、民营经济组织）",
    ("customer_type", "out_of_scope"): "用户类型不属于三零服务对象（居民、小微企业、民营经济组织）",
    ("request_type", "new"): "业务类型为正式新装",
    ("request_type", "not_new"): "三零服务仅适用于正式新装，不含增容和临时用电",
    ("capacity", "within"): "报装容量%(kw)s千瓦不超过%(cap)s千瓦上限",
    ("capacity", "over"): "报装容量%(kw)s千瓦超过%(cap)s千瓦上限，建议采用高压供电",
    ("property_scope_split", "within"): (
        "同一产权范围内已有及在途容量%(existing)s千瓦，合计%(total)s千瓦不超过%(cap)s千瓦"
    ),
    ("property_scope_split", "split"): (
        "同一产权范围内已有及在途容量%(existing)s千瓦，合计%(total)s千瓦超过%(cap)s千瓦，"
        "属拆分报装，不纳入三零服务，建议采用高压供电"
    ),
    ("hv_to_lv_deregistration", "excluded"): "高压供电用户申请销户转低压用电，不纳入三零服务范围",
    ("voltage", "informed_consent"): (
        "用户因自身原因要求高压供电：须告知三零服务政策并由用户签字确认"
    ),
    ("voltage", "high_voltage"): "高压供电，不适用低压三零服务",
}
FIXED = {text: key for key, text in SENTENCES.items() if "%(" not in text}

_NUMBER = r"[0-9][0-9.e+]*"
_CAPACITY = re.compile(
    rf"^报装容量(?P<kw>{_NUMBER})千瓦(?P<op>不超过|超过)(?P<cap>{_NUMBER})千瓦上限"
    r"(?P<hv>，建议采用高压供电)?$"
)
_SPLIT = re.compile(
    rf"^同一产权范围内已有及在途容量(?P<existing>{_NUMBER})千瓦，合计(?P<total>{_NUMBER})千瓦"
    rf"(?P<op>不超过|超过)(?P<cap>{_NUMBER})千瓦(?P<split>，属拆分报装，不纳入三零服务，建议采用高压供电)?$"
)


def _number(text: str) -> int | float:
    value = float(text)  # ValueError for "1.2.3": the caller keeps the text as legacy
    return int(value) if value.is_integer() else value


def parse(text: str) -> tuple[str, str, dict[str, int | float]] | None:
    """(rule, variant, values) of one sentence the core wrote; None when it is not one."""
    if text in FIXED:
        return (*FIXED[text], {})
    match = _CAPACITY.match(text)
    if match:
        variant = {("不超过", False): "within", ("超过", True): "over"}.get(
            (match["op"], bool(match["hv"]))
        )
        if variant:
            return "capacity", variant, {"kw": _number(match["kw"]), "cap": _number(match["cap"])}
    match = _SPLIT.match(text)
    if match:
        variant = {("不超过", False): "within", ("超过", True): "split"}.get(
            (match["op"], bool(match["split"]))
        )
        if variant:
            names = ("existing", "total", "cap")
            return "property_scope_split", variant, {n: _number(match[n]) for n in names}
    return None


def convert_reason(reason: dict[str, Any]) -> dict[str, Any]:
    """An old {rule, clause, text, met} as data; unreadable ones keep the text, marked legacy."""
    if "variant" in reason or reason.get("legacy"):
        return reason
    try:
        parsed = parse(str(reason.get("text", "")))
    except ValueError:
        parsed = None
    if parsed is None or parsed[0] != reason.get("rule"):
        return {**reason, "legacy": True}
    rule, variant, values = parsed
    return {
        "rule": rule,
        "clause": reason.get("clause"),
        "met": reason.get("met"),
        "variant": variant,
        "values": values,
    }


def restore_reason(reason: dict[str, Any]) -> dict[str, Any]:
    """The old form back: the sentence rebuilt as the core wrote it (numbers with :g)."""
    if reason.get("legacy"):
        return {k: v for k, v in reason.items() if k != "legacy"}
    if "variant" not in reason:
        return reason
    template = SENTENCES[(reason["rule"], reason["variant"])]
    values = {k: f"{v:g}" for k, v in (reason.get("values") or {}).items()}
    return {
        "rule": reason["rule"],
        "clause": reason.get("clause"),
        "text": template % values,
        "met": reason.get("met"),
    }


def _with_reasons(decision: Any, change: Any) -> Any:
    three_zero = decision.get("three_zero") if isinstance(decision, dict) else None
    if not isinstance(three_zero, dict) or not isinstance(three_zero.get("reasons"), list):
        return decision
    reasons = [change(r) if isinstance(r, dict) else r for r in three_zero["reasons"]]
    return {**decision, "three_zero": {**three_zero, "reasons": reasons}}


def convert_decision(decision: Any) -> Any:
    return _with_reasons(decision, convert_reason)


def restore_decision(decision: Any) -> Any:
    return _with_reasons(decision, restore_reason)


def _rewrite(apps: Any, change: Any) -> None:
    Application = apps.get_model("connection", "Application")
    rows = Application.objects.filter(decision__has_key="three_zero").only("pk", "decision")
    batch = []
    for app in rows.order_by("pk").iterator(chunk_size=2000):
        new = change(app.decision)
        if new != app.decision:
            app.decision = new
            batch.append(app)
        if len(batch) >= 1000:
            Application.objects.bulk_update(batch, ["decision"])
            batch = []
    if batch:
        Application.objects.bulk_update(batch, ["decision"])


def forwards(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, convert_decision)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, restore_decision)


class Migration(migrations.Migration):
    dependencies = [
        ("connection", "0003_application_scope_index"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
