"""`getelec calendar ...`: the official working-day calendar.

Subcommands: import, list, show, export, check, add.

Shipped years come from the `chinese-calendar` package; later years are imported into the database
(`import`, or the admin site). Read-only subcommands work on a fresh checkout with no database: they
then see the shipped years only. Bad input exits with code 2 and one line naming the file and field;
replacing a year in force without --confirm prints the impact and exits with code 3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from getelec.kernel.errors import EXIT_BAD_INPUT, EXIT_NOT_CONFIRMED

_WEEKDAYS = "一二三四五六日"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "calendar",
        help="official working-day calendar: import, list, show, export, check, add",
        description="The official PRC working-day calendar (statutory holidays and weekend "
        "make-up working days, 调休). Years up to the shipped package's last year are built in; "
        "an administrator imports each new year when the State Council publishes it. A date in "
        "a year that is not loaded is an error naming the year, never a weekends-only guess.",
    )
    parser.set_defaults(handler=lambda args: parser.print_help() or EXIT_BAD_INPUT)
    commands = parser.add_subparsers(dest="calendar_command", metavar="SUBCOMMAND")
    _add_import(commands)
    _add_year_commands(commands)
    _add_day_commands(commands)


def _add_import(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "import",
        help="import one year's official schedule from a JSON file",
        description='Import FILE, UTF-8 JSON {"year": 2027, "holidays": ["2027-01-01", ...], '
        '"workdays": ["2027-02-06", ...]}: "holidays" are the days off of statutory holidays, '
        '"workdays" the make-up working days that fall on a weekend; each field once. Deadlines '
        "pending on a loaded year are computed in the same transaction and the import is "
        "audited. Importing the same schedule again stores nothing and says so (it still "
        "computes any deadline left pending). A year already in force (shipped or imported) "
        "with different days is replaced only with --confirm: without it the command prints "
        "the days that change and the due dates of open applications that would move, and "
        "changes nothing; with it every open application touching the year is recomputed and "
        "each moved date audited with old and new. Needs a migrated database. Exit codes: "
        "0 imported or unchanged, 1 no database, 2 invalid file, 3 replacement not confirmed.",
    )
    p.add_argument("file", help="JSON file with the year's schedule")
    p.add_argument(
        "--confirm",
        action="store_true",
        help="replace a year already in force with different days (run without it first to "
        "see what would move)",
    )
    p.set_defaults(handler=run_import)


def _add_year_commands(commands: argparse._SubParsersAction) -> None:
    """list, show, export: the years loaded and one year's days."""
    p = commands.add_parser(
        "list",
        help="list the years loaded and where each comes from",
        description="List every year the working-day clock knows, with its source: the shipped "
        "package or an import into the database (an imported year overrides a shipped one).",
    )
    p.set_defaults(handler=run_list)

    p = commands.add_parser(
        "show",
        help="show a year's holidays and make-up working days",
        description="Show YEAR's holidays (days off) and make-up working days, and its number "
        "of working days. Exit code 2 when the year is not loaded.",
    )
    p.add_argument("year", type=_year, help="e.g. 2026")
    p.set_defaults(handler=run_show)

    p = commands.add_parser(
        "export",
        help="print a year's schedule as JSON in the import format",
        description="Print YEAR's schedule as JSON in the format `getelec calendar import` reads.",
    )
    p.add_argument("year", type=_year, help="e.g. 2026")
    p.set_defaults(handler=run_export)


def _add_day_commands(commands: argparse._SubParsersAction) -> None:
    """check, add: one date on the calendar."""
    p = commands.add_parser(
        "check",
        help="is DATE a working day?",
        description="Say whether DATE (YYYY-MM-DD) is a working day, and why (weekday, weekend, "
        "statutory holiday, make-up working day). Exit code 0 either way, 2 on bad input or a "
        "year not loaded.",
    )
    p.add_argument("date", type=_date, help="YYYY-MM-DD")
    p.set_defaults(handler=run_check)

    p = commands.add_parser(
        "add",
        help="the Nth working day after DATE (DATE itself never counts)",
        description="Print the end of the Nth working day after DATE: the counting rule of the "
        "platform (PRC Civil Code art. 201): the starting day does not count, whether or not it "
        "is a working day. Example: `getelec calendar add 2026-09-30 5` prints 2026-10-13.",
    )
    p.add_argument("date", type=_date, help="YYYY-MM-DD (e.g. the application date)")
    p.add_argument("n", type=_count, help="number of working days (>= 0)")
    p.set_defaults(handler=run_add)


