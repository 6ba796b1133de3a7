"""`getelec`: one console command for everything a script or cron needs.

Each subcommand lives in its own module with `register(subparsers)`; commands that need the
database call `getelec.cli.django_setup()` first, so pure commands (assess, outages analyze) run on
a fresh checkout with no database.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

EXIT_BAD_INPUT = 2
# Exit 3: the command changed nothing and says why — another run of a one-at-a-time job holds
# its lock, or a change needs confirming (--confirm).
EXIT_BUSY = 3
EXIT_NOT_CONFIRMED = 3


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "getelec.settings")
    import django

    django.setup()


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
