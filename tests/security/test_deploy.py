"""`manage.py check --deploy` is clean in the production configuration docs/security.md
documents (a subprocess: settings are read from the environment at start-up)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GETELEC_")}
    env.update(
        {
            "GETELEC_DEBUG": "0",
            "GETELEC_SECRET_KEY": secrets.token_urlsafe(50),
            "GETELEC_ALLOWED_HOSTS": "getelec.example.gov.cn",
            "GETELEC_BEHIND_TLS_PROXY": "1",
            "GETELEC_SSL_REDIRECT": "1",
            "GETELEC_HSTS_SECONDS": "31536000",
            "GETELEC_HSTS_INCLUDE_SUBDOMAINS": "1",
            "GETELEC_HSTS_PRELOAD": "1",
            "GETELEC_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    return env


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_the_documented_production_configuration(tmp_path: Path) -> None:
    documented = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    env = _production_env(tmp_path)
    for name in env:
        if name.startswith("GETELEC_") and name != "GETELEC_VAR_DIR":
            assert name in documented, f"{name} is not in the documented configuration"
    result = _check(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_hsts(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    env["GETELEC_HSTS_SECONDS"] = "0"
    result = _check(env)
    assert result.returncode != 0 and "security.W004" in result.stdout + result.stderr
