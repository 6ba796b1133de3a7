"""The one sequence of every change of an existing row on the regulator's desk:

    lock the row → check the version the user saw → check the state and change it (the body)
    → bump the version → save → one audit row

all in one transaction:

    with transition(actor, filing, "supervision.submit_filing", version=version) as change:
        if not change.obj.is_draft:
            raise Conflict("备案已报送", "filing")
        change.obj.submitted_on = today
        change.save("submitted_on")
        change.old, change.new = {"submitted_on": None}, {"submitted_on": today}

An exception in the body rolls everything back. Rows without a version (progress reports) are
locked and audited the same way; `version=None` skips the check and the bump.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import models, transaction

from getelec.audit.services import record
from getelec.kernel.errors import Conflict

M = TypeVar("M", bound=models.Model)

# Filings are the desk's only rows with a version.
STALE = "备案已被他人修改，请刷新后重试"


@dataclass
class Change(Generic[M]):
    """The locked row (`obj`), the fields of it to save, and the audit row's values."""

    obj: M
    old: dict[str, Any] = field(default_factory=dict)
    new: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    fields: list[str] = field(default_factory=list)

    def save(self, *names: str) -> None:
        """Save these fields of `obj` when the body ends (with the version, if any)."""
        self.fields.extend(names)


@contextmanager
def transition(
    actor: Any, instance: M, action: str, *, version: int | None = None, stale: str = STALE
) -> Iterator[Change[M]]:
    """Lock `instance`'s row (a fresh copy, `change.obj`), check `version` (optimistic
    concurrency: Conflict with `stale` on the field "version"), run the body; then bump the
    version, save the fields named and record `action` in the same transaction."""
    with transaction.atomic():
        obj = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        versioned: Any = obj  # only models with a version are given one
        if version is not None and versioned.version != version:
            raise Conflict(stale, "version")
        change = Change(obj)
        yield change
        names = list(change.fields)
        if version is not None:
            versioned.version += 1
            names.append("version")
        if names:
            obj.save(update_fields=names)
        record(actor, action, obj, change.old, change.new, reason=change.reason)
