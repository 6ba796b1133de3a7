"""Marking one's own notices read: one service (atomic, audited), used by the web and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from getelec.audit.models import AuditEvent
from getelec.connection import services
from getelec.connection.models import Notification

pytestmark = pytest.mark.django_db


def unread(user: Any) -> int:
    return Notification.objects.filter(user=user, channel="outbox", read_at__isnull=True).count()


def test_marking_all_read_is_audited_once_and_a_repeat_changes_nothing(
    submit: Any, applicant_a: Any
) -> None:
    submit()
    submit(property_scope="宁(2026)银川市不动产权第0000002号")
    assert unread(applicant_a) == 2
    assert services.mark_notifications_read(applicant_a) == 2
    assert unread(applicant_a) == 0
    events = AuditEvent.objects.filter(action="connection.mark_notifications_read")
    assert events.count() == 1 and len(events.get().old["unread"]) == 2
    assert services.mark_notifications_read(applicant_a) == 0
    assert events.count() == 1


def test_another_users_notice_ids_are_ignored(
    submit: Any, applicant_a: Any, applicant_b: Any
) -> None:
    submit()
    theirs = Notification.objects.get(user=applicant_a, channel="outbox").pk
    assert services.mark_notifications_read(applicant_b, [theirs]) == 0
    assert unread(applicant_a) == 1


def test_malformed_ids_are_refused_naming_the_field(submit: Any, applicant_a: Any) -> None:
    submit()
    with pytest.raises(services.InvalidInput) as error:
        services.mark_notifications_read(applicant_a, ["1"])  # type: ignore[list-item]
    assert error.value.field == "ids"
    assert unread(applicant_a) == 1


def test_api_marks_only_the_given_own_notices(
    client: Client, submit: Any, applicant_a: Any
) -> None:
    submit()
    submit(property_scope="宁(2026)银川市不动产权第0000002号")
    first = Notification.objects.filter(user=applicant_a).order_by("id").first()
    client.force_login(applicant_a)
    response = client.post(
        "/api/v1/notifications/read", {"ids": [first.pk]}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert unread(applicant_a) == 1
    listed = {n["id"]: n["read_at"] for n in client.get("/api/v1/notifications").json()}
    assert listed[first.pk] is not None
    all_rest = client.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert all_rest.json() == {"marked": 1} and unread(applicant_a) == 0


def test_api_rejects_unknown_fields_and_anonymous_callers(
    client: Client, submit: Any, applicant_a: Any
) -> None:
    submit()
    anonymous = client.post("/api/v1/notifications/read", {}, content_type="application/json")
    assert anonymous.status_code == 401
    client.force_login(applicant_a)
    bad = client.post("/api/v1/notifications/read", {"all": True}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "all"
    assert unread(applicant_a) == 1


@pytest.mark.parametrize(
    "url", ["/api/v1/notifications/read", "/my/notifications/read/"], ids=["api", "web"]
)
def test_marking_read_needs_a_csrf_token(url: str, submit: Any, applicant_a: Any) -> None:
    submit()
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant_a)
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 403
    assert unread(applicant_a) == 1
