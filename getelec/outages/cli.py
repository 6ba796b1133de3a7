"""`getelec outages refresh` and `getelec outages registry import` (the supply-quality desk).

getelec outages refresh [--year Y] [--as-of D] [--data-dir DIR] [--quiet]
    cron-friendly daily job: runs the analytics engine on the registry and the data folder and
    updates the problem ledger; idempotent (a second run changes nothing). Exit 2 on bad input,
    3 when another refresh is running (one at a time; --wait SECONDS waits for it).
getelec outages registry import FILE.csv|FILE.parquet [--allow-deletions N] [--replace] [--dry-run]
    imports the grid registry (atomic, idempotent); exit 2 with file/row/column on bad input.
    Meters missing from the file are kept and reported unless deletions are allowed
    (getelec.core.deletions); removed meters are retired, not deleted.

Wired into getelec/cli/outages.py by `register_refresh(actions)` (the `outages` sub-parsers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from getelec.core.deletions import DeletionGuard
from getelec.core.deletions import add_arguments as add_deletion_arguments
from getelec.kernel.errors import EXIT_BAD_INPUT, EXIT_BUSY, ServiceError
from getelec.kernel.setup import django_setup


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register_refresh(actions: argparse._SubParsersAction) -> None:
    refresh = actions.add_parser(
        "refresh",
        help="daily job: update the frequent-outage problem ledger (idempotent)",
        description="Run the engine on the grid registry (database) and the events in the data "
        "folder (GETELEC_OUTAGE_DATA_DIR/<year>/events*.csv|parquet, causes*), then update the "
        "problem ledger, early warnings and reliability figures. Default as-of: yesterday. "
        "One run at a time: while another runs, exit 3 (or wait with --wait).",
    )
    refresh.add_argument("--year", type=int)
    refresh.add_argument("--as-of", type=_date, help="last day of the period (default yesterday)")
    refresh.add_argument("--data-dir", help="data folder (default settings/env)")
    refresh.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    refresh.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for a running refresh to finish (default: exit 3 at once)",
    )
    refresh.add_argument("--quiet", action="store_true", help="print nothing on success")
    refresh.set_defaults(handler=run_refresh)

    registry = actions.add_parser("registry", help="grid registry (feeders, 台区, meters)")
    registry.set_defaults(handler=lambda args: registry.print_help() or EXIT_BAD_INPUT)
    reg_actions = registry.add_subparsers(dest="registry_action", metavar="ACTION")
    imp = reg_actions.add_parser(
        "import",
        help="import the registry from CSV or Parquet (atomic, idempotent)",
        description="Columns: meter_id, district_id, feeder_id, region, area; optional "
        "feeder_name, district_name, served_area, meter_address, remote. Meters missing from "
        "the file are kept and reported unless --allow-deletions N (at most N, and at most "
        "GETELEC_REGISTRY_MAX_DELETE_SHARE of the active meters) or --replace is given; a "
        "removed meter is retired (its notices and history stay). A file without rows is "
        "refused. Exit 2 on bad input or too many removals (nothing changed).",
    )
    imp.add_argument("file")
    add_deletion_arguments(imp, "meters")
    imp.set_defaults(handler=run_registry_import)


def run_refresh(args: argparse.Namespace) -> int:
    django_setup()
    from getelec.analytics.inputs import InputError
    from getelec.core.policy import PolicyError, PolicyValueMissing
    from getelec.outages.services import refresh
    from getelec.runlock import RunLockBusy

    try:
        summary = refresh(
            args.year,
            args.as_of,
            data_dir=Path(args.data_dir) if args.data_dir else None,
            engine=args.engine,
            wait=max(args.wait, 0),
        )
    except RunLockBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except (InputError, ServiceError, PolicyError, PolicyValueMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not args.quiet:
        print(json.dumps(summary.as_dict(), ensure_ascii=False))
    return 0


def run_registry_import(args: argparse.Namespace) -> int:
    django_setup()
    from getelec.analytics.inputs import InputError
    from getelec.outages.registry import import_registry, max_delete_share

    try:
        guard = DeletionGuard.from_args(args, max_share=max_delete_share())
        summary = import_registry(args.file, guard=guard, dry_run=args.dry_run)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if summary.missing_meters:
        print(
            f"warning: {summary.missing_meters} active meters are missing from the file and were "
            f"kept (first: {', '.join(summary.missing_sample)}); pass --allow-deletions N to "
            "retire them",
            file=sys.stderr,
        )
    print(json.dumps(summary.as_dict(), ensure_ascii=False))
    return 0
