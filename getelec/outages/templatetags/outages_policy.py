"""Template helpers that show the L28 limits from policy data instead of literals."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from getelec.outages import services
from getelec.outages.models import LedgerEntry

register = template.Library()


@register.simple_tag
def outage_limits() -> dict[str, Any]:
    """The L28 limits and the early-warning thresholds in force today:
    {% outage_limits as limits %} … {{ limits.year_max }}."""
    params = services.params_from_policy(timezone.localdate())
    return {
        **services.rules.Limits.from_params(params).label_values(),
        "warning_year_min": params.warning_year_min_count,
        "warning_long_days": params.warning_long_days,
        "warning_long_count": params.warning_long_count,
        "warning_short_days": params.warning_short_days,
        "warning_short_count": params.warning_short_count,
    }


@register.filter
def entry_rule(entry: LedgerEntry) -> str:
    """The translated rule an entry broke, with the limits it was judged by."""
    return services.entry_rule_text(entry)
