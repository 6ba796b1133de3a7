"""Abuse throttles shared by every worker process: fixed-window counters in the database.

Used by the sign-in (failures per account and client, per account), the public progress
lookup (misses per application number and client, per client) and the public outage lookup
(look-ups per client). The limits are Django settings (getelec/settings.py).

A counter is one row (key, window start, count), incremented with one atomic upsert
(INSERT … ON CONFLICT … DO UPDATE … RETURNING, on SQLite and PostgreSQL alike), so two
workers counting at once never lose a hit. A window starts with its first hit and lasts
`window` seconds; a hit after that starts a new window at 1.

`client_ip(request)` is the one place that says who the client is (see its docstring for the
proxy setting).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest

from getelec.accounts.models import ThrottleCounter

# Rows whose window started this long ago (longer than any rule's window) are deleted now
# and then (by one hit in PURGE_ONE_IN).
PURGE_AFTER_SECONDS = 24 * 3600
PURGE_ONE_IN = 200


def client_ip(request: HttpRequest) -> str:
    """The client's address, as the throttles count it.

    Without a proxy (TRUSTED_PROXY_COUNT = 0) it is REMOTE_ADDR. Behind the documented reverse
    proxy (GETELEC_BEHIND_TLS_PROXY=1 → one trusted proxy; GETELEC_TRUSTED_PROXY_COUNT for
    more) REMOTE_ADDR is the proxy, and the client is the address the nearest trusted proxy
    appended to X-Forwarded-For (counted from the right: entries further left were sent by the
    client and can be forged). IPv6 clients are counted per /64, the block one subscriber gets.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    candidate = remote
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        try:
            address = ipaddress.ip_address(remote)
        except ValueError:
            return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True)
class Rule:
    """`limit` hits per `window` seconds for each key built from `scope` and the parts."""

    scope: str
    limit: int
    window: int

    def key(self, *parts: str) -> str:
        raw = ":".join([self.scope, *parts])
        if len(raw) <= 255:
            return raw
        digest = hashlib.sha256(raw.encode()).hexdigest()
        return f"{self.scope}:sha256:{digest}"


@dataclass(frozen=True)
class State:
    count: int
    retry_after: int  # seconds until the window ends (0: no open window)

    def minutes(self) -> int:
        """Whole minutes to wait, at least 1, for messages."""
        return max(1, math.ceil(self.retry_after / 60))


def _now() -> int:
    return int(time.time())


def state(rule: Rule, *parts: str) -> State:
    """The count in the open window (one primary-key read)."""
    row = (
        ThrottleCounter.objects.filter(key=rule.key(*parts))
        .values_list("window_start", "count")
        .first()
    )
    if row is None:
        return State(0, 0)
    start, count = row
    remaining = start + rule.window - _now()
    return State(count, remaining) if remaining > 0 else State(0, 0)


def blocked(rule: Rule, *parts: str) -> State | None:
    """The open window's state when the limit is reached, else None."""
    return blocked_any((rule, parts))


def blocked_any(*checks: tuple[Rule, tuple[str, ...]]) -> State | None:
    """The longest lock among several (rule, parts) counters, read in one query; None if none."""
    keys = {rule.key(*parts): rule for rule, parts in checks}
    rows = ThrottleCounter.objects.filter(key__in=list(keys)).values_list(
        "key", "window_start", "count"
    )
    now, locks = _now(), []
    for key, start, count in rows:
        rule = keys[key]
        remaining = start + rule.window - now
        if remaining > 0 and count >= rule.limit:
            locks.append(State(count, remaining))
    return max(locks, key=lambda lock: lock.retry_after, default=None)


def hit(rule: Rule, *parts: str) -> State:
    """Count one hit atomically; the state after it."""
    now = _now()
    expired_before = now - rule.window
    q = connection.ops.quote_name
    table, key, start, count = (
        q(n) for n in (ThrottleCounter._meta.db_table, "key", "window_start", "count")
    )
    sql = (
        f"INSERT INTO {table} ({key}, {start}, {count}) VALUES (%s, %s, 1) "
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{start} <= %s THEN 1 ELSE {table}.{count} + 1 END, "
        f"{start} = CASE WHEN {table}.{start} <= %s THEN %s ELSE {table}.{start} END "
        f"RETURNING {count}, {start}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [rule.key(*parts), now, expired_before, expired_before, now])
        hits, started = cursor.fetchone()
    if random.randrange(PURGE_ONE_IN) == 0:  # housekeeping only
        purge(now)
    return State(int(hits), max(0, int(started) + rule.window - now))


def reset(rule: Rule, *parts: str) -> None:
    ThrottleCounter.objects.filter(key=rule.key(*parts)).delete()


def purge(now: int | None = None) -> int:
    """Delete counters whose window ended long ago; the number deleted."""
    cutoff = (now if now is not None else _now()) - PURGE_AFTER_SECONDS
    deleted, _ = ThrottleCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
