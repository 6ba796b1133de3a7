"""Sign-in throttle (docs/security.md "Throttles"): lock the (account, client) pair, slow
the account."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from getelec.accounts import lockout, throttle
from getelec.audit.models import AuditEvent

LOCKED = "登录失败次数过多"


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def _client(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.LOGIN_LOCKOUT_FAILURES = 5
    settings.LOGIN_LOCKOUT_SECONDS = 900
    settings.LOGIN_SLOWDOWN_AFTER = 8
    return settings


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    calls: list[float] = []
    monkeypatch.setattr(lockout, "sleep", calls.append)
    return calls


def test_wrong_passwords_lock_the_account_on_that_client_even_for_the_right_one(
    regulator: Any, limits: Any, slept: list[float]
) -> None:
    attacker = _client("203.0.113.7")
    for _ in range(5):
        response = _login(attacker, "regulator", "wrong")
        assert response.status_code == 200 and "账号或密码不正确" in response.content.decode()
    refused = _login(attacker, "regulator", PASSWORD)
    assert refused.status_code == 429
    assert "登录失败次数过多，请15分钟后再试" in refused.content.decode()
    assert "_auth_user_id" not in attacker.session
    # The same account from another client signs in at once: nobody can lock a regulator out.
    elsewhere = _client("198.51.100.20")
    response = _login(elsewhere, "regulator", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("regulator_list")
    assert slept == []
    # Different case or surrounding spaces are the same account.
    assert _login(attacker, " REGULATOR ", "wrong").status_code == 429


def test_the_lock_writes_one_audit_row_and_ends_with_its_window(
    regulator: Any, limits: Any, slept: list[float], time_machine: Any
) -> None:
    time_machine.move_to("2026-11-26 10:00 +0800", tick=False)
    attacker = _client("203.0.113.7")
    for _ in range(7):
        _login(attacker, "regulator", "wrong")
    events = AuditEvent.objects.filter(action="accounts.login_locked")
    assert events.count() == 1
    event = events.get()
    assert (event.object_type, event.object_id) == ("accounts.user", str(regulator.pk))
    assert event.new["client"] == "203.0.113.7" and event.new["failures"] == 5
    assert event.actor is None and event.actor_label == "sign-in throttle"
    time_machine.move_to("2026-11-26 10:14 +0800", tick=False)
    assert "请1分钟后再试" in _login(attacker, "regulator", PASSWORD).content.decode()
    time_machine.move_to("2026-11-26 10:15:01 +0800", tick=False)
    assert _login(attacker, "regulator", PASSWORD).status_code == 302


def test_an_unknown_account_is_locked_and_audited_the_same_way(
    db: Any, limits: Any, slept: list[float]
) -> None:
    attacker = _client("203.0.113.7")
    for _ in range(5):
        assert _login(attacker, "nobody", "wrong").status_code == 200
    assert _login(attacker, "nobody", "wrong").status_code == 429
    event = AuditEvent.objects.get(action="accounts.login_locked")
    assert event.object_type == "accounts.throttlecounter" and event.new["username"] == "nobody"


def test_a_locked_attempt_checks_no_password(
    regulator: Any, limits: Any, slept: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused before the (deliberately slow) password hash: guessing cannot load the server."""
    attacker = _client("203.0.113.7")
    for _ in range(5):
        _login(attacker, "regulator", "wrong")
    hashed: list[str] = []
    original = MD5PasswordHasher.verify

    def counting(self: Any, password: str, encoded: str) -> bool:
        hashed.append(password)
        return original(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counting)
    for password in ("wrong", PASSWORD):
        assert _login(attacker, "regulator", password).status_code == 429
    assert hashed == []


def test_a_correct_sign_in_clears_the_pairs_failures(
    regulator: Any, limits: Any, slept: list[float]
) -> None:
    user = _client("203.0.113.7")
    for _ in range(4):
        _login(user, "regulator", "typo")
    assert _login(user, "regulator", PASSWORD).status_code == 302
    user.logout()
    for _ in range(4):
        assert _login(user, "regulator", "typo").status_code == 200
    assert _login(user, "regulator", PASSWORD).status_code == 302


