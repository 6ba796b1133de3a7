"""Customer notices (L48): planned outage, repair progress, restoration.

The same pattern as getelec.connection.notify (whose channels are bound to connection
applications, so they are not reused directly): the in-app outbox row is always written (the
customer reads it under 我的用电, staff see the outbox on the desk); each further channel named in
settings.OUTAGE_NOTIFICATION_CHANNELS ("email", or a dotted path to a class with
`send(notice)`) gets a row delivered after the transaction commits. A failed delivery keeps its
error for a retry and never undoes the change that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from getelec.outages.models import CustomerNotice, District, Meter

logger = logging.getLogger(__name__)
IN_APP = "outbox"


class Channel(Protocol):
    def send(self, notice: CustomerNotice) -> None:
        """Deliver one notice or raise."""


class EmailChannel:
    def send(self, notice: CustomerNotice) -> None:
        if not notice.user.email:
            raise ValueError("user has no e-mail address")
        send_mail(
            subject=_("获得电力服务平台：%(kind)s") % {"kind": notice.get_kind_display()},
            message=notice.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notice.user.email],
        )


BUILTIN: dict[str, type] = {"email": EmailChannel}


def channels() -> list[str]:
    names = getattr(settings, "OUTAGE_NOTIFICATION_CHANNELS", None)
    if names is None:
        names = [c for c in getattr(settings, "NOTIFICATION_CHANNELS", []) if c == "email"]
    return [c for c in names if c and c != IN_APP]


def notify_districts(
    districts: Sequence[District], kind: str, text: str, **links: Any
) -> list[CustomerNotice]:
    """One outbox row per bound meter of the districts, plus one per configured channel."""
    meters = Meter.objects.filter(district__in=districts, account__isnull=False)
    return notify_meters(meters, kind, text, **links)


def notify_meters(meters: Iterable[Meter], kind: str, text: str, **links: Any) -> list:
    now = timezone.now()
    rows = []
    for meter in meters:
        base = {"user_id": meter.account_id, "meter": meter, "kind": kind, "text": text, **links}
        rows.append(CustomerNotice(channel=IN_APP, sent_at=now, **base))
        rows += [CustomerNotice(channel=c, **base) for c in channels()]
    created = CustomerNotice.objects.bulk_create(rows)
    pending = [n.pk for n in created if n.channel != IN_APP and n.pk]
    if pending:
        transaction.on_commit(lambda: deliver(pending))
    return created


def deliver(ids: Iterable[int]) -> int:
    sent = 0
    for row in CustomerNotice.objects.filter(pk__in=list(ids), sent_at__isnull=True):
        try:
            cls = BUILTIN.get(row.channel) or import_string(row.channel)
            cls().send(row)
        except Exception as exc:  # a channel failure must not break anything else
            logger.warning("outage notice %s via %s failed: %s", row.pk, row.channel, exc)
            CustomerNotice.objects.filter(pk=row.pk).update(error=str(exc)[:1000])
            continue
        CustomerNotice.objects.filter(pk=row.pk).update(sent_at=timezone.now(), error="")
        sent += 1
    return sent
