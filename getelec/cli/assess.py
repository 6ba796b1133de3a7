"""`getelec assess`: the rules calculator (JSON in, JSON out)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from getelec.kernel.errors import EXIT_BAD_INPUT


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "assess",
        help="assess one application (三零 eligibility, category, limit, due date)",
        description="Read one application as JSON (FILE or stdin) and print the assessment as "
        "JSON: category, three_zero {eligible, reasons}, informed_consent_required, "
        "time_limit_working_days, due_on, stages. Bad input: exit code 2 and a one-line error "
        "naming the field.",
    )
    parser.add_argument("file", nargs="?", help="JSON file (default: standard input)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from getelec.kernel.setup import django_setup

    django_setup()  # only to read years imported into the database, when there is one
    from getelec.connection.calculator import assess_json
    from getelec.core.assess import AssessError
    from getelec.core.workdays import CalendarDataError

    try:
        raw = Path(args.file).read_text(encoding="utf-8") if args.file else sys.stdin.read()
    except OSError as exc:
        print(f"error: {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        data = json.loads(raw)  # NaN/Infinity reach validation, which names the field
    except (json.JSONDecodeError, ValueError) as exc:
        print(f"error: input: not valid JSON ({exc})", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = assess_json(data)
    except (AssessError, CalendarDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
