"""The engine's thresholds come from cited policy data."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from getelec.analytics.params import POLICY_NAMES, default_params, params_from_policy
from getelec.core.parameters import PARAMETERS

pytestmark = pytest.mark.pure


def test_policy_file_gives_the_national_practice_defaults():
    params = params_from_policy(dt.date(2026, 6, 30))
    assert params == default_params()
    cited = {c["parameter"]: c for c in params.citations}
    assert set(cited) == set(POLICY_NAMES)
    assert cited["outage_year_max_count"]["clause"] == "L28"
    assert cited["outage_excluded_causes"]["clause"] == "L28"
    assert all(c["clause"] != "PRACTICE" or c.get("source") for c in cited.values())


def test_every_outage_parameter_is_registered():
    assert set(POLICY_NAMES) <= set(PARAMETERS)


@pytest.mark.parametrize(
    "module", ["pipeline.py", "counting_sql.py", "index_sql.py", "codes.py", "incremental.py"]
)
def test_no_threshold_literals_in_the_pipeline(module):
    """Numbers in the SQL builders are units (86400 s, packing widths), never thresholds."""
    source = Path(__file__).resolve().parent.parent / module
    allowed = {0, 1, 2, 3, 4, 8, 9, 12, 60, 3600, 86400}  # days, seconds, 2-bit codes, …
    allowed |= {36028797018963968, 1073741823, 33554432}  # packing widths (cause order)
    tree = ast.parse(source.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    numbers: set[float] = set()
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            numbers |= {float(x) for x in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", node.value)}
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            numbers.add(float(node.value))
    assert numbers <= {float(x) for x in allowed}, numbers - {float(x) for x in allowed}
