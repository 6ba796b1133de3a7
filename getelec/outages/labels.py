"""Labels of the quality desk shown to readers: interruption causes and the L28 rules an entry
broke, with the limits in force (policy data) or the ones the entry was judged by (its basis).
Read helpers for views, exports and templates; no state changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from getelec.analytics.params import OutageParams, params_from_policy
from getelec.outages import rules
from getelec.outages.models import LedgerEntry

CAUSE_LABELS = {
    "planned": gettext_lazy("计划停电"),
    "fault": gettext_lazy("故障停电"),
    "force_majeure": gettext_lazy("不可抗力"),
    "external_damage": gettext_lazy("外力破坏"),
    "supply_shortage": gettext_lazy("电源不足限电"),
    "other": gettext_lazy("其他"),
    "unknown": gettext_lazy("原因未明"),
}


def params_in_force(on: dt.date | None = None) -> OutageParams:
    """The outage parameters (L28 limits, early-warning thresholds) in force on `on` (default
    today)."""
    return params_from_policy(on or timezone.localdate())


def rule_values(on: dt.date | None = None) -> dict[str, int]:
    """The L28 limits in force on `on` (default today), as RULE_LABELS placeholders."""
    return rules.Limits.from_params(params_in_force(on)).label_values()


def entry_rule_values(entry: LedgerEntry) -> dict[str, int]:
    """The L28 limits an entry was judged by: its stored basis, else the policy on its as-of."""
    values = {
        c["parameter"]: c["value"]
        for c in entry.basis or []
        if c.get("parameter") in rules.LABEL_PARAMETERS
    }
    if len(values) < len(rules.LABEL_PARAMETERS):
        values = {**rule_values(entry.as_of), **values}
    return values


def rule_text(codes: str, values: dict[str, Any]) -> str:
    """Translated labels of the rule codes ("year_limit,window_limit"), with the limits in
    `values` (rule_values / entry_rule_values / rules.Limits.label_values)."""
    return "；".join(
        _(rules.RULE_LABELS[c]) % values if c in rules.RULE_LABELS else c
        for c in codes.split(",")
        if c
    )


def entry_rule_text(entry: LedgerEntry) -> str:
    return rule_text(entry.rule, entry_rule_values(entry))


# What a reader sees for each audited change of a ledger entry (the audit log keeps the code).
ENTRY_ACTION_LABELS = {
    "outages.identify": gettext_lazy("识别为频繁停电"),
    "outages.refresh_entry": gettext_lazy("按最新停电数据更新"),
    "outages.reopen": gettext_lazy("观察期内再次超标，重新打开"),
    "outages.plan_rectification": gettext_lazy("制定整改计划"),
    "outages.record_rectification": gettext_lazy("登记整改完成"),
    "outages.verify": gettext_lazy("现场核验"),
    "outages.close": gettext_lazy("闭环销号"),
}


def with_action_labels(events: list[Any]) -> list[Any]:
    """Audit rows of an entry, each with `action_label` (the action in words)."""
    for event in events:
        event.action_label = str(ENTRY_ACTION_LABELS.get(event.action, gettext_lazy("其他操作")))
    return events
