"""Customer notices (L48): planned outage, repair progress, restoration.

The outbox pattern of getelec.notifications (shared with connection applications): the in-app
outbox row is always written (the customer reads it under 我的用电, staff see the outbox on the
desk); each further channel named in
settings.OUTAGE_NOTIFICATION_CHANNELS ("email", or a dotted path to a class with
`send(notice)`) gets a row delivered after the transaction commits. A failed delivery keeps its
error for a retry and never undoes the change that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from getelec.notifications import IN_APP, EmailChannel, channel_for, deliver_rows
from getelec.outages.models import CustomerNotice, District, Meter

BUILTIN: dict[str, type] = {"email": EmailChannel}


def channels() -> list[str]:
    names = getattr(settings, "OUTAGE_NOTIFICATION_CHANNELS", None)
    if names is None:
        names = [c for c in getattr(settings, "NOTIFICATION_CHANNELS", []) if c == "email"]
    return [c for c in names if c and c != IN_APP]


def notify_districts(
    districts: Sequence[District], kind: str, text: str, **links: Any
) -> list[CustomerNotice]:
    """One outbox row per bound active meter of the districts, plus one per configured channel."""
    meters = Meter.objects.filter(
        district__in=districts, account__isnull=False, retired_on__isnull=True
    )
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
    rows = CustomerNotice.objects.filter(pk__in=list(ids), sent_at__isnull=True).select_related(
        "user"
    )
    return deliver_rows(rows, lambda name: channel_for(name, BUILTIN))
