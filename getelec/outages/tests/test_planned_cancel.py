"""Cancelling a planned outage: from the planned-outage page, with a reason, by the staff of the
company that owns the feeder only; audited once, customers told once, repeatable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from getelec.audit.models import AuditEvent
from getelec.outages import services
from getelec.outages.models import CustomerNotice, District, Feeder, Meter, PlannedOutage
from getelec.outages.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _aware(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def _client(user: Any | None) -> Client:
    c = Client()
    if user is not None:
        assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def announced(refreshed: Any, users: dict[str, Any], frozen: Any) -> PlannedOutage:
    """A planned outage of company A on T3 (F1), 5 December; the customer holds a T3 meter."""
    t3 = District.objects.get(district_id="T3")
    meter = Meter.objects.filter(district=t3).order_by("meter_id").first()
    services.bind_meter(users["staff_a"], meter, users["customer"])
    return services.create_planned_outage(
        users["staff_a"], feeder=Feeder.objects.get(feeder_id="F1"), districts=[t3],
        work="线路检修", start=_aware("2026-12-05 08:00"), end=_aware("2026-12-05 12:00"),
    )  # fmt: skip


def _cancel_notices(user: Any) -> list[CustomerNotice]:
    return list(CustomerNotice.objects.filter(user=user, channel="outbox", text__contains="已取消"))


def test_the_owning_staff_cancel_it_from_the_page_with_a_reason(
    announced: PlannedOutage, users: dict[str, Any]
) -> None:
    client = _client(users["staff_a"])
    listing = client.get(reverse("outages:planned")).content.decode()
    url = reverse("outages:planned_cancel", args=[announced.number])
    assert url in listing
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "天气原因，检修改期"})
    assert response.status_code == 302 and response.url == reverse("outages:planned")
    announced.refresh_from_db()
    assert announced.status == PlannedOutage.Status.CANCELLED
    (event,) = AuditEvent.objects.filter(action="outages.cancel_planned")
    assert (event.actor, event.reason) == (users["staff_a"], "天气原因，检修改期")
    assert event.old == {"status": "announced"} and event.new == {"status": "cancelled"}
    (notice,) = _cancel_notices(users["customer"])
    assert notice.kind == CustomerNotice.Kind.PLANNED and notice.planned_outage == announced
    assert "2026-12-05 08:00" in notice.text and "天气原因，检修改期" in notice.text
    assert announced.number in notice.text
    assert url not in client.get(reverse("outages:planned")).content.decode()


def test_a_missing_reason_is_a_chinese_error_naming_the_field(
    announced: PlannedOutage, users: dict[str, Any]
) -> None:
    url = reverse("outages:planned_cancel", args=[announced.number])
    for reason in ("", "   "):
        response = _client(users["staff_a"]).post(url, {"reason": reason})
        assert response.status_code == 422
        errors = response.context["form"].errors["reason"]
        assert errors == ["请填写“取消原因”。"]
        assert "取消原因" in response.content.decode()
    announced.refresh_from_db()
    assert announced.status == PlannedOutage.Status.ANNOUNCED
    assert not AuditEvent.objects.filter(action="outages.cancel_planned").exists()
    assert _cancel_notices(users["customer"]) == []


def test_the_service_refuses_a_blank_reason_naming_the_field(
    announced: PlannedOutage, users: dict[str, Any]
) -> None:
    with pytest.raises(services.InvalidInput) as exc:
        services.cancel_planned_outage(users["staff_a"], announced, "  ")
    assert exc.value.field == "reason" and "取消原因" in exc.value.message


@pytest.mark.parametrize(
    "who", ["staff_b", "regulator", "admin", "department", "customer", "other_customer"]
)
def test_anyone_but_the_owning_companys_staff_gets_a_404(
    announced: PlannedOutage, users: dict[str, Any], who: str
) -> None:
    url = reverse("outages:planned_cancel", args=[announced.number])
    client = _client(users[who])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "越权取消"}).status_code == 404
    announced.refresh_from_db()
    assert announced.status == PlannedOutage.Status.ANNOUNCED
    assert not AuditEvent.objects.filter(action="outages.cancel_planned").exists()


def test_the_anonymous_are_sent_to_log_in(announced: PlannedOutage) -> None:
    url = reverse("outages:planned_cancel", args=[announced.number])
    assert Client().post(url, {"reason": "x"}).status_code == 302
    announced.refresh_from_db()
    assert announced.status == PlannedOutage.Status.ANNOUNCED


def test_an_unknown_number_is_a_404(announced: PlannedOutage, users: dict[str, Any]) -> None:
    url = reverse("outages:planned_cancel", args=["JH-NOPE"])
    assert _client(users["staff_a"]).post(url, {"reason": "x"}).status_code == 404


def test_cancelling_twice_changes_nothing_the_second_time(
    announced: PlannedOutage, users: dict[str, Any]
) -> None:
    url = reverse("outages:planned_cancel", args=[announced.number])
    client = _client(users["staff_a"])
    assert client.post(url, {"reason": "改期"}).status_code == 302
    assert client.post(url, {"reason": "改期"}).status_code == 302
    services.cancel_planned_outage(users["staff_a"], announced, "改期")
    assert AuditEvent.objects.filter(action="outages.cancel_planned").count() == 1
    assert len(_cancel_notices(users["customer"])) == 1


def test_an_outage_that_has_started_cannot_be_cancelled(
    announced: PlannedOutage, users: dict[str, Any], frozen: Any
) -> None:
    frozen.move_to("2026-12-05 09:00 +0800")
    url = reverse("outages:planned_cancel", args=[announced.number])
    response = _client(users["staff_a"]).post(url, {"reason": "改期"})
    assert response.status_code == 422
    assert "已开始" in response.content.decode()
    announced.refresh_from_db()
    assert announced.status == PlannedOutage.Status.ANNOUNCED
    assert _cancel_notices(users["customer"]) == []


def test_a_cancelled_outage_no_longer_counts_for_the_merge_window_or_the_l28_check(
    announced: PlannedOutage, users: dict[str, Any]
) -> None:
    feeder, t3 = Feeder.objects.get(feeder_id="F1"), District.objects.get(district_id="T3")
    assert services.check_planned(feeder, [t3], _aware("2026-12-10 08:00")).merge_candidates
    services.cancel_planned_outage(users["staff_a"], announced, "改期")
    check = services.check_planned(feeder, [t3], _aware("2026-12-10 08:00"))
    assert check.merge_candidates == [] and check.warnings == []