def test_failures_from_many_clients_only_slow_the_account_down(
    regulator: Any, limits: Any, slept: list[float]
) -> None:
    for i in range(8):  # 8 clients, one failure each: nobody is locked, the account is counted
        assert _login(_client(f"203.0.113.{i + 1}"), "regulator", "wrong").status_code == 200
    assert slept == []
    assert _login(_client("203.0.113.99"), "regulator", "wrong").status_code == 200
    assert slept == [0.25]
    for i in range(20):
        _login(_client(f"192.0.2.{i + 1}"), "regulator", "wrong")
    assert max(slept) == 2.0  # capped
    # The regulator, from a clean client, still signs in (after the capped delay).
    response = _login(_client("198.51.100.20"), "regulator", PASSWORD)
    assert response.status_code == 302 and slept[-1] == 2.0
    assert not AuditEvent.objects.filter(action="accounts.login_locked").exists()


def test_the_admin_sign_in_is_throttled_too(
    admin_user: Any, limits: Any, slept: list[float]
) -> None:
    attacker = _client("203.0.113.7")
    url = reverse("admin:login")
    for _ in range(5):
        attacker.post(url, {"username": "admin", "password": "wrong"})
    response = attacker.post(url, {"username": "admin", "password": PASSWORD})
    assert LOCKED in response.content.decode() and "_auth_user_id" not in attacker.session


def test_behind_the_documented_proxy_the_client_is_the_forwarded_address(
    regulator: Any, limits: Any, slept: list[float]
) -> None:
    limits.TRUSTED_PROXY_COUNT = 1  # what GETELEC_BEHIND_TLS_PROXY=1 sets
    proxy = "10.0.0.2"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(5):
        _login(attacker, "regulator", "wrong")
    assert _login(attacker, "regulator", PASSWORD).status_code == 429
    # A forged left-most entry does not escape: the proxy appended the real address.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert _login(forged, "regulator", PASSWORD).status_code == 429
    # Another client behind the same proxy is not locked out.
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert _login(other, "regulator", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "1.2.3.4", "203.0.113.7"),  # no proxy: the header is ignored
        (1, "10.0.0.2", "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (2, "10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, "10.0.0.2", "", "10.0.0.2"),  # no header: the peer
        (1, "10.0.0.2", "not-an-ip", "10.0.0.2"),
        (0, "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::/64"),  # IPv6 per /64
        (0, "::ffff:203.0.113.7", "", "203.0.113.7"),
        (0, "", "", "unknown"),
    ],
)
def test_client_ip(
    rf: Any, settings: Any, count: int, remote: str, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_ip(request) == expected


def test_the_proxy_setting_follows_the_documented_variable(monkeypatch: Any) -> None:
    import importlib

    from getelec import settings as module

    monkeypatch.setenv("GETELEC_BEHIND_TLS_PROXY", "1")
    monkeypatch.delenv("GETELEC_TRUSTED_PROXY_COUNT", raising=False)
    try:
        assert importlib.reload(module).TRUSTED_PROXY_COUNT == 1
        monkeypatch.setenv("GETELEC_BEHIND_TLS_PROXY", "0")
        assert importlib.reload(module).TRUSTED_PROXY_COUNT == 0
    finally:
        monkeypatch.undo()
        importlib.reload(module)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers: the in-memory SQLite test database locks tables instead of waiting",
)
def test_counters_are_shared_and_exact_under_concurrency(db: Any) -> None:
    """Counted in the database, not per process: concurrent hits are never lost."""
    rule = throttle.Rule("test", 10, 600)
    workers, per_worker = 4, 25
    barrier = threading.Barrier(workers)
    counts: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            mine = [throttle.hit(rule, "k").count for _ in range(per_worker)]
        finally:
            connection.close()
        with lock:
            counts.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(counts) == list(range(1, workers * per_worker + 1))
    assert throttle.state(rule, "k").count == workers * per_worker


def test_the_lock_message_is_translated(regulator: Any, limits: Any, slept: list[float]) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        _login(attacker, "regulator", "wrong")
    html = _login(attacker, "regulator", PASSWORD).content.decode()
    assert "Too many failed sign-ins; try again in 15 minutes." in html
