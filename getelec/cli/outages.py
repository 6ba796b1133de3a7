"""`getelec outages analyze|synth`: frequent-outage analytics over smart-meter events (L28).

Pure command: no database. Bad input exits with code 2 and a message naming file, row and
column; nothing is written to --out then (outputs go to a temporary folder that is renamed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from getelec.kernel.errors import EXIT_BAD_INPUT

STEPS = (
    "reading",
    "pairing",
    "causes",
    "districts",
    "feeders",
    "counting",
    "indices",
    "writing",
)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "outages",
        help="outage analytics over smart-meter events (frequent outages, warnings, indices)",
        description="Frequent-outage detection (L28), early warning and reliability indices "
        "from smart-meter power-off/restore events. See docs/outages.md.",
    )
    parser.set_defaults(handler=lambda args: parser.print_help() or EXIT_BAD_INPUT)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    analyze = actions.add_parser(
        "analyze",
        help="analyse a calendar year to date",
        description="Write meters/districts/feeders.parquet, interruptions.parquet (a folder: "
        "one file per month), indices.json, quality.json and parameters.json to --out. Inputs "
        "are CSV or Parquet (by extension); "
        "times are local Asia/Shanghai 'YYYY-MM-DD HH:MM:SS'. Exit code 2 on bad input.",
    )
    analyze.add_argument("--meters", required=True, help="meter registry (CSV or Parquet)")
    analyze.add_argument("--events", required=True, help="off/on events (CSV or Parquet)")
    analyze.add_argument("--causes", help="outage work orders (CSV or Parquet), optional")
    analyze.add_argument("--year", type=int, required=True)
    analyze.add_argument("--as-of", type=_date, required=True, help="last day of the period")
    analyze.add_argument("--out", required=True, help="output folder (replaced atomically)")
    analyze.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    analyze.add_argument(
        "--spark-master",
        help="Spark master URL (default local[*]; sc://host:port for Spark Connect)",
    )
    analyze.add_argument(
        "--since",
        type=_date,
        help="incremental: --events holds only the events from this day on, and --out holds "
        "the analysis up to the day before (see docs/outages.md)",
    )
    analyze.add_argument(
        "--keep-state",
        action="store_true",
        help="also keep the intermediate state in OUT/.state (about 1 GB for 4 M meters) "
        "so that a later --since run can continue; --since runs always keep it",
    )
    analyze.add_argument("--region", help="admin code whose policy overrides apply")
    analyze.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    analyze.set_defaults(handler=run_analyze)

    synth = actions.add_parser(
        "synth",
        help="write a synthetic province-year of inputs",
        description="Deterministic synthetic meters.*, events.* and causes.* for tests and "
        "benchmarks (default 4,000,000 meters ≈ 22 M event rows).",
    )
    synth.add_argument("--meters", type=int, default=4_000_000)
    synth.add_argument("--year", type=int, required=True)
    synth.add_argument("--out", required=True)
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    synth.add_argument(
        "--split",
        type=_date,
        help="also write events-before.<fmt> (before this day), events-since.<fmt> (this "
        "day on) and events-day.<fmt> (this day only), for incremental runs",
    )
    synth.add_argument("--quiet", action="store_true")
    synth.set_defaults(handler=run_synth)

    # The supply-quality desk's daily job and registry import (need the database).
    from getelec.outages.cli import register_refresh

    register_refresh(actions)


class _Progress:
    def __init__(self, quiet: bool):
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=len(STEPS), unit="step", file=sys.stderr, leave=False)

    def __call__(self, step: str) -> None:
        if self.bar is not None:
            self.bar.set_description(step)
            if step in STEPS:
                self.bar.n = STEPS.index(step) + 1
                self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_analyze(args: argparse.Namespace) -> int:
    from getelec.analytics.incremental import StateError
    from getelec.analytics.inputs import InputError
    from getelec.analytics.service import analyze_to_folder
    from getelec.core.policy import PolicyError, PolicyValueMissing

    started = time.perf_counter()
    progress = _Progress(args.quiet)
    try:
        summary = analyze_to_folder(
            meters=args.meters,
            events=args.events,
            causes=args.causes,
            year=args.year,
            as_of=args.as_of,
            out=args.out,
            engine=args.engine,
            spark_master=args.spark_master,
            since=args.since,
            keep_state=args.keep_state or args.since is not None,
            region=args.region,
            progress=progress,
        )
    except (InputError, StateError, PolicyError, PolicyValueMissing) as exc:
        progress.close()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress.close()
    if not args.quiet:
        took = time.perf_counter() - started
        print(
            f"{summary['out']}: {summary['meters']} meters with interruptions "
            f"({summary['frequent_meters']} frequent), {summary['districts']} districts "
            f"({summary['frequent_districts']} frequent), {summary['problem_lines']} problem "
            f"lines; {took:.1f} s"
        )
    return 0


def run_synth(args: argparse.Namespace) -> int:
    from getelec.analytics.synth import SynthConfig, generate, split_events, write

    if args.meters < 1:
        print("error: --meters must be at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    tables = generate(SynthConfig(meters=args.meters, year=args.year, seed=args.seed))
    paths = write(tables, args.out, args.format)
    if args.split:
        before, since, one_day = split_events(tables["events"], args.split)
        write(
            {"events-before": before, "events-since": since, "events-day": one_day},
            args.out,
            args.format,
        )
    if not args.quiet:
        rows = ", ".join(f"{name} {tables[name].num_rows:,}" for name in paths)
        print(f"{Path(args.out)}: {rows}")
    return 0
