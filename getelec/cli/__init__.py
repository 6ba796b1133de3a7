"""`getelec`: one console command for everything a script or cron needs.

Each subcommand lives in its own module with `register(subparsers)`; commands that need the
database call `django_setup()` (getelec.kernel.setup) first, so pure commands (assess, outages
analyze) run on a fresh checkout with no database. Exit codes: getelec.kernel.errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from getelec.kernel.errors import (  # noqa: F401 (re-exported: every command's exit codes)
    EXIT_BAD_INPUT,
    EXIT_BUSY,
    EXIT_NOT_CONFIRMED,
)
from getelec.kernel.setup import django_setup  # noqa: F401 (re-exported)


def build_parser() -> argparse.ArgumentParser:
    from getelec import __version__
    from getelec.cli import assess, calendar, outages, supervision, web

    parser = argparse.ArgumentParser(
        prog="getelec",
        description="获得电力 platform: web server, demo data, rules calculator, calendar, "
        "outage analytics.",
    )
    parser.add_argument("--version", action="version", version=f"getelec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (web, assess, calendar, outages, supervision):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
