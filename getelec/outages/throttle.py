"""Throttle for the public outage lookup (web page and API), on getelec.accounts.throttle.

Every look-up counts (a hit tells which 台区 serves a 户号, so found look-ups are probes too):
OUTAGE_LOOKUP_MAX_PER_CLIENT per client (getelec.accounts.throttle.client_ip) within
OUTAGE_LOOKUP_WINDOW_SECONDS, shared by every worker process.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from getelec.accounts import throttle


def _rule() -> throttle.Rule:
    return throttle.Rule(
        "outage-lookup",
        int(settings.OUTAGE_LOOKUP_MAX_PER_CLIENT),
        int(settings.OUTAGE_LOOKUP_WINDOW_SECONDS),
    )


def admit(request: HttpRequest) -> int | None:
    """Count this look-up; None when it may run, else the minutes to wait."""
    rule = _rule()
    after = throttle.hit(rule, throttle.client_ip(request))  # one atomic upsert, exact
    return after.minutes() if after.count > rule.limit else None
