"""The one sequence every state change of an application follows.

    with transition(app, version, watch=[...]) as change:   # one transaction
        ...                                                   # (version, then status checked)
        change.update(field=value)      # conditional UPDATE on (id, version[, expect]) +1
        change.audit(actor, "connection.x")                   # the one audit row
        notices...

Concurrency: the UPDATE matches no row when somebody changed the application since `version`
was read (Conflict, and the transaction rolls back). On PostgreSQL the loser blocks on the row
lock and then sees the new version; on SQLite (transaction_mode IMMEDIATE) writers are
serialised at BEGIN. `transition` refuses to commit a change without its audit row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.accounts.models import User
from getelec.audit.services import record
from getelec.connection.models import OPEN_STATUSES, Application, Status
from getelec.connection.selectors import can_work_on
from getelec.kernel.errors import Conflict, InvalidInput, InvalidState, NotAllowed


def _today() -> dt.date:
    return timezone.localdate()


def _fresh(application: Application) -> Application:
    return Application.objects.select_related("region", "company", "applicant").get(
        pk=application.pk
    )


def _status_message(app: Application) -> str:
    messages: dict[str, str] = {
        Status.PAUSED: _("该申请正在暂停计时，请先恢复计时"),
        Status.AWAITING_CONSENT: _("该申请须客户先签字确认三零政策告知，暂不能办理"),
        Status.COMPLETED: _("该申请已接电办结"),
        Status.CANCELLED: _("该申请已撤销"),
    }
    return messages.get(app.status, _("该申请当前状态不允许此操作"))


def _conflict() -> Conflict:
    return Conflict(_("该申请已被他人更新，请刷新页面后重试"), "version")


def _check_version(app: Application, version: Any) -> None:
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidInput(_("缺少版本号"), "version")
    if app.version != version:
        raise _conflict()


def _require_worker(actor: User, app: Application) -> None:
    if not can_work_on(actor, app):
        raise NotAllowed(_("只有该申请所属供电企业本区域的工作人员可以办理此操作"))


def _snapshot(app: Application, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(app, name) for name in names}


class Change:
    """One change of one application: its stored values before, the conditional UPDATE that
    bumps the version, and the audit row (old values, new values)."""

    def __init__(self, app: Application, version: int, watch: Sequence[str] = ()) -> None:
        self.app = app
        self.version = version
        self.watch = tuple(watch)
        self.old = _snapshot(app, self.watch)
        self.updated = False
        self.audited = False

    def update(self, expect: dict[str, Any] | None = None, **fields: Any) -> None:
        """The conditional UPDATE: succeeds only if nobody changed the application since
        `version` (and it still has the `expect`ed values); bumps the version."""
        app = self.app
        updated = Application.objects.filter(
            pk=app.pk, version=self.version, **(expect or {})
        ).update(version=F("version") + 1, updated_at=timezone.now(), **fields)
        if updated != 1:
            raise _conflict()
        for name, value in fields.items():
            setattr(app, name, value)
        app.version = self.version + 1
        self.updated = True

    def new(self) -> dict[str, Any]:
        """The watched values now."""
        return _snapshot(self.app, self.watch)

    def audit(
        self,
        actor: Any,
        action: str,
        new: dict[str, Any] | None = None,
        *,
        old: dict[str, Any] | None = None,
        reason: str = "",
    ) -> None:
        """The one audit row: the watched values before and now (or the given ones)."""
        record(
            actor,
            action,
            self.app,
            self.old if old is None else old,
            self.new() if new is None else new,
            reason=reason,
        )
        self.audited = True


@contextmanager
def transition(
    app: Application,
    version: Any,
    *,
    allowed: Collection[str] | None = OPEN_STATUSES,
    refusal: str | None = None,
    watch: Sequence[str] = (),
) -> Iterator[Change]:
    """One transaction: check `version`, then that the status is `allowed` (None: any;
    `refusal` is the message, by default the one naming the status), snapshot `watch`, and
    yield the Change. Leaving the block with an UPDATE but no audit row is a programming error
    (the transaction rolls back)."""
    with transaction.atomic():
        _check_version(app, version)
        if allowed is not None and app.status not in allowed:
            raise InvalidState(refusal or _status_message(app), "status")
        change = Change(app, version, watch)
        yield change
        if change.updated and not change.audited:
            raise RuntimeError("a state change must write its audit row")
