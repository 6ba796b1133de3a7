"""The outbox pattern both desks use for notices (connection applications, outage notices).

A notice is a row: channel "outbox" is the in-app notice itself; every further channel named in
settings gets its own row with `sent_at` empty, delivered after the transaction commits. A failed
delivery keeps its error for a retry and never undoes the change that caused it. Rows need
`user`, `text`, `channel`, `sent_at`, `error` and `get_kind_display()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

IN_APP = "outbox"
# What a reader sees for each built-in channel; a custom channel (a dotted path) shows its class.
CHANNEL_LABELS = {
    IN_APP: gettext_lazy("站内通知"),
    "email": gettext_lazy("电子邮件"),
    "sms": gettext_lazy("短信"),
}


def channel_label(name: str) -> str:
    return str(CHANNEL_LABELS.get(name, name.rsplit(".", 1)[-1]))


class Channel(Protocol):
    def send(self, notice: Any) -> None:
        """Deliver one notice or raise; the row records the error."""


class EmailChannel:
    def send(self, notice: Any) -> None:
        address = notice.user.email
        if not address:
            raise ValueError("user has no e-mail address")
        send_mail(
            subject=_("获得电力服务平台：%(kind)s") % {"kind": notice.get_kind_display()},
            message=notice.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )


def channel_for(name: str, builtin: dict[str, type]) -> Channel:
    """A built-in channel by name, else a class by dotted path."""
    cls = builtin.get(name) or import_string(name)
    return cls()


def deliver_rows(rows: QuerySet[Any], resolve: Callable[[str], Channel]) -> int:
    """Send each undelivered row through its channel; returns how many were sent."""
    model, sent = rows.model, 0
    for row in rows:
        try:
            resolve(row.channel).send(row)
        except Exception as exc:  # a channel failure must not break anything else
            logger.warning("%s %s via %s failed: %s", model._meta.label, row.pk, row.channel, exc)
            model.objects.filter(pk=row.pk).update(error=str(exc)[:1000])
            continue
        model.objects.filter(pk=row.pk).update(sent_at=timezone.now(), error="")
        sent += 1
    return sent
