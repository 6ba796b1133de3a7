"""Template helpers that show the L28 limits from policy data instead of literals."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from getelec.outages import labels, rules
from getelec.outages.models import LedgerEntry

register = template.Library()


@register.simple_tag
def outage_limits() -> dict[str, Any]:
    """The L28 limits and the early-warning thresholds in force today:
    {% outage_limits as limits %} … {{ limits.year_max }}."""
    params = labels.params_in_force()
    return {
        **rules.Limits.from_params(params).label_values(),
        "warning_year_min": params.warning_year_min_count,
        "warning_long_days": params.warning_long_days,
        "warning_long_count": params.warning_long_count,
        "warning_short_days": params.warning_short_days,
        "warning_short_count": params.warning_short_count,
    }


@register.filter
def entry_rule(entry: LedgerEntry) -> str:
    """The translated rule an entry broke, with the limits it was judged by."""
    return labels.entry_rule_text(entry)


@register.simple_tag
def warning_text(codes: str, limits: dict[str, Any]) -> str:
    """The early-warning codes of a district ("warn_year,warn_short") as Chinese rules with the
    thresholds in force: {% warning_text r.status.warning limits %}."""
    labels = {
        "warn_year": _("年内%(lo)s–%(hi)s次")
        % {"lo": limits["warning_year_min"], "hi": limits["year_max"]},
        "warn_long": _("最近%(days)s天%(n)s次")
        % {"days": limits["warning_long_days"], "n": limits["warning_long_count"]},
        "warn_short": _("最近%(days)s天%(n)s次")
        % {"days": limits["warning_short_days"], "n": limits["warning_short_count"]},
    }
    return "；".join(labels.get(c, c) for c in (codes or "").split(",") if c)
