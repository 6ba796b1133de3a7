"""The one access-scope module (getelec.kernel.access), as the domains' selectors use it.

Before the kernel, connection.selectors had its own `scope_region` (the account's own region,
whatever its organisation's) and its own `can_work_on` (any account with the staff role); the
powers table and outages.selectors already clamped the region to the organisation's and asked
for a supply company. Those were right: an account cannot widen its organisation's scope.
"""

from __future__ import annotations

from typing import Any

import pytest

from getelec.accounts.models import Organisation, User
from getelec.connection import selectors as connection_selectors
from getelec.connection.models import Application
from getelec.kernel import access
from getelec.outages import selectors as outages_selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def widened_staff(staff: User, regions: dict[str, Any]) -> User:
    """Yinchuan company staff whose own region was set to a county of another city."""
    staff.region = regions["640202"]
    staff.save(update_fields=["region"])
    return User.objects.get(pk=staff.pk)


def test_an_account_cannot_widen_its_organisations_scope(
    widened_staff: User, yinchuan_company: Organisation
) -> None:
    assert access.scope_region(widened_staff).code == "640100"
    outside = Application(company_id=yinchuan_company.pk, region_id="640202")
    inside = Application(company_id=yinchuan_company.pk, region_id="640104")
    assert not connection_selectors.can_work_on(widened_staff, outside)
    assert connection_selectors.can_work_on(widened_staff, inside)
    assert not outages_selectors.can_work_on(widened_staff, yinchuan_company.pk, "640202")


def test_applications_follow_the_organisations_scope(
    widened_staff: User, submit: Any, yinchuan_company: Organisation
) -> None:
    inside = submit(region="640104")
    moved = submit(region="640105")
    Application.objects.filter(pk=moved.pk).update(region_id="640202")
    seen = set(connection_selectors.applications_for(widened_staff).values_list("pk", flat=True))
    assert seen == {inside.pk}


def test_staff_role_outside_a_supply_company_works_on_nothing(regions: dict[str, Any]) -> None:
    department = Organisation.objects.create(
        name="银川市住房和城乡建设局",
        kind="department",
        department_type="housing",
        region=regions["640100"],
    )
    user = User.objects.create_user(
        username="misfiled", role="staff", organisation=department, region=regions["640100"]
    )
    application = Application(company_id=department.pk, region_id="640104")
    assert not access.is_company_staff(user)
    assert not connection_selectors.can_work_on(user, application)
    assert not connection_selectors.applications_for(user).exists()


def test_inactive_and_anonymous_users_have_no_scope(staff: User) -> None:
    assert access.is_active(staff)
    staff.is_active = False
    assert not access.is_active(staff)
    assert not access.is_active(None)
    assert not access.can_work_on(staff, staff.organisation_id, "640104")
