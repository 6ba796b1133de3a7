"""Fixtures of the regulator's desk: regions, two supply companies, the two regulators, a city
energy authority, a department, one user per role, and an application factory."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from getelec.accounts.models import Organisation, Region, User, department_type_for
from getelec.connection.models import Application, Category, Status, Voltage

if TYPE_CHECKING:
    import time_machine

_numbers = itertools.count(1)


@pytest.fixture
def regions(db: Any) -> dict[str, Region]:
    province, _ = Region.objects.get_or_create(
        code="640000", defaults={"name": "宁夏回族自治区", "level": Region.Level.PROVINCE}
    )
    yinchuan, _ = Region.objects.get_or_create(
        code="640100", defaults={"name": "银川市", "level": Region.Level.CITY, "parent": province}
    )
    xingqing, _ = Region.objects.get_or_create(
        code="640104", defaults={"name": "兴庆区", "level": Region.Level.COUNTY, "parent": yinchuan}
    )
    shizuishan, _ = Region.objects.get_or_create(
        code="640200", defaults={"name": "石嘴山市", "level": Region.Level.CITY, "parent": province}
    )
    dawukou, _ = Region.objects.get_or_create(
        code="640202",
        defaults={"name": "大武口区", "level": Region.Level.COUNTY, "parent": shizuishan},
    )
    return {
        "province": province,
        "yinchuan": yinchuan,
        "xingqing": xingqing,
        "shizuishan": shizuishan,
        "dawukou": dawukou,
    }


@pytest.fixture
def orgs(regions: dict[str, Region]) -> dict[str, Organisation]:
    def org(name: str, kind: str, region: Region) -> Organisation:
        department_type = department_type_for(name) if kind == Organisation.Kind.DEPARTMENT else ""
        return Organisation.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "region": region, "department_type": department_type},
        )[0]

    k = Organisation.Kind
    return {
        "company_a": org("国网银川供电公司", k.SUPPLY_COMPANY, regions["yinchuan"]),
        "company_b": org("国网石嘴山供电公司", k.SUPPLY_COMPANY, regions["shizuishan"]),
        "ndrc": org("自治区发展改革委", k.REGULATOR, regions["province"]),
        "nea": org("国家能源局西北监管局", k.REGULATOR, regions["province"]),
        "energy_yinchuan": org("银川市发展改革委（能源）", k.ENERGY_AUTHORITY, regions["yinchuan"]),
        "housing": org("住房和城乡建设厅", k.DEPARTMENT, regions["province"]),
    }


@pytest.fixture
def users(orgs: dict[str, Organisation], regions: dict[str, Region]) -> dict[str, User]:
    def user(name: str, role: str, org: Organisation | None, region: Region | None = None) -> User:
        return User.objects.create_user(
            username=name,
            password="pw-For-tests-1",
            role=role,
            organisation=org,
            region=region or (org.region if org else None),
            display_name=name,
        )

    r = User.Role
    return {
        "applicant": user("applicant", r.APPLICANT, None),
        "staff_a": user("staff_a", r.STAFF, orgs["company_a"]),
        "staff_b": user("staff_b", r.STAFF, orgs["company_b"]),
        "regulator_ndrc": user("regulator_ndrc", r.REGULATOR, orgs["ndrc"]),
        "regulator_nea": user("regulator_nea", r.REGULATOR, orgs["nea"]),
        "energy_yinchuan": user("energy_yinchuan", r.REGULATOR, orgs["energy_yinchuan"]),
        "department": user("department", r.DEPARTMENT, orgs["housing"]),
        "admin": user("admin", r.ADMIN, None, regions["province"]),
    }


@pytest.fixture
def make_application(
    users: dict[str, User], orgs: dict[str, Organisation], regions: dict[str, Region]
) -> Callable[..., Application]:
    """An application row as the connection service would leave it (test data only)."""

    def make(**overrides: Any) -> Application:
        n = next(_numbers)
        company = overrides.pop("company", orgs["company_a"])
        region = overrides.pop(
            "region", regions["xingqing"] if company == orgs["company_a"] else regions["dawukou"]
        )
        values: dict[str, Any] = {
            "number": f"T{n:08d}",
            "verification_code": "ABC123",
            "applicant": users["applicant"],
            "company": company,
            "region": region,
            "customer_type": "small_micro_enterprise",
            "customer_name": f"测试商贸有限公司{n}",
            "id_number": "91640100MA76543210",
            "contact_phone": "13800000000",
            "address": f"兴庆区解放西街{n}号",
            "property_scope": f"宁(2026)银川市不动产权第{n:07d}号",
            "request_type": "new",
            "purpose": "general",
            "capacity_kw": Decimal("50"),
            "voltage": Voltage.LOW,
            "supply": "single",
            "external_works": True,
            "category": Category.LV_THREE_ZERO,
            "three_zero": True,
            "time_limit_wd": 15,
            "applied_on": dt.date(2026, 9, 1),
            "due_on": dt.date(2026, 9, 22),
            "status": Status.IN_PROGRESS,
            "current_stage": "external_works",
        }
        values.update(overrides)
        return Application.objects.create(**values)

    return make


@pytest.fixture
def blocked(make_application: Callable[..., Application]) -> Callable[..., Application]:
    """An LV application staff marked as blocked by a public grid upgrade (T2/L4)."""

    def make(**overrides: Any) -> Application:
        values = {
            "grid_upgrade_cause": "public_grid_upgrade",
            "grid_upgrade_project": "10千伏解放线改造工程",
            "grid_upgrade_committed_on": dt.date(2026, 12, 15),
            "grid_upgrade_marked_on": dt.date(2026, 9, 10),
            "customer_informed_on": dt.date(2026, 9, 11),
        }
        values.update(overrides)
        return make_application(**values)

    return make


NOW = "2026-11-26 10:00 +0800"


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    """Today is Thursday 26 November 2026 (Asia/Shanghai)."""
    import time_machine

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
