"""Numbers, verification codes and decision records for bulk rows, exactly as the services
make them for one application (getelec.connection.services: `_next_number`,
`_verification_code`, `_decision_json`), so bulk and service rows cannot be told apart.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from getelec.connection import services
from getelec.connection.models import NumberSequence
from getelec.core.assess import Plan


def verification_code(rng: random.Random) -> str:
    """Six digits, like the services' codes (seeded here: demo data is reproducible)."""
    return f"{rng.randrange(10**6):06d}"


def sequence_key(region: str, applied_on: dt.date) -> str:
    return f"{region[:4]}-{applied_on:%Y%m%d}"


def reserve_numbers(rows: list[tuple[str, dt.date]]) -> list[str]:
    """One number per (region, applied_on): 6401-20261126-0001, from the services' daily
    NumberSequence counters, reserved in one block per counter. Call inside a transaction."""
    need = Counter(sequence_key(region, day) for region, day in rows)
    NumberSequence.objects.bulk_create(
        [NumberSequence(key=key, last=0) for key in need], ignore_conflicts=True
    )
    # Row-locked (PostgreSQL; SQLite locks the database): concurrent submissions wait for us.
    counters = list(NumberSequence.objects.select_for_update().filter(key__in=list(need)))
    next_seq: dict[str, int] = {}
    for counter in counters:
        next_seq[counter.key] = counter.last + 1
        counter.last += need[counter.key]
    NumberSequence.objects.bulk_update(counters, ["last"], batch_size=500)
    numbers = []
    for region, day in rows:
        key = sequence_key(region, day)
        numbers.append(f"{key}-{next_seq[key]:04d}")
        next_seq[key] += 1
    return numbers


def decision_record(decided: Plan, declared_existing_kw: Decimal) -> dict[str, Any]:
    return services._decision_json(decided, declared_existing_kw, Decimal("0"))
