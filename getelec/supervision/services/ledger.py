"""Loading the ledger of 附件2 and the government organisations it names."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction

from getelec.accounts.models import Organisation, Region, department_type_for
from getelec.audit.services import record
from getelec.supervision import annex
from getelec.supervision.models import LedgerAssignment, LedgerTask

PROVINCE_CODE = "640000"
PROVINCE_NAME = "宁夏回族自治区"
REGULATOR_NAMES = ("自治区发展改革委", "国家能源局西北监管局")


@dataclass
class LoadResult:
    tasks_created: int = 0
    tasks_updated: int = 0
    assignments_created: int = 0
    organisations_created: int = 0


def supply_companies() -> list[Organisation]:
    """Every supply company registered (not its branches: a branch reports through it)."""
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.SUPPLY_COMPANY)
        .exclude(parent__kind=Organisation.Kind.SUPPLY_COMPANY)
        .order_by("name")
    )


def _province() -> Region:
    region, _ = Region.objects.get_or_create(
        code=PROVINCE_CODE,
        defaults={"name": PROVINCE_NAME, "level": Region.Level.PROVINCE},
    )
    return region


def _government_org(name: str, counter: LoadResult | None = None) -> Organisation:
    """The organisation a unit of 附件2 (or a regulator's usual name) denotes.

    The text names units the way the plan does (自治区发展改革委, 住房和城乡建设厅, …), while an
    organisation is registered under its full name with the usual short name next to it
    (宁夏回族自治区发展和改革委员会 / 自治区发展改革委). A unit resolves, in this order, to the
    organisation with exactly that name, then that short name, then the same with the region's
    prefix (宁夏回族自治区… / 自治区…); the text's own spellings go through annex.UNIT_ALIASES
    (住房和城乡住建厅 → 住房和城乡建设厅). Only when nothing matches is an organisation created
    under the text's name (the reference data later completes it, matching its short name).
    """
    from django.db.models import Q

    name = annex.UNIT_ALIASES.get(name, name)
    kind = Organisation.Kind.REGULATOR if name in REGULATOR_NAMES else Organisation.Kind.DEPARTMENT
    forms = [name, f"{PROVINCE_NAME}{name}", f"自治区{name}"]
    candidates = list(
        Organisation.objects.filter(Q(name__in=forms) | Q(short_name__in=forms)).order_by("pk")
    )

    def rank(candidate: Organisation) -> tuple[int, int]:
        if candidate.name == name:
            return (0, candidate.pk)
        if candidate.short_name == name:
            return (1, candidate.pk)
        return (2, candidate.pk)

    org = min(candidates, key=rank, default=None)
    if org is None:
        org = Organisation.objects.create(
            name=name,
            short_name=name,
            kind=kind,
            department_type=department_type_for(name)
            if kind == Organisation.Kind.DEPARTMENT
            else "",
            region=_province(),
        )
        if counter is not None:
            counter.organisations_created += 1
    return org


def regulator_organisations() -> list[Organisation]:
    """自治区发展改革委 and 国家能源局西北监管局 (created by name when missing)."""
    return [_government_org(name) for name in REGULATOR_NAMES]


def load_ledger(actor: Any = None, rows: list[annex.LedgerRow] | None = None) -> LoadResult:
    """Load 附件2 from the shipped data; idempotent (a second run changes nothing).

    Creates the government organisations named in the text when missing and one assignment per
    supply company for 各供电企业 (run again after registering a new company).
    """
    rows = annex.read_ledger() if rows is None else rows
    result = LoadResult()
    with transaction.atomic():
        companies = supply_companies()
        for row in rows:
            due_on = annex.resolve_deadline(row.deadline_text)
            values = {
                "section": row.section,
                "text": row.text,
                "units_text": "、".join(row.units_as_written),
                "deadline_text": row.deadline_text,
                "due_on": due_on,
            }
            task = LedgerTask.objects.filter(number=row.number).first()
            if task is None:
                task = LedgerTask.objects.create(number=row.number, **values)
                result.tasks_created += 1
            else:
                changed = {k: v for k, v in values.items() if getattr(task, k) != v}
                if changed:
                    for key, value in changed.items():
                        setattr(task, key, value)
                    task.save(update_fields=list(changed))
                    result.tasks_updated += 1
            for written, name in zip(row.units_as_written, row.units, strict=True):
                orgs = (
                    companies
                    if name == annex.ALL_SUPPLY_COMPANIES
                    else [_government_org(name, result)]
                )
                for org in orgs:
                    _, created = LedgerAssignment.objects.get_or_create(
                        task=task, organisation=org, defaults={"unit_as_written": written}
                    )
                    result.assignments_created += created
        if any(asdict(result).values()):
            first = LedgerTask.objects.order_by("number").first()
            if first is None:
                raise RuntimeError("the ledger load changed rows but no task exists to audit it")
            record(
                actor,
                "supervision.load_ledger",
                first,
                {},
                asdict(result),
                reason="附件2 工作任务台账",
            )
    return result