def _year(raw: str) -> int:
    try:
        year = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a year such as 2027, got {raw!r}") from None
    if not 1949 <= year <= 2200:
        raise argparse.ArgumentTypeError(f"expected a year such as 2027, got {raw!r}")
    return year


def _date(raw: str) -> dt.date:
    try:
        if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {raw!r}") from None


def _count(raw: str) -> int:
    try:
        n = int(raw)
    except ValueError:
        n = -1
    if n < 0 or n > 10_000:
        raise argparse.ArgumentTypeError(f"expected a whole number 0–10000, got {raw!r}")
    return n


def _error(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _calendar_and_imported() -> tuple[Any, dict[int, Any]]:
    """The calendar in force and the rows imported into the database (empty without one)."""
    from getelec.kernel.setup import django_setup

    django_setup()
    from django.db import DatabaseError

    from getelec.workcalendar import source

    calendar = source.load_calendar()
    imported: dict[int, Any] = {}
    if not source._database_absent():
        from getelec.workcalendar.models import CalendarYear

        try:
            imported = {row.year: row for row in CalendarYear.objects.all()}
        except DatabaseError:
            imported = {}
    return calendar, imported


def _source_label(year: int, imported: dict[int, Any]) -> str:
    from getelec.core.workdays import shipped_calendar

    if year in imported:
        row = imported[year]
        when = row.imported_at.date().isoformat() if row.imported_at else ""
        label = f"imported {when}".strip()
        return f"{label} ({row.source})" if row.source else label
    return f"shipped ({shipped_calendar().schedule(year).source or 'package'})"


def _actor() -> str:
    """Who imported, for the audit row: the command and the operating-system user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"getelec calendar import ({user})"


_SHOWN_MOVES = 20


def _applications(n: int, kind: str = "") -> str:
    return f"{n} {kind}application{'' if n == 1 else 's'}"


def _days(days: tuple[dt.date, ...]) -> str:
    return ", ".join(d.isoformat() for d in days) if days else "none"


def _print_replacement(replacement: Any, file: Any) -> None:
    r = replacement
    print(f"{r.year}: {file} differs from the schedule in force ({r.replaces or 'unknown'}):")
    print(f"  holidays added: {_days(r.holidays_added)}")
    print(f"  holidays removed: {_days(r.holidays_removed)}")
    print(f"  make-up working days added: {_days(r.workdays_added)}")
    print(f"  make-up working days removed: {_days(r.workdays_removed)}")
    print(f"  due dates that move: {len(r.moves)}, in {_applications(r.moved_objects, 'open ')}")
    for move in r.moves[:_SHOWN_MOVES]:
        old = move.old.isoformat() if move.old else "pending"
        new = move.new.isoformat() if move.new else "pending"
        print(f"    {move.label}  {move.field}: {old} -> {new}")
    if len(r.moves) > _SHOWN_MOVES:
        print(f"    ... and {len(r.moves) - _SHOWN_MOVES} more")


def run_import(args: argparse.Namespace) -> int:
    from getelec.core.workdays import CalendarDataError, read_year_file

    try:
        schedule = read_year_file(args.file)
    except CalendarDataError as exc:
        return _error(str(exc))

    from getelec.kernel.setup import django_setup

    django_setup()
    from django.db import DatabaseError

    from getelec.workcalendar import source
    from getelec.workcalendar.services import ReplacementNotConfirmed, import_year

    if source._database_absent():
        return _error(
            "no database yet: run `getelec demo` or `python manage.py migrate` first, "
            "then import the calendar",
            1,
        )
    try:
        result = import_year(schedule, _actor(), Path(args.file).name, confirm=args.confirm)
    except ReplacementNotConfirmed as exc:
        _print_replacement(exc.replacement, args.file)
        return _error(
            f"{args.file}: year: {schedule.year} is already in force with different days; "
            "nothing changed: check the impact above and run again with --confirm to replace it",
            EXIT_NOT_CONFIRMED,
        )
    except DatabaseError as exc:
        return _error(f"database not ready ({exc}); run `python manage.py migrate` first", 1)
    days = len(schedule.working_days())
    counts = (
        f"{len(schedule.holidays)} holidays, {len(schedule.workdays)} make-up working days, "
        f"{days} working days"
    )
    if result.replacement is not None:
        _print_replacement(result.replacement, args.file)
        print(
            f"{schedule.year}: replaced from {args.file} ({counts}); "
            f"deadlines of {_applications(result.recomputed)} recomputed, each moved date audited"
        )
    elif result.changed:
        print(
            f"{schedule.year}: imported from {args.file} ({counts}); "
            f"deadlines pending on a loaded year computed for {_applications(result.recomputed)}"
        )
    elif result.recomputed:
        print(
            f"{schedule.year}: unchanged (the same schedule is already in force); "
            f"deadlines left pending computed for {_applications(result.recomputed)}"
        )
    else:
        print(f"{schedule.year}: unchanged (the same schedule is already in force); nothing to do")
    return 0


def run_list(args: argparse.Namespace) -> int:
    calendar, imported = _calendar_and_imported()
    years = calendar.years
    shipped = [y for y in years if y not in imported]
    if shipped:
        first, last = shipped[0], shipped[-1]
        print(f"{first}–{last}: {_source_label(last, {})}")
    for year in sorted(imported):
        print(f"{year}: {_source_label(year, imported)}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from getelec.core.workdays import CalendarYearNotLoaded

    calendar, imported = _calendar_and_imported()
    try:
        schedule = calendar.schedule(args.year)
    except CalendarYearNotLoaded as exc:
        return _error(f"year: {exc}; import it with `getelec calendar import FILE`")
    print(f"{args.year} — {_source_label(args.year, imported)}")
    print(f"working days: {len(schedule.working_days())}")
    print("holidays (days off):")
    for run in _runs(sorted(schedule.holidays)):
        print(f"  {_span(run)}")
    print("make-up working days (weekend days worked):")
    for day in sorted(schedule.workdays):
        print(f"  {day.isoformat()} (周{_WEEKDAYS[day.weekday()]})")
    if not schedule.workdays:
        print("  (none)")
    return 0


def _runs(days: list[dt.date]) -> list[list[dt.date]]:
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _span(run: list[dt.date]) -> str:
    if len(run) == 1:
        return f"{run[0].isoformat()} (1 day)"
    return f"{run[0].isoformat()} – {run[-1].isoformat()} ({len(run)} days)"


def run_export(args: argparse.Namespace) -> int:
    from getelec.core.workdays import CalendarYearNotLoaded

    calendar, _ = _calendar_and_imported()
    try:
        schedule = calendar.schedule(args.year)
    except CalendarYearNotLoaded as exc:
        return _error(f"year: {exc}")
    json.dump(schedule.as_json(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from getelec.core.workdays import CalendarYearNotLoaded

    calendar, _ = _calendar_and_imported()
    day: dt.date = args.date
    try:
        schedule = calendar.schedule(day.year)
    except CalendarYearNotLoaded as exc:
        return _error(f"date: {exc}")
    weekday = f"周{_WEEKDAYS[day.weekday()]}"
    if day in schedule.workdays:
        why = "working day (make-up working day on a weekend, 调休上班)"
    elif day in schedule.holidays:
        why = "not a working day (statutory holiday)"
    elif day.weekday() >= 5:
        why = "not a working day (weekend)"
    else:
        why = "working day"
    print(f"{day.isoformat()} {weekday}: {why}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    from getelec.core.workdays import CalendarYearNotLoaded

    calendar, _ = _calendar_and_imported()
    try:
        end = calendar.add_workdays(args.date, args.n)
    except CalendarYearNotLoaded as exc:
        return _error(f"date: {exc}; import it with `getelec calendar import FILE`")
    print(end.isoformat())
    return 0
