"""The deletion guard of imports that list "everything" (no database)."""

from __future__ import annotations

import argparse

import pytest

from getelec.core.deletions import DeletionGuard, DeletionRefused, add_arguments, parse_share


@pytest.mark.parametrize(
    ("guard", "missing", "existing", "delete"),
    [
        (DeletionGuard(), 0, 100, False),  # nothing missing
        (DeletionGuard(), 40, 100, False),  # no flag: kept and reported, whatever the number
        (DeletionGuard(allow=5, max_share=0.05), 5, 100, True),  # at both limits
        (DeletionGuard(allow=10, max_share=0.5), 3, 10, True),
        (DeletionGuard(allow=0), 0, 100, False),
        (DeletionGuard(replace=True), 99, 100, True),  # the file is the complete list
        (DeletionGuard(allow=1, replace=True), 99, 100, True),  # --replace lifts both caps
    ],
)
def test_the_guard_deletes_only_what_the_flags_allow(
    guard: DeletionGuard, missing: int, existing: int, delete: bool
) -> None:
    assert guard.check(missing=missing, existing=existing, incoming=existing - missing) is delete


@pytest.mark.parametrize(
    ("guard", "missing", "existing", "message"),
    [
        (DeletionGuard(allow=0), 1, 100, "more than --allow-deletions 0"),
        (DeletionGuard(allow=5, max_share=0.5), 6, 100, "more than --allow-deletions 5"),
        (DeletionGuard(allow=100, max_share=0.05), 6, 100, r"configured share \(5%, at most 5\)"),
        (DeletionGuard(allow=100, max_share=0.05), 1, 8, r"at most 0\)"),
    ],
)
def test_the_guard_refuses_more_deletions_than_allowed(
    guard: DeletionGuard, missing: int, existing: int, message: str
) -> None:
    with pytest.raises(DeletionRefused, match=message):
        guard.check(missing=missing, existing=existing, incoming=existing - missing, what="rows")


@pytest.mark.parametrize("guard", [DeletionGuard(), DeletionGuard(replace=True)])
def test_a_file_without_rows_is_always_refused(guard: DeletionGuard) -> None:
    with pytest.raises(DeletionRefused, match="no meters"):
        guard.check(missing=750, existing=750, incoming=0, what="meters")


def test_the_flags_are_the_same_for_every_import() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser, "days")
    args = parser.parse_args(["--allow-deletions", "3", "--dry-run"])
    assert DeletionGuard.from_args(args, 0.1) == DeletionGuard(allow=3, max_share=0.1)
    assert args.dry_run and not args.replace
    assert DeletionGuard.from_args(parser.parse_args([]), 0.1).allow is None
    with pytest.raises(SystemExit):
        parser.parse_args(["--allow-deletions", "-1"])


@pytest.mark.parametrize("raw", ["", "x", "-0.1", "1.5", "nan"])
def test_a_share_outside_0_to_1_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_share(raw, "GETELEC_REGISTRY_MAX_DELETE_SHARE")
    with pytest.raises(ValueError):
        DeletionGuard(max_share=float(raw) if raw not in ("", "x") else -1.0)


def test_a_share_in_range_is_read() -> None:
    assert parse_share("0.05") == 0.05 and parse_share(1) == 1.0
