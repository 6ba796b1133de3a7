"""`getelec`: one console command for everything a script or cron needs.

Each subcommand lives in its own module with `register(subparsers)`; commands that need the
database call `django_setup()` (getelec.kernel.setup) first, so pure commands (assess, outages
analyze) run on a fresh checkout with no database. Exit codes: getelec.kernel.errors. A command
run on a database that is not migrated says in one line what to run (exit 1), never a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from getelec.kernel.errors import (  # noqa: F401 (re-exported: every command's exit codes)
    EXIT_BAD_INPUT,
    EXIT_BUSY,
    EXIT_NOT_CONFIRMED,
)
from getelec.kernel.setup import django_setup  # noqa: F401 (re-exported)

EXIT_NO_DATABASE = 1
NO_DATABASE_MESSAGE = (
    "error: the database is not set up (数据库尚未初始化): run `getelec manage migrate` first "
    "(or `getelec demo` for the demo data)"
)
# What SQLite and PostgreSQL say when a table or column of the schema is missing.
_MISSING_SCHEMA = re.compile(r"no such (table|column)|(relation|column) .* does not exist")


def _schema_missing(exc: BaseException) -> bool:
    """True for the database error of a query on a schema that has not been migrated (the
    exception or one it was raised from)."""
    if "django.db" not in sys.modules:
        return False
    from django.db import OperationalError, ProgrammingError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (OperationalError, ProgrammingError)) and _MISSING_SCHEMA.search(
            str(seen)
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def build_parser() -> argparse.ArgumentParser:
    from getelec import __version__
    from getelec.cli import accounts, assess, calendar, outages, supervision, web

    parser = argparse.ArgumentParser(
        prog="getelec",
        description="获得电力 platform: web server, demo data, rules calculator, calendar, "
        "outage analytics.",
    )
    parser.add_argument("--version", action="version", version=f"getelec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (web, assess, calendar, outages, supervision, accounts):
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
    except Exception as exc:
        if not _schema_missing(exc):
            raise
        print(NO_DATABASE_MESSAGE, file=sys.stderr)
        return EXIT_NO_DATABASE


if __name__ == "__main__":
    sys.exit(main())
