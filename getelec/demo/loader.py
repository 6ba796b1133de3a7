"""`getelec demo`: everything in order, idempotently."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from getelec.demo import accounts, reference

ACTOR = "getelec demo"


def migrate_if_needed(out: TextIO = sys.stdout) -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return False
    print(f"Applying {len(plan)} migration(s) ...", file=out, flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    return True


def reset_demo(out: TextIO = sys.stdout) -> int:
    """Delete the demo applications (sample and bulk), the delay filings and monthly batches
    made on them, and the demo users' documents.

    Accounts stay (audit rows point at them and the audit log is append-only); they are
    restored to their demo state afterwards. One audit row records the reset.
    """
    from getelec.audit.services import record
    from getelec.connection.models import Application, Document
    from getelec.supervision.models import DelayFiling, MonthlyBatch

    demo_apps = Application.objects.filter(
        applicant__username__startswith=accounts.DEMO_USERNAME_PREFIX
    )
    ids = list(demo_apps.values_list("pk", flat=True))
    with transaction.atomic():
        # A batch lists filings; a filing protects its application (PROTECT): both go first.
        batches = MonthlyBatch.objects.filter(
            submitted_by__username__startswith=accounts.DEMO_USERNAME_PREFIX
        ).delete()[1]
        filings = DelayFiling.objects.filter(application__in=demo_apps).delete()[1]
    deleted = 0
    for start in range(0, len(ids), 10_000):
        with transaction.atomic():
            deleted += (
                Application.objects.filter(pk__in=ids[start : start + 10_000])
                .delete()[1]
                .get("connection.Application", 0)
            )
    documents = Document.objects.filter(owner__username__startswith=accounts.DEMO_USERNAME_PREFIX)
    for document in documents:
        document.file.delete(save=False)
    documents.delete()
    from getelec.accounts.models import Region

    with transaction.atomic():
        province = Region.objects.filter(code=reference.PROVINCE[0]).first()
        if province is not None:
            record(
                ACTOR,
                "demo.reset",
                province,
                {
                    "applications": len(ids),
                    "delay_filings": filings.get("supervision.DelayFiling", 0),
                    "monthly_batches": batches.get("supervision.MonthlyBatch", 0),
                },
                {"applications": 0, "delay_filings": 0, "monthly_batches": 0},
                reason="删除演示申请（审计记录保留）",
            )
    print(f"Reset: {deleted:,} demo applications deleted (audit rows kept).", file=out, flush=True)
    return deleted


def load_demo(
    scale: int = 0,
    seed: int = 2026,
    reset: bool = False,
    sample: bool = True,
    out: TextIO = sys.stdout,
    progress: bool | None = None,
) -> str:
    """Run the whole demo set-up; returns the summary to print (with the accounts)."""
    migrate_if_needed(out)
    if reset:
        reset_demo(out)
    summary = reference.load_reference(actor=ACTOR)
    print(f"Reference data (regions, organisations): {summary}.", file=out, flush=True)
    users = accounts.ensure_accounts(actor=ACTOR)
    print(f"Demo accounts: {len(users)}.", file=out, flush=True)
    lines: list[str] = []
    if sample:
        from getelec.demo import sample as sample_module

        result: Any = sample_module.load_sample(seed=seed, out=out)
        lines.append(f"Sample applications: {result}.")
        # The regulator's desk (filings, monthly batches, ledger reports) builds on the sample.
        from getelec.demo.supervision import load_demo as load_supervision_demo

        lines.append(f"Supervision desk: {load_supervision_demo(ACTOR)}.")
        # The supply-quality desk: a synthetic year of meter events, refreshed into the ledger.
        from getelec.demo.outages import load_demo as load_quality_demo

        quality = load_quality_demo()
        lines.append(f"Supply-quality desk: {quality}.")
    if scale:
        from getelec.demo import bulk

        result = bulk.generate_bulk(scale, seed=seed, actor=f"{ACTOR} --scale", progress=progress)
        lines.append(f"Bulk applications: {result}.")
    lines += [
        "",
        "Demo accounts — DEMO ONLY, never use these passwords or this data in production:",
        accounts.accounts_table(),
        "",
        "Public progress lookup: /progress/  ·  staff queue: /queue/  ·  regulator's desk: "
        "/supervision/  ·  supply quality: /quality/  ·  "
        "outage disclosure: /quality/disclosure/  ·  admin: /admin/  ·  API docs: /api/docs",
    ]
    return "\n".join(lines)
