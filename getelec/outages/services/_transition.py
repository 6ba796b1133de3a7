"""The one sequence of every state change of an existing row on the quality desk:

    lock the row → check its version and status → snapshot the fields → change → bump the
    version → save → one audit row

all in one transaction. The change itself is the body of the `with` block:

    with transition(actor, entry, "outages.verify", fields=FIELDS, version=v,
                    allowed=(EntryStatus.OBSERVATION,)) as change:
        change.obj.status = EntryStatus.VERIFIED
        ...

An exception in the body rolls everything back; `change.unchanged()` (an idempotent repeat)
skips the save and the audit row. The audit row's `new` is the snapshot of the same fields after
the change unless the body sets `change.new`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from getelec.audit.services import record
from getelec.kernel.errors import Conflict, InvalidInput


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


@dataclass
class Change:
    obj: Any
    old: dict[str, Any]
    new: dict[str, Any] | None = None
    reason: str = ""
    skip: bool = field(default=False, repr=False)

    def unchanged(self) -> None:
        """Nothing to save or audit (the row is already in the wanted state)."""
        self.skip = True


@contextmanager
def transition(
    actor: Any,
    instance: models.Model,
    action: str,
    *,
    fields: Sequence[str] = (),
    version: int | None = None,
    allowed: Sequence[str] | None = None,
    related: Sequence[str] = (),
    reason: str = "",
) -> Iterator[Change]:
    """Lock `instance`'s row (a fresh copy, `change.obj`), check the version the user saw
    (optimistic concurrency) and the allowed statuses, then let the body change it; save, bump
    the version (models that have one) and record `action` in the same transaction."""
    with transaction.atomic():
        qs = type(instance)._default_manager.select_for_update()
        if related:
            qs = qs.select_related(*related)
        obj = qs.get(pk=instance.pk)
        if version is not None and obj.version != version:  # type: ignore[attr-defined]
            raise Conflict(_("该条目已被他人更新，请刷新后重试"))
        if allowed is not None and obj.status not in allowed:  # type: ignore[attr-defined]
            raise Conflict(
                _("当前状态（%(status)s）不能进行此操作") % {"status": obj.get_status_display()}  # type: ignore[attr-defined]
            )
        change = Change(obj, snapshot(obj, fields))
        yield change
        if change.skip:
            return
        if hasattr(obj, "version"):
            obj.version += 1
        obj.save()
        new = change.new if change.new is not None else snapshot(obj, fields)
        record(actor, action, obj, change.old, new, reason=change.reason or reason)


def clean_text(value: str, field: str, label: str, max_length: int = 4000) -> str:
    """A required free-text input, stripped; too long is refused."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("请填写%(label)s") % {"label": label}, field)
    if len(value) > max_length:
        raise InvalidInput(_("%(label)s过长") % {"label": label}, field)
    return value
