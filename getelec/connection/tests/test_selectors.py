"""Scoped reads: who sees what, queue order, remaining working days, public lookup."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404

from conftest import _user
from getelec.connection import selectors, services
from getelec.connection.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(submit: Any, applicant_b: Any) -> dict[str, Any]:
    """A's application in 兴庆区 (银川), A's in 大武口区 (石嘴山), B's in 金凤区 (银川)."""
    return {
        "a_yinchuan": submit(),
        "a_shizuishan": submit(region="640202", property_scope="S-1"),
        "b_yinchuan": submit(applicant=applicant_b, region="640106", property_scope="B-1"),
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("applicant_a", {"a_yinchuan", "a_shizuishan"}),
        ("applicant_b", {"b_yinchuan"}),
        ("staff", {"a_yinchuan", "b_yinchuan"}),
        ("staff_other", {"a_shizuishan"}),
        ("regulator", {"a_yinchuan", "a_shizuishan", "b_yinchuan"}),
        ("admin", {"a_yinchuan", "a_shizuishan", "b_yinchuan"}),
    ],
)
def test_applications_for_scopes_each_role(
    spread: dict, roles: dict, role: str, visible: set
) -> None:
    seen = set(selectors.applications_for(roles[role]).values_list("number", flat=True))
    assert seen == {spread[k].number for k in visible}
    for key, app in spread.items():
        if key in visible:
            assert selectors.get_application_for(roles[role], app.number).pk == app.pk
        else:
            with pytest.raises(Http404):
                selectors.get_application_for(roles[role], app.number)


def test_anonymous_and_other_roles_see_nothing(spread: dict, regions: dict) -> None:
    from django.contrib.auth.models import AnonymousUser

    department = _user("dept", "department", region=regions["640000"])
    assert not selectors.applications_for(AnonymousUser()).exists()
    assert not selectors.applications_for(department).exists()


def test_staff_scoped_to_a_county_see_only_that_county(
    spread: dict, yinchuan_company: Any, regions: dict
) -> None:
    county = _user("xingqing", "staff", organisation=yinchuan_company, region=regions["640104"])
    assert list(selectors.applications_for(county)) == [spread["a_yinchuan"]]
    assert selectors.can_work_on(county, spread["a_yinchuan"])
    assert not selectors.can_work_on(county, spread["b_yinchuan"])


def test_staff_of_another_company_in_the_same_region_see_nothing(
    spread: dict, regions: dict
) -> None:
    from getelec.accounts.models import Organisation

    other = Organisation.objects.create(
        name="某增量配电公司", kind="supply_company", region=regions["640100"]
    )
    outsider = _user("outsider", "staff", organisation=other, region=regions["640100"])
    assert not selectors.applications_for(outsider).exists()


def test_the_queue_orders_key_projects_then_due_date_and_pending_last(
    submit: Any, staff: Any
) -> None:
    ordinary = submit(property_scope="O")
    works = submit(property_scope="W", external_works=True)
    pending = submit(
        property_scope="HV",
        customer_type="other",
        customer_name="某医院",
        capacity_kw="2000",
        supply="dual",
    )
    provincial = submit(property_scope="P", external_works=True)
    national = submit(property_scope="N", external_works=True)
    services.set_key_project(provincial, staff, "provincial", provincial.version)
    services.set_key_project(national, staff, "national", national.version)
    done = submit(property_scope="D")
    services.cancel_application(done, staff, "撤销", done.version)
    assert list(selectors.staff_queue(staff)) == [national, provincial, ordinary, works, pending]


def test_the_queue_costs_one_query_whatever_its_length(
    submit: Any, staff: Any, django_assert_num_queries: Any
) -> None:
    for i in range(5):
        submit(property_scope=f"Q-{i}")
    queue = selectors.staff_queue(staff)
    with django_assert_num_queries(1):
        apps = list(queue[:50])
        _ = [(a.region.name, a.company.name) for a in apps]
    with django_assert_num_queries(0):
        remaining = selectors.remaining_workdays(apps, dt.date(2026, 11, 26))
    assert set(remaining.values()) == {5}


def test_the_queue_is_for_staff_only(submit: Any, roles: dict) -> None:
    submit()
    for role in ("applicant_a", "regulator", "admin"):
        assert not selectors.staff_queue(roles[role]).exists()


@pytest.mark.parametrize(
    ("today", "remaining"),
    [("2026-11-26", 5), ("2026-12-03", 0), ("2026-12-04", -1), ("2026-12-07", -2)],
)
def test_remaining_working_days_count_down_and_go_negative_when_overdue(
    submit: Any, today: str, remaining: int
) -> None:
    app = submit()  # due 2026-12-03
    result = selectors.remaining_workdays([app], dt.date.fromisoformat(today))
    assert result == {app.pk: remaining}


def test_remaining_working_days_are_none_for_closed_and_pending_applications(
    submit: Any, staff: Any
) -> None:
    pending = submit(
        customer_type="other",
        customer_name="某医院",
        capacity_kw="2000",
        supply="dual",
        property_scope="HV",
    )
    closed = services.cancel_application(submit(), staff, "撤销", 1)
    result = selectors.remaining_workdays([pending, closed])
    assert result == {pending.pk: None, closed.pk: None}


def test_public_progress_needs_the_number_and_the_code(submit: Any) -> None:
    app = submit()
    found = selectors.public_progress(app.number, app.verification_code)
    assert found is not None and found.current_stage == "intake"
    assert found.due_on == app.due_on and found.stages[0]["stage"] == "intake"
    assert selectors.public_progress(app.number, "") is None
    assert selectors.public_progress(app.number, "12345x") is None
    assert selectors.public_progress("nope", app.verification_code) is None


def test_public_progress_carries_no_personal_fields(submit: Any) -> None:
    app = submit()
    found = selectors.public_progress(app.number, app.verification_code)
    values = repr(found)
    for secret in (app.customer_name, app.id_number, app.contact_phone, app.address):
        assert secret not in values
    assert Application.objects.count() == 1
