"""getelec.runlock: which processes share a lock on SQLite (a file lock beside the database)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from getelec import runlock


@pytest.mark.parametrize(
    ("name", "shared"),
    [
        ("/srv/getelec/var/db.sqlite3", True),  # one file: every process on the host
        ("file:memorydb_default?mode=memory&cache=shared", False),  # the test database
        (":memory:", False),
    ],
)
def test_processes_share_a_lock_only_when_they_share_the_database(
    monkeypatch: Any, name: str, shared: bool
) -> None:
    monkeypatch.setitem(connection.settings_dict, "NAME", name)
    monkeypatch.setattr(runlock.os, "getpid", lambda: 1001)
    first = runlock._lock_file("outages-refresh")
    monkeypatch.setattr(runlock.os, "getpid", lambda: 1002)
    second = runlock._lock_file("outages-refresh")
    assert (first == second) is shared


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the file lock is SQLite's")
def test_a_held_lock_is_busy_for_another_holder_and_free_after() -> None:
    with (
        runlock.run_lock("runlock-test"),
        pytest.raises(runlock.RunLockBusy),
        runlock.run_lock("runlock-test", wait=0.3),
    ):
        pass
    with runlock.run_lock("runlock-test"):
        pass
