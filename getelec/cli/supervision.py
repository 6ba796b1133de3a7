"""`getelec ledger ...` and `getelec filings ...` (the regulator's desk, docs/supervision.md).

getelec ledger load                         load/refresh 附件2 (idempotent)
getelec ledger export --out FILE.xlsx       the ledger in the layout of 附件2
getelec ledger overdue                      overdue rows, one per line (exit 1 if any)
getelec filings batch --company ID|NAME --month 2026-10 --out FILE.xlsx
getelec filings check                       cron: computes due dates left pending on a loaded
                                            calendar year, then missing/late batches,
                                            follow-ups, unfiled overdue applications (exit 1
                                            if any)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from getelec.kernel.errors import EXIT_BAD_INPUT
from getelec.kernel.setup import django_setup


def _system_user():  # type: ignore[no-untyped-def]
    """Reads from the command line see everything (an operator on the server)."""
    from getelec.accounts.models import User

    user = User(username="cli", role=User.Role.ADMIN, is_superuser=True, is_active=True)
    return user


def _out_path(raw: str) -> Path:
    path = Path(raw)
    if path.suffix.lower() != ".xlsx":
        raise ValueError("--out: file name must end in .xlsx")
    return path


def ledger_load(args: argparse.Namespace) -> int:
    django_setup()
    from getelec.supervision.services import load_ledger

    result = load_ledger("cli")
    print(
        f"tasks created {result.tasks_created}, updated {result.tasks_updated}; "
        f"assignments created {result.assignments_created}; "
        f"organisations created {result.organisations_created}"
    )
    return 0


def ledger_export(args: argparse.Namespace) -> int:
    try:
        out = _out_path(args.out)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    django_setup()
    from django.utils import timezone

    from getelec.supervision import exports, selectors

    today = timezone.localdate()
    statuses = selectors.ledger_status(_system_user(), today)
    if not statuses:
        print("ledger is empty: run `getelec ledger load` first", file=sys.stderr)
        return EXIT_BAD_INPUT
    out.write_bytes(exports.ledger_xlsx(statuses, today))
    print(f"{len(statuses)} tasks → {out}")
    return 0


def ledger_overdue(args: argparse.Namespace) -> int:
    django_setup()
    from django.utils import timezone

    from getelec.supervision import rules, selectors

    found = 0
    for status in selectors.ledger_status(_system_user(), timezone.localdate()):
        for unit in status.units:
            if unit.state == rules.LedgerState.OVERDUE:
                quarters = ",".join(str(q.quarter) for q in unit.overdue_quarters)
                print(
                    f"{status.task.number}\t{unit.assignment.organisation.name}\t"
                    f"{status.task.deadline_text}\t{quarters}"
                )
                found += 1
    return 1 if found else 0


def _company(raw: str):  # type: ignore[no-untyped-def]
    from getelec.accounts.models import Organisation

    qs = Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY)
    company = qs.filter(pk=int(raw)).first() if raw.isdigit() else qs.filter(name=raw).first()
    if company is None:
        raise ValueError(f"--company: no supply company {raw!r}")
    return company


def filings_batch(args: argparse.Namespace) -> int:
    try:
        out = _out_path(args.out)
        month = dt.date.fromisoformat(args.month + "-01")
    except ValueError as exc:
        msg = str(exc) if str(exc).startswith("--") else "--month: expected YYYY-MM, e.g. 2026-10"
        print(msg, file=sys.stderr)
        return EXIT_BAD_INPUT
    django_setup()
    from django.utils import timezone

    from getelec.supervision import exports, selectors
    from getelec.supervision.models import MonthlyBatch

    try:
        company = _company(args.company)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    batch = MonthlyBatch.objects.filter(company=company, month=month).first()
    if batch is None:
        # Not submitted yet: export what it would contain (unsaved, clearly marked).
        preview = selectors.batch_preview(company, month, timezone.localdate())
        batch = MonthlyBatch(
            company=company,
            month=month,
            due_on=preview.deadline.on,
            submitted_on=timezone.localdate(),
            rows=preview.rows,
        )
        content = exports.batch_xlsx_preview(batch)
        print(
            f"{company.name} {month:%Y-%m}: not submitted yet; preview of "
            f"{len(preview.rows)} filings → {out}"
        )
    else:
        content = exports.batch_xlsx(batch)
        print(
            f"{company.name} {month:%Y-%m}: submitted {batch.submitted_on}; "
            f"{len(batch.rows)} filings → {out}"
        )
    out.write_bytes(content)
    return 0


def filings_check(args: argparse.Namespace) -> int:
    django_setup()
    from django.utils import timezone

    from getelec.connection.services import recompute_pending_deadlines
    from getelec.supervision import selectors

    # First compute the due dates still pending on a year the calendar now has (left behind by a
    # process that read the calendar just before an import), so the overdue check sees them.
    fixed = recompute_pending_deadlines("getelec filings check (cron)")
    if fixed:
        print(f"recomputed\t{fixed} due dates that were pending on a loaded calendar year")
    user, today = _system_user(), timezone.localdate()
    problems = 0
    for flag in selectors.batch_flags(user, today):
        if flag.state in ("missing", "late"):
            print(f"batch\t{flag.company.name}\t{flag.month:%Y-%m}\t{flag.state}")
            problems += flag.state == "missing"
    for item in selectors.follow_ups(user, today):
        print(
            f"follow_up\t{item.filing.company.name}\t{item.filing.application.number}\t"
            f"committed {item.committed_on}"
        )
        problems += 1
    for item in selectors.unfiled_overdue(user, today):
        print(
            f"{item.kind}\t{item.application.company.name}\t{item.application.number}\t"
            f"due {item.application.due_on}"
        )
        problems += 1
    return 1 if problems else 0


def register(sub: argparse._SubParsersAction) -> None:
    ledger = sub.add_parser(
        "ledger", help="the 53-task ledger (附件2)", description="The 53-task ledger (附件2)."
    )
    lsub = ledger.add_subparsers(dest="ledger_command", metavar="ACTION", required=True)
    p = lsub.add_parser("load", help="load 附件2 from the shipped data (idempotent)")
    p.set_defaults(handler=ledger_load)
    p = lsub.add_parser("export", help="export the ledger as .xlsx in the layout of 附件2")
    p.add_argument("--out", required=True, help="FILE.xlsx")
    p.set_defaults(handler=ledger_export)
    p = lsub.add_parser("overdue", help="list overdue rows (exit 1 when there are any)")
    p.set_defaults(handler=ledger_overdue)

    filings = sub.add_parser(
        "filings",
        help="delay filings (form A1) and monthly batches",
        description="Delay filings (form A1) and monthly batches.",
    )
    fsub = filings.add_subparsers(dest="filings_command", metavar="ACTION", required=True)
    p = fsub.add_parser("batch", help="a company's monthly batch as .xlsx (filled-in forms)")
    p.add_argument("--company", required=True, help="supply company id or exact name")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--out", required=True, help="FILE.xlsx")
    p.set_defaults(handler=filings_batch)
    p = fsub.add_parser(
        "check",
        help="cron: compute due dates left pending on a loaded calendar year; flag missing/late "
        "batches, follow-ups, unfiled overdue (exit 1 if any)",
    )
    p.set_defaults(handler=filings_check)
