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
    client = throttle.client_ip(request)
    rule = _rule()
    lock = throttle.blocked(rule, client)
    if lock is not None:
        return lock.minutes()
    throttle.hit(rule, client)
    return None
