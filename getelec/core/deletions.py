"""The deletion guard every import that can delete rows uses (registry, calendar, ...).

A file that lists "everything" (the meter registry, a year's calendar) deletes by omission: what
is in the database but not in the file goes. A truncated or wrong file must never do that by
accident, so:

- without `--allow-deletions N` an import deletes nothing: rows missing from the file are kept
  and reported;
- with it, at most N rows and at most `max_share` of the existing rows (an operational setting
  of each import) may go, else the import stops and changes nothing;
- `--replace` says the file is the complete new state: every missing row goes, no cap;
- a file with no rows at all is always refused (it would only ever delete).

Pure Python (no Django): the importer counts, the guard decides, the importer applies.

    guard = DeletionGuard.from_args(args, max_share=settings.REGISTRY_MAX_DELETE_SHARE)
    delete = guard.check(missing=len(gone), existing=n_current, incoming=n_rows, what="meters")
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass


class DeletionRefused(ValueError):
    """The file would delete more than allowed; nothing was changed."""


def parse_share(raw: str | float, name: str = "max_share") -> float:
    """A share in [0, 1] (settings and flags): raise ValueError naming `name` otherwise."""
    try:
        share = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number between 0 and 1, got {raw!r}") from None
    if not (0.0 <= share <= 1.0) or math.isnan(share):
        raise ValueError(f"{name} must be a number between 0 and 1, got {raw!r}")
    return share


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return n


def add_arguments(parser: argparse.ArgumentParser, what: str = "rows") -> None:
    """The guard's flags, the same for every import: --allow-deletions N, --replace, --dry-run."""
    parser.add_argument(
        "--allow-deletions",
        type=_count,
        metavar="N",
        help=f"remove {what} missing from the file, at most N and at most the configured share "
        f"of the existing {what}; without it missing {what} are kept and reported "
        "(0: stop if any is missing)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help=f"the file is the complete list: remove all {what} missing from it, no cap",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would change and write nothing"
    )


@dataclass(frozen=True)
class DeletionGuard:
    """How many missing rows an import may delete (see the module docstring)."""

    allow: int | None = None  # --allow-deletions N; None: delete nothing, report
    replace: bool = False  # --replace: the file is the complete state
    max_share: float = 0.05  # of the existing rows, with --allow-deletions

    def __post_init__(self) -> None:
        if self.allow is not None and self.allow < 0:
            raise ValueError("allow must be 0 or more")
        parse_share(self.max_share)

    @classmethod
    def from_args(cls, args: argparse.Namespace, max_share: float) -> DeletionGuard:
        return cls(
            allow=getattr(args, "allow_deletions", None),
            replace=bool(getattr(args, "replace", False)),
            max_share=max_share,
        )

    def check(self, *, missing: int, existing: int, incoming: int, what: str = "rows") -> bool:
        """True: delete the `missing` rows; False: keep them (report them).

        `existing`: rows in the database now (the base of the share), `incoming`: rows in the
        file. Raises DeletionRefused when the file would delete more than allowed."""
        if incoming == 0:
            raise DeletionRefused(f"the file has no {what}: refusing to remove all {existing}")
        if missing == 0:
            return False
        if self.replace:
            return True
        if self.allow is None:
            return False
        if missing > self.allow:
            raise DeletionRefused(
                f"{missing} {what} are missing from the file, more than --allow-deletions "
                f"{self.allow}; nothing was changed (check the file, raise the limit, or pass "
                "--replace if the file is the complete list)"
            )
        cap = math.floor(self.max_share * existing)
        if missing > cap:
            raise DeletionRefused(
                f"{missing} of {existing} {what} are missing from the file, more than the "
                f"configured share ({self.max_share:.0%}, at most {cap}); nothing was changed "
                "(pass --replace if the file is the complete list)"
            )
        return True
