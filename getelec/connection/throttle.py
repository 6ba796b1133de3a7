"""Throttle for the public progress lookup (web page and API): failed look-ups per client.

Optional settings, read here with their defaults (they are not in settings.py):
  PUBLIC_LOOKUP_MAX_FAILURES      failed look-ups per client address before further look-ups
                                  are refused with 429 (default 20);
  PUBLIC_LOOKUP_WINDOW_SECONDS    how long failures are counted, from the first one
                                  (default 600 = 10 minutes).
Counters live in the default cache (LocMemCache per process by default: behind several worker
processes the limit applies per process; configure a shared cache to make it global).
REMOTE_ADDR is the client address: behind a reverse proxy, have the proxy pass the real address
into REMOTE_ADDR, otherwise every client shares the proxy's budget.
A successful lookup costs one cache read; only failures write.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

MAX_FAILURES_DEFAULT = 20
WINDOW_SECONDS_DEFAULT = 600


def window_seconds() -> int:
    return int(getattr(settings, "PUBLIC_LOOKUP_WINDOW_SECONDS", WINDOW_SECONDS_DEFAULT))


def window_minutes() -> int:
    return max(1, -(-window_seconds() // 60))


def _key(request: HttpRequest) -> str:
    return f"lookup-fail:{request.META.get('REMOTE_ADDR', '') or 'unknown'}"


def blocked(request: HttpRequest) -> bool:
    limit = int(getattr(settings, "PUBLIC_LOOKUP_MAX_FAILURES", MAX_FAILURES_DEFAULT))
    return cache.get(_key(request), 0) >= limit


def failed(request: HttpRequest) -> None:
    key, window = _key(request), window_seconds()
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, window)
