"""Template helpers that show the L28 limits from policy data instead of literals."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from getelec.outages import labels
from getelec.outages.models import LedgerEntry

register = template.Library()


# The policy values the desk's pages show, by their policy parameter names (one identifier
# from getelec/policy/outages.yaml to the template: {{ limits.outage_window_days }}).
PAGE_PARAMETERS = (
    "outage_year_max_count",
    "outage_window_days",
    "outage_window_max_count",
    "outage_warning_year_min_count",
    "outage_warning_long_days",
    "outage_warning_long_count",
    "outage_warning_short_days",
    "outage_warning_short_count",
)


@register.simple_tag
def outage_limits() -> dict[str, Any]:
    """The L28 limits and the early-warning thresholds in force today:
    {% outage_limits as limits %} … {{ limits.outage_year_max_count }}."""
    params = labels.params_in_force()
    return {name: getattr(params, name) for name in PAGE_PARAMETERS}


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
        % {"lo": limits["outage_warning_year_min_count"], "hi": limits["outage_year_max_count"]},
        "warn_long": _("最近%(days)s天%(n)s次")
        % {"days": limits["outage_warning_long_days"], "n": limits["outage_warning_long_count"]},
        "warn_short": _("最近%(days)s天%(n)s次")
        % {"days": limits["outage_warning_short_days"], "n": limits["outage_warning_short_count"]},
    }
    return "；".join(labels.get(c, c) for c in (codes or "").split(",") if c)
