"""Sign-in throttle: lock the (account, client) pair, only slow down the account.

Guessing from one client locks that client out of that account (a correct password from it is
refused too, until the window ends: otherwise the lock would still answer every guess). The
account itself is never locked, so nobody can lock a regulator out from elsewhere: when many
clients fail on one account, every attempt on it is only delayed (by at most
LOGIN_SLOWDOWN_MAX_SECONDS) before the password is checked. A refused attempt costs one
primary-key read and no password hash. The failure that locks a pair writes one audit row.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from getelec.accounts import throttle
from getelec.accounts.models import ThrottleCounter, User
from getelec.audit.services import record

AUDIT_ACTOR = "sign-in throttle"

# time.sleep, replaceable in tests.
sleep: Callable[[float], None] = time.sleep


def pair_rule() -> throttle.Rule:
    return throttle.Rule("login", settings.LOGIN_LOCKOUT_FAILURES, settings.LOGIN_LOCKOUT_SECONDS)


def account_rule() -> throttle.Rule:
    # Counted over the same window; never locks, only slows down.
    return throttle.Rule("login-account", 10**9, settings.LOGIN_LOCKOUT_SECONDS)


def _account(username: str) -> str:
    return username.strip().casefold()


def locked(request: HttpRequest | None, username: str) -> throttle.State | None:
    """The lock of this (account, client) pair, if any."""
    return throttle.blocked(pair_rule(), _account(username), _client(request))


def delay_for(failures: int) -> float:
    excess = failures - settings.LOGIN_SLOWDOWN_AFTER
    if excess < 0:
        return 0.0
    step = float(settings.LOGIN_SLOWDOWN_STEP_SECONDS)
    return min(float(settings.LOGIN_SLOWDOWN_MAX_SECONDS), step * (excess + 1))


def slow_down(username: str) -> float:
    """Wait before checking a password of an account under attack; the seconds waited."""
    seconds = delay_for(throttle.state(account_rule(), _account(username)).count)
    if seconds > 0:
        sleep(seconds)
    return seconds


def failed(request: HttpRequest | None, username: str) -> None:
    """Count a wrong password; the failure that locks the pair is audited."""
    account, client = _account(username), _client(request)
    throttle.hit(account_rule(), account)
    rule = pair_rule()
    after = throttle.hit(rule, account, client)
    if after.count != rule.limit:
        return
    user = User._default_manager.filter(username__iexact=username.strip()).first()
    with transaction.atomic():
        target = user or ThrottleCounter.objects.get(key=rule.key(account, client))
        record(
            AUDIT_ACTOR,
            "accounts.login_locked",
            target,
            new={
                "username": username.strip()[:150],
                "client": client,
                "failures": after.count,
                "locked_seconds": after.retry_after,
            },
            reason="连续登录失败，锁定该账号在该客户端的登录",
        )


def succeeded(request: HttpRequest | None, username: str) -> None:
    """A correct sign-in clears the pair's failures (not the account's: others may guess)."""
    throttle.reset(pair_rule(), _account(username), _client(request))


def _client(request: HttpRequest | None) -> str:
    return throttle.client_ip(request) if request is not None else "unknown"
