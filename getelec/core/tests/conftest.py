"""Shared fixtures of the pure-core tests (no database)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from getelec.core.policy import DEFAULT_POLICY_DIR, Policy, load_policy

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "policy"


def copy_shipped_base(target: Path) -> None:
    """Copy the shipped base policy files (not its regions) into `target`."""
    for path in DEFAULT_POLICY_DIR.glob("*.yaml"):
        shutil.copy(path, target / path.name)


@pytest.fixture(scope="session")
def regional_policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    """The shipped base plus the fixture overrides of 640000, 640100 (银川市) and 640104."""
    directory = tmp_path_factory.mktemp("policy")
    copy_shipped_base(directory)
    shutil.copytree(FIXTURES / "regional" / "regions", directory / "regions")
    return load_policy(directory)
