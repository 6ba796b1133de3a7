"""Throttle for the public progress lookup (web page and API), on getelec.accounts.throttle.

Misses are counted per (application number, client) and per client, in the database (shared by
every worker process), within PUBLIC_LOOKUP_WINDOW_SECONDS:
  PUBLIC_LOOKUP_MAX_FAILURES         misses on one number from one client before that number
                                     is refused to that client (429);
  PUBLIC_LOOKUP_CLIENT_MAX_FAILURES  misses over all numbers from one client before the client
                                     is refused altogether (stops one guess sprayed over many
                                     numbers).
A refused look-up is not checked at all, even with the correct code: answering correct codes
while refusing wrong ones would tell a blocked guesser which guess is right, so the lock would
not slow guessing down. What the lock covers is narrowed instead: a client that missed on one
number can still look up any other number (a neighbour behind the same address, or the
applicant with a second application). The client is getelec.accounts.throttle.client_ip
(REMOTE_ADDR, or X-Forwarded-For behind the documented proxy). A found look-up costs one
indexed read of both counters; only misses write.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from getelec.accounts import throttle


def _window() -> int:
    return int(settings.PUBLIC_LOOKUP_WINDOW_SECONDS)


def _rules() -> tuple[throttle.Rule, throttle.Rule]:
    return (
        throttle.Rule("lookup", int(settings.PUBLIC_LOOKUP_MAX_FAILURES), _window()),
        throttle.Rule("lookup-client", int(settings.PUBLIC_LOOKUP_CLIENT_MAX_FAILURES), _window()),
    )


def _number(number: str) -> str:
    return (number or "").strip().upper()[:20]  # as the web form and the selector read it


def blocked(request: HttpRequest, number: str) -> int | None:
    """Minutes to wait when this client may not look this number up now, else None."""
    client = throttle.client_ip(request)
    per_number, per_client = _rules()
    lock = throttle.blocked_any((per_client, (client,)), (per_number, (_number(number), client)))
    return lock.minutes() if lock is not None else None


def failed(request: HttpRequest, number: str) -> None:
    client = throttle.client_ip(request)
    per_number, per_client = _rules()
    throttle.hit(per_number, _number(number), client)
    throttle.hit(per_client, client)
