"""A form that cannot succeed is not offered: the L30 verification of a problem-ledger entry
still in its observation period (policy: 60 days) is replaced by the date it becomes possible."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from getelec.outages import services
from getelec.outages.models import EntryStatus, LedgerEntry

pytestmark = pytest.mark.django_db


def rectified(users: dict[str, Any], on: dt.date) -> LedgerEntry:
    entry = services.plan_rectification(
        users["staff_a"], LedgerEntry.objects.get(point_id="T1"), measures="整线成片改造",
        target_on=dt.date(2026, 12, 31), responsible_team="兴庆供电所", budget_wan=Decimal("30"),
    )  # fmt: skip
    return services.record_rectification(users["staff_a"], entry, rectified_on=on, note="完成")


def page(user: Any, entry: LedgerEntry) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("outages:entry", args=[entry.number]))
    assert response.status_code == 200
    return response.content.decode()


NOTE = "观察期至{end}：期满且无新的计入停电后，{day}起可登记核验。"


@pytest.mark.parametrize(
    ("rectified_on", "form_offered", "note"),
    [
        # today 2026-11-26; observation 60 days after the rectified date
        (dt.date(2026, 11, 1), False, NOTE.format(end="2026-12-31", day="2027-01-01")),
        (dt.date(2026, 9, 27), False, NOTE.format(end="2026-11-26", day="2026-11-27")),
        (dt.date(2026, 9, 26), True, None),  # ended 25 November
    ],
)
def test_the_verify_form_is_offered_only_after_the_observation_period(
    refreshed: Any,
    users: dict[str, Any],
    frozen: Any,
    rectified_on: dt.date,
    form_offered: bool,
    note: str | None,
) -> None:
    entry = rectified(users, rectified_on)
    html = page(users["regulator"], entry)
    assert ('id="form-verify"' in html) is form_offered
    assert ('id="verify-later"' in html) is (note is not None)
    if note:
        assert note in html
    # Staff of the company never verify (L30): neither the form nor the date.
    staff_html = page(users["staff_a"], entry)
    assert 'id="form-verify"' not in staff_html and 'id="verify-later"' not in staff_html


def test_posting_the_verification_early_says_why_and_changes_nothing(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    entry = rectified(users, dt.date(2026, 11, 1))
    client = Client()
    client.force_login(users["regulator"])
    response = client.post(
        reverse("outages:entry_action", args=[entry.number, "verify"]),
        {"version": entry.version, "verified_on": "2026-11-26", "inspection_kind": "site_visit",
         "inspection_record": "现场检查"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 422
    assert "观察期至2026-12-31，期满且无新的计入停电后方可核验" in html
    assert 'id="form-verify"' not in html
    assert LedgerEntry.objects.get(pk=entry.pk).status == EntryStatus.OBSERVATION
