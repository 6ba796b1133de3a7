"""The demo fills every page: entries in every ledger state, planned outages, repair tickets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_puts_entries_in_every_ledger_state(
    tmp_path: Path, settings: Any, frozen: Any
) -> None:
    from getelec.demo.accounts import ensure_accounts
    from getelec.demo.outages import load_demo
    from getelec.demo.reference import load_reference

    settings.OUTAGE_DATA_DIR = str(tmp_path)
    load_reference()
    ensure_accounts()
    result = load_demo()
    assert all(n > 0 for n in result["entries"].values()), str(result["entries"])
    assert result["planned"] > 0 and result["repairs"] > 0
    again = load_demo()
    assert again == result
