"""A named lock held for the length of a job (`getelec outages refresh`, imports), across
processes and hosts that share the database.

PostgreSQL: a session-level advisory lock on the default connection. SQLite (one host): an
exclusive `flock` on a file beside the database. Both are released by the operating system or
the server when the process dies, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.db import connection


class RunLockBusy(Exception):
    """Another process holds the lock."""

    def __init__(self, name: str):
        super().__init__(f"another '{name}' run is in progress; try again when it has finished")
        self.name = name


def _lock_file(name: str) -> Path:
    db = str(connection.settings_dict.get("NAME") or "")
    if db in ("", ":memory:") or "mode=memory" in db:  # a database no other process can open
        db = f"{db}\0pid {os.getpid()}"
    digest = hashlib.sha256(f"{db}\0{name}".encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "getelec-locks"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"{name}-{digest}.lock"


@contextlib.contextmanager
def _postgres_lock(name: str, wait: float) -> Iterator[None]:
    deadline = time.monotonic() + wait
    with connection.cursor() as cur:
        while True:
            cur.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [name])
            if cur.fetchone()[0]:
                break
            if time.monotonic() >= deadline:
                raise RunLockBusy(name)
            time.sleep(0.2)
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [name])


@contextlib.contextmanager
def _file_lock(name: str, wait: float) -> Iterator[None]:
    deadline = time.monotonic() + wait
    fd = os.open(_lock_file(name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RunLockBusy(name) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def run_lock(name: str, *, wait: float = 0) -> Iterator[None]:
    """Hold lock `name` for the block; wait up to `wait` seconds for it, then raise
    RunLockBusy."""
    lock = _postgres_lock if connection.vendor == "postgresql" else _file_lock
    with lock(name, wait):
        yield


def lock_in_transaction(name: str) -> None:
    """Serialise the current transaction with every other one that locks `name` (e.g. a check
    over rows that a concurrent transaction could insert). Held until commit or rollback.

    PostgreSQL: a transaction-level advisory lock. SQLite: the settings open every transaction
    IMMEDIATE (one writer at a time), which serialises them already."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_in_transaction needs a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])
