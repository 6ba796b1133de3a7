"""Notifications: an in-app notice and outbox row always; other channels plug in by settings.

`notify()` runs inside the caller's transaction and writes one Notification row per channel:
channel "outbox" is the in-app notice itself (the user reads it on the site and through
GET /api/v1/notifications); every further channel named in settings.NOTIFICATION_CHANNELS
("email", "sms" or a dotted path to a class) gets a row with sent_at empty, delivered after the
transaction commits by `deliver()`. A failed delivery keeps the row with its error, so a cron job
(`deliver_pending()`) can retry; it never undoes the state change that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from getelec.connection.models import Application, Notification

logger = logging.getLogger(__name__)

IN_APP = "outbox"


class Channel(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver one notice or raise; the row records the error."""


class EmailChannel:
    def send(self, notification: Notification) -> None:
        address = notification.user.email
        if not address:
            raise ValueError("user has no e-mail address")
        send_mail(
            subject=_("获得电力服务平台：%(kind)s") % {"kind": notification.get_kind_display()},
            message=notification.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )


class SmsChannel:
    """Sends through the gateway class named by settings.SMS_GATEWAY (a `send(phone, text)`)."""

    def send(self, notification: Notification) -> None:
        gateway_path = getattr(settings, "SMS_GATEWAY", "")
        if not gateway_path:
            raise RuntimeError("no SMS gateway configured (settings.SMS_GATEWAY)")
        application = notification.application
        phone = (application.contact_phone if application else "") or notification.user.phone
        if not phone:
            raise ValueError("no phone number")
        import_string(gateway_path)().send(phone, notification.text)


BUILTIN_CHANNELS: dict[str, type] = {"email": EmailChannel, "sms": SmsChannel}


def configured_channels() -> list[str]:
    return [c for c in settings.NOTIFICATION_CHANNELS if c and c != IN_APP]


def channel_for(name: str) -> Channel:
    cls = BUILTIN_CHANNELS.get(name) or import_string(name)
    return cls()


def notify(user: Any, application: Application | None, kind: str, text: str) -> list[Notification]:
    """Write the in-app notice plus one outbox row per configured channel (in the transaction)."""
    if user is None or not getattr(user, "pk", None):
        return []
    now = timezone.now()
    rows = [
        Notification(
            user=user, application=application, kind=kind, text=text, channel=IN_APP, sent_at=now
        )
    ]
    rows += [
        Notification(user=user, application=application, kind=kind, text=text, channel=channel)
        for channel in configured_channels()
    ]
    created = Notification.objects.bulk_create(rows)
    pending = [n.pk for n in created if n.channel != IN_APP and n.pk]
    if pending:
        transaction.on_commit(lambda: deliver(pending))
    return created


def deliver(ids: Iterable[int]) -> int:
    """Deliver the given outbox rows; returns how many were sent."""
    sent = 0
    rows = Notification.objects.filter(pk__in=list(ids), sent_at__isnull=True).select_related(
        "user", "application"
    )
    for row in rows:
        try:
            channel_for(row.channel).send(row)
        except Exception as exc:  # a channel failure must not break anything else
            logger.warning("notification %s via %s failed: %s", row.pk, row.channel, exc)
            Notification.objects.filter(pk=row.pk).update(error=str(exc)[:1000])
            continue
        Notification.objects.filter(pk=row.pk).update(sent_at=timezone.now(), error="")
        sent += 1
    return sent


def deliver_pending(limit: int = 500) -> int:
    """Retry undelivered channel rows (for a periodic job)."""
    ids = (
        Notification.objects.filter(sent_at__isnull=True)
        .exclude(channel=IN_APP)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return deliver(list(ids))
