"""The province-level supply company (国网宁夏电力) and its branches (Organisation.parent): its
staff read the branches' applications read-only; a platform admin's grant, audited, lets one
account work them like the branch's own staff (getelec.accounts.powers: READ_BRANCH_APPLICATIONS,
WORK_BRANCH_APPLICATIONS). Role × endpoint: the web queue, the detail page, the API list, detail
and queue, and an action (advance the stage) on the web and in the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from getelec.accounts import services as accounts
from getelec.accounts.models import ActingGrant, Organisation, User
from getelec.audit.models import AuditEvent
from getelec.connection.models import Application
from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_company(regions: dict[str, Any], yinchuan_company: Organisation) -> Organisation:
    """国网宁夏电力 above 国网银川供电公司 (a branch); 国网石嘴山供电公司 is not one of its
    branches here (another company)."""
    province = Organisation.objects.create(
        name="国网宁夏电力有限公司",
        short_name="国网宁夏电力",
        kind="supply_company",
        region=regions["640000"],
    )
    yinchuan_company.parent = province
    yinchuan_company.save(update_fields=["parent"])
    return province


def _account(username: str, organisation: Organisation) -> User:
    user = User(
        username=username,
        role="staff",
        display_name=f"{username}经理",
        organisation=organisation,
        region=organisation.region,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def province_staff(province_company: Organisation) -> User:
    return _account("province_staff", province_company)


@pytest.fixture
def province_acting(province_company: Organisation, admin_user: User) -> User:
    user = _account("province_acting", province_company)
    accounts.grant_acting(admin_user, user, "营销部统一代办（测试）")
    return user


# What each role gets on a branch (银川) application. "branch": 国网银川供电公司's own staff;
# "other": staff of another company (石嘴山).
SEES, FORMS, WORKS = "sees", "forms", "works"
CASES: dict[str, set[str]] = {
    "province_staff": {SEES},  # read-only: no action forms, actions refused
    "province_acting": {SEES, FORMS, WORKS},  # with the admin's grant
    "staff": {SEES, FORMS, WORKS},  # the branch's own staff
    "staff_other": set(),  # 404 everywhere
}


@pytest.fixture
def people(
    province_staff: User, province_acting: User, staff: User, staff_other: User
) -> dict[str, User]:
    return {
        "province_staff": province_staff,
        "province_acting": province_acting,
        "staff": staff,
        "staff_other": staff_other,
    }


def _numbers(response: Any) -> set[str]:
    return {item["number"] for item in response.json()["items"]}


def _changed(application: Application, before: int) -> bool:
    application.refresh_from_db()
    return application.version != before


@pytest.mark.parametrize("role", list(CASES))
def test_each_role_on_a_branch_application(
    client: Client, people: dict[str, User], submit: Any, role: str
) -> None:
    application = submit()  # 兴庆区: served by 国网银川供电公司, a branch of 国网宁夏电力
    assert application.company.name == "国网银川供电公司"
    expected, number = CASES[role], application.number
    client.force_login(people[role])

    queue = client.get(reverse("queue")).content.decode()
    assert (number in queue) == (SEES in expected)

    page = client.get(reverse("application_detail", args=[number]))
    assert page.status_code == (200 if SEES in expected else 404)
    advance_form = f'action="/applications/{number}/advance/"'
    assert (advance_form in page.content.decode()) == (FORMS in expected)

    assert (number in _numbers(client.get("/api/v1/applications"))) == (SEES in expected)
    assert (number in _numbers(client.get("/api/v1/queue"))) == (SEES in expected)
    detail = client.get(f"/api/v1/applications/{number}")
    assert detail.status_code == (200 if SEES in expected else 404)
    if SEES in expected:
        assert detail.json()["can_work"] == (WORKS in expected)

    before = application.version
    api = client.post(
        f"/api/v1/applications/{number}/advance",
        json.dumps({"version": before, "expected_stage": "intake", "note": ""}),
        content_type="application/json",
    )
    if WORKS in expected:
        assert api.status_code == 200 and _changed(application, before)
        before = application.version
        stage = application.current_stage
    else:
        # Seen but not workable: 403 as for a regulator; not seen: 404.
        assert api.status_code == (403 if SEES in expected else 404)
        assert not _changed(application, before)
        stage = "intake"
    web = client.post(
        reverse("application_action", args=[number, "advance"]),
        {"version": before, "expected_stage": stage, "note": ""},
    )
    if WORKS in expected:
        assert web.status_code == 302 and _changed(application, before)
    else:
        # The web refuses as it does a regulator (the form with the message) or hides (404).
        assert web.status_code == (400 if SEES in expected else 404)
        assert not _changed(application, before)
        if SEES in expected:  # the page again, read-only, without the action forms
            html = web.content.decode()
            assert '<span class="tag tag-muted">只读</span>' in html and advance_form not in html
    if SEES in expected and WORKS not in expected:
        assert '<span class="tag tag-muted">只读</span>' in page.content.decode()


@pytest.mark.parametrize("role", ["province_staff", "province_acting"])
def test_a_company_that_is_not_a_branch_stays_hidden(
    client: Client, people: dict[str, User], submit: Any, role: str
) -> None:
    application = submit(region="640202")  # 大武口区: 国网石嘴山供电公司, not a branch
    assert application.company.name == "国网石嘴山供电公司"
    client.force_login(people[role])
    number = application.number
    assert client.get(reverse("application_detail", args=[number])).status_code == 404
    assert client.get(f"/api/v1/applications/{number}").status_code == 404
    assert number not in _numbers(client.get("/api/v1/applications"))
    assert number not in client.get(reverse("queue")).content.decode()


def test_the_personal_data_of_a_branch_application_is_masked_without_the_grant(
    client: Client, people: dict[str, User], submit: Any
) -> None:
    application = submit()
    for role, full in (("province_staff", False), ("province_acting", True)):
        client.force_login(people[role])
        html = client.get(reverse("application_detail", args=[application.number])).content
        assert (application.id_number in html.decode()) == full, role


def test_a_county_centre_below_a_city_branch_is_a_branch_too(
    people: dict[str, User], regions: dict[str, Any], yinchuan_company: Organisation
) -> None:
    from getelec.kernel.access import branch_ids

    centre = Organisation.objects.create(
        name="国网银川兴庆供电中心",
        kind="supply_company",
        region=regions["640104"],
        parent=yinchuan_company,
    )
    province = people["province_staff"].organisation
    assert branch_ids(province.pk) == {yinchuan_company.pk, centre.pk}
    assert branch_ids(yinchuan_company.pk) == {centre.pk}
    assert branch_ids(None) == set()


# --- the grant ---------------------------------------------------------------------------------


def test_a_grant_and_its_revocation_are_audited(
    client: Client, province_staff: User, admin_user: User, submit: Any
) -> None:
    application = submit()
    grant = accounts.grant_acting(admin_user, province_staff, "营销部统一代办")
    assert (grant.granted_by, grant.organisation) == (admin_user, province_staff.organisation)
    row = AuditEvent.objects.get(action="accounts.grant_acting")
    assert (row.actor, row.object_type, row.object_id) == (
        admin_user,
        "accounts.user",
        str(province_staff.pk),
    )
    assert row.reason == "营销部统一代办" and row.new["organisation"] == grant.organisation_id
    assert row.new["powers"] == ["work_branch_applications"]
    client.force_login(province_staff)
    assert client.get(f"/api/v1/applications/{application.number}").json()["can_work"]

    accounts.revoke_acting(admin_user, province_staff, "代办结束")
    row = AuditEvent.objects.get(action="accounts.revoke_acting")
    assert row.actor == admin_user and row.old["reason"] == "营销部统一代办"
    assert not client.get(f"/api/v1/applications/{application.number}").json()["can_work"]


@pytest.mark.parametrize(
    ("actor", "target", "reason", "error"),
    [
        ("province_staff", "province_staff", "代办", NotAllowed),  # only an admin grants
        ("staff", "province_staff", "代办", NotAllowed),
        ("admin", "staff", "代办", InvalidInput),  # a branch has no branches to act for
        ("admin", "regulator", "代办", InvalidInput),
        ("admin", "province_staff", "  ", InvalidInput),  # a reason is required
        ("admin", "province_acting", "代办", Conflict),  # already granted
    ],
)
def test_who_may_grant_and_to_whom(
    people: dict[str, User],
    admin_user: User,
    regulator: User,
    actor: str,
    target: str,
    reason: str,
    error: type[Exception],
) -> None:
    users = {**people, "admin": admin_user, "regulator": regulator}
    before = AuditEvent.objects.filter(action="accounts.grant_acting").count()
    with pytest.raises(error):
        accounts.grant_acting(users[actor], users[target], reason)
    assert AuditEvent.objects.filter(action="accounts.grant_acting").count() == before


def test_revoking_without_a_grant_or_as_a_non_admin_is_refused(
    people: dict[str, User], admin_user: User
) -> None:
    with pytest.raises(Conflict):
        accounts.revoke_acting(admin_user, people["province_staff"])
    with pytest.raises(NotAllowed):
        accounts.revoke_acting(people["province_staff"], people["province_acting"])
    assert not AuditEvent.objects.filter(action="accounts.revoke_acting").exists()


def test_a_grant_lapses_when_the_account_leaves_the_organisation(
    people: dict[str, User], submit: Any, yinchuan_company: Organisation
) -> None:
    from getelec.connection.selectors import can_work_on

    application = submit()
    acting = people["province_acting"]
    assert can_work_on(acting, application)
    acting.organisation = Organisation.objects.create(
        name="国网宁夏电力（另一省级单位，测试）",
        kind="supply_company",
        region=acting.organisation.region,
    )
    acting.save()
    acting = User.objects.get(pk=acting.pk)
    yinchuan_company.parent = acting.organisation
    yinchuan_company.save()
    assert not can_work_on(acting, application)  # the grant was for the former organisation


def test_the_admin_grants_and_revokes_in_the_django_admin(
    client: Client, province_staff: User, staff: User, admin_user: User
) -> None:
    client.force_login(admin_user)
    add = "/admin/accounts/actinggrant/add/"
    refused = client.post(add, {"user": staff.pk, "reason": "代办"})
    assert refused.status_code == 200  # the form again: a branch's staff cannot be granted
    assert (
        "只有省级供电企业的在岗工作人员可以获得代办下属单位申请的授权" in refused.content.decode()
    )
    assert not ActingGrant.objects.exists()
    response = client.post(add, {"user": province_staff.pk, "reason": "营销部统一代办"})
    assert response.status_code == 302
    grant = ActingGrant.objects.get(user=province_staff)
    assert grant.granted_by == admin_user
    assert AuditEvent.objects.filter(action="accounts.grant_acting", actor=admin_user).count() == 1
    delete = f"/admin/accounts/actinggrant/{grant.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not ActingGrant.objects.exists()
    assert AuditEvent.objects.filter(action="accounts.revoke_acting", actor=admin_user).count() == 1


def test_only_a_platform_admin_may_open_the_grants_in_the_django_admin(
    client: Client, province_staff: User
) -> None:
    from django.contrib.auth.models import Permission

    province_staff.is_staff = True  # a Django-admin login with the model permissions, but
    province_staff.save()  # not a platform admin
    province_staff.user_permissions.set(
        Permission.objects.filter(codename__in=["add_actinggrant", "delete_actinggrant"])
    )
    client.force_login(province_staff)
    assert client.get("/admin/accounts/actinggrant/add/").status_code == 403


def test_the_console_grants_and_revokes(
    province_staff: User, admin_user: User, capsys: pytest.CaptureFixture[str]
) -> None:
    from getelec.cli import EXIT_BAD_INPUT, main

    grant = ["accounts", "grant-acting", "province_staff", "--by", "admin", "--reason", "代办"]
    assert main(grant) == 0
    assert "granted\tprovince_staff\t国网宁夏电力有限公司\tby admin" in capsys.readouterr().out
    assert main(grant) == EXIT_BAD_INPUT  # already granted: nothing done
    assert main(["accounts", "acting"]) == 0
    assert "province_staff\t国网宁夏电力有限公司\tadmin" in capsys.readouterr().out
    wrong_actor = ["accounts", "revoke-acting", "province_staff", "--by", "province_staff"]
    assert main(wrong_actor) == EXIT_BAD_INPUT
    assert main(["accounts", "revoke-acting", "province_staff", "--by", "admin"]) == 0
    assert main(["accounts", "grant-acting", "nobody", "--by", "admin", "--reason", "x"]) == 2
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["accounts.grant_acting", "accounts.revoke_acting"]
