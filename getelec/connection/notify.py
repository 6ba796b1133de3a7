"""Notifications: an in-app notice and outbox row always; other channels plug in by settings.

`notify()` runs inside the caller's transaction and writes one Notification row per channel:
channel "outbox" is the in-app notice itself (the user reads it on the site and through
GET /api/v1/notifications); every further channel named in settings.NOTIFICATION_CHANNELS
("email", "sms" or a dotted path to a class) gets a row with sent_at empty, delivered after the
transaction commits by `deliver()`. A failed delivery keeps the row with its error, so a cron job
(`deliver_pending()`) can retry; it never undoes the state change that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from getelec.connection.models import Application, Notification
from getelec.notifications import IN_APP, Channel, EmailChannel, deliver_rows
from getelec.notifications import channel_for as shared_channel_for


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
    return shared_channel_for(name, BUILTIN_CHANNELS)


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
    rows = Notification.objects.filter(pk__in=list(ids), sent_at__isnull=True).select_related(
        "user", "application"
    )
    return deliver_rows(rows, channel_for)


def deliver_pending(limit: int = 500) -> int:
    """Retry undelivered channel rows (for a periodic job)."""
    ids = (
        Notification.objects.filter(sent_at__isnull=True)
        .exclude(channel=IN_APP)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return deliver(list(ids))
