"""The applicant's in-app notices: marking them read (the texts: services/messages.py)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.accounts.models import User
from getelec.audit.services import record
from getelec.connection.models import Notification
from getelec.connection.selectors import notifications_for
from getelec.kernel.errors import InvalidInput, NotAllowed


def mark_notifications_read(user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's own unread in-app notices read (all of them when `ids` is empty).

    Ids that are not the user's own, or already read, are ignored (idempotent: a repeat marks
    nothing and writes no audit row). One audit row on the user lists what was marked.
    Returns how many notices were marked.
    """
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("请先登录"))
    wanted = list(dict.fromkeys(ids or []))
    if any(not isinstance(i, int) or isinstance(i, bool) for i in wanted):
        raise InvalidInput(_("通知编号无效"), "ids")
    with transaction.atomic():
        unread = notifications_for(user).filter(read_at__isnull=True)
        if wanted:
            unread = unread.filter(pk__in=wanted)
        marked = sorted(unread.values_list("pk", flat=True))
        if not marked:
            return 0
        now = timezone.now()
        count = Notification.objects.filter(pk__in=marked, read_at__isnull=True).update(read_at=now)
        record(
            user,
            "connection.mark_notifications_read",
            user,
            {"unread": marked},
            {"read_at": now},
        )
    return count
