"""Shared pytest fixtures: Ningxia regions, two supply companies, a regulator, one user per role.

    def test_it_hides_other_applications(client, applicant_b, submit):
        application = submit()                        # applicant_a, 兴庆区, 8 kW residential
        client.force_login(applicant_b)
        ...

Time: `frozen_today` freezes "now" at 2026-11-26 10:00 Asia/Shanghai (2027 is not loaded).
Passwords of every fixture user: PASSWORD.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

PASSWORD = "getelec-test-pw-1"
TODAY = dt.date(2026, 11, 26)

REGIONS: list[tuple[str, str, str, str | None]] = [
    # code, name, level, parent
    ("640000", "宁夏回族自治区", "province", None),
    ("640100", "银川市", "city", "640000"),
    ("640104", "兴庆区", "county", "640100"),
    ("640105", "西夏区", "county", "640100"),
    ("640106", "金凤区", "county", "640100"),
    ("640200", "石嘴山市", "city", "640000"),
    ("640202", "大武口区", "county", "640200"),
    ("640205", "惠农区", "county", "640200"),
    # A city without a supply company on the platform (applications there are refused).
    ("640300", "吴忠市", "city", "640000"),
    ("640302", "利通区", "county", "640300"),
]


def resident_id(prefix17: str = "64010219900307001") -> str:
    """A resident ID number (GB 11643) with a valid check digit (place code valid at birth:
    640102 城区 for 1990; python-stdnum checks the code against the birth date)."""
    from stdnum.cn import ric

    return prefix17 + ric.calc_check_digit(prefix17 + "0")


def credit_code(prefix17: str = "91640100MA76A1B2C") -> str:
    """A 统一社会信用代码 (GB 32100) with a valid check digit."""
    from stdnum.cn import uscc

    return prefix17 + uscc.calc_check_digit(prefix17)


def _django_loaded(request: pytest.FixtureRequest) -> bool:
    """False when pytest runs without the Django plugin (``-p no:django``): the pure packages'
    tests (getelec.core, getelec.analytics) run that way, so these autouse fixtures must not
    touch Django there (getelec/core/tests/test_purity.py)."""
    return request.config.pluginmanager.hasplugin("django")


@pytest.fixture(autouse=True)
def _fast_password_hasher(request: pytest.FixtureRequest) -> None:
    """Fixture users are created per test: a slow hasher would dominate the run time."""
    if _django_loaded(request):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """The calendar cache lives per process: never let one test's imported year leak."""
    if not _django_loaded(request):
        yield
        return
    from getelec.workcalendar import source

    source.invalidate()
    yield
    source.invalidate()


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """The default cache (LocMem) lives per process: never let one test's entries leak."""
    if not _django_loaded(request):
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen_today() -> Iterator[dt.date]:
    import time_machine

    with time_machine.travel(
        dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ):
        yield TODAY


@pytest.fixture
def media_root(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def regions(db: Any) -> dict[str, Any]:
    from getelec.accounts.models import Region

    made: dict[str, Any] = {}
    for code, name, level, parent in REGIONS:
        made[code] = Region.objects.create(
            code=code, name=name, level=level, parent=made.get(parent) if parent else None
        )
    return made


@pytest.fixture
def yinchuan_company(regions: dict[str, Any]) -> Any:
    from getelec.accounts.models import Organisation

    return Organisation.objects.create(
        name="国网银川供电公司",
        short_name="银川供电",
        kind="supply_company",
        region=regions["640100"],
    )


@pytest.fixture
def shizuishan_company(regions: dict[str, Any]) -> Any:
    from getelec.accounts.models import Organisation

    return Organisation.objects.create(
        name="国网石嘴山供电公司",
        short_name="石嘴山供电",
        kind="supply_company",
        region=regions["640200"],
    )


@pytest.fixture
def regulator_org(regions: dict[str, Any]) -> Any:
    from getelec.accounts.models import Organisation

    return Organisation.objects.create(
        name="国家能源局西北监管局宁夏业务办",
        short_name="西北能监局",
        kind="regulator",
        region=regions["640000"],
    )


def _user(username: str, role: str, **extra: Any) -> Any:
    from getelec.accounts.models import User

    user = User(username=username, role=role, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def applicant_a(db: Any) -> Any:
    return _user(
        "applicant_a",
        "applicant",
        display_name="张三",
        phone="13800000001",
        email="a@example.invalid",
    )


@pytest.fixture
def applicant_b(db: Any) -> Any:
    return _user(
        "applicant_b",
        "applicant",
        display_name="李四",
        phone="13800000002",
        email="b@example.invalid",
    )


@pytest.fixture
def staff(yinchuan_company: Any, regions: dict[str, Any]) -> Any:
    """客户经理 of 国网银川供电公司, scope 银川市 (6401…)."""
    return _user(
        "staff",
        "staff",
        display_name="王经理",
        organisation=yinchuan_company,
        region=regions["640100"],
    )


@pytest.fixture
def staff_other(shizuishan_company: Any, regions: dict[str, Any]) -> Any:
    """客户经理 of 国网石嘴山供电公司, scope 石嘴山市 (6402…)."""
    return _user(
        "staff_other",
        "staff",
        display_name="赵经理",
        organisation=shizuishan_company,
        region=regions["640200"],
    )


@pytest.fixture
def regulator(regulator_org: Any, regions: dict[str, Any]) -> Any:
    return _user(
        "regulator",
        "regulator",
        display_name="监管员",
        organisation=regulator_org,
        region=regions["640000"],
    )


@pytest.fixture
def admin_user(regions: dict[str, Any]) -> Any:
    return _user("admin", "admin", display_name="管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def roles(
    applicant_a: Any,
    applicant_b: Any,
    staff: Any,
    staff_other: Any,
    regulator: Any,
    admin_user: Any,
) -> dict[str, Any]:
    """Every fixture user by name, plus "anonymous": None."""
    return {
        "applicant_a": applicant_a,
        "applicant_b": applicant_b,
        "staff": staff,
        "staff_other": staff_other,
        "regulator": regulator,
        "admin": admin_user,
        "anonymous": None,
    }


def application_input(**overrides: Any) -> Any:
    """An ApplicationInput: by default an 8 kW residential new connection in 兴庆区 (三零, 5 wd)."""
    from getelec.connection.services import ApplicationInput

    data: dict[str, Any] = {
        "customer_type": "residential",
        "customer_name": "张三",
        "id_number": resident_id(),
        "contact_phone": "13800000001",
        "address": "银川市兴庆区解放东街1号",
        "region": "640104",
        "property_scope": "宁(2026)银川市不动产权第0000001号",
        "request_type": "new",
        "purpose": "general",
        "capacity_kw": "8",
    }
    if (
        overrides.get("customer_type", "residential") != "residential"
        and "id_number" not in overrides
    ):
        data["id_number"] = credit_code()
    data.update(overrides)
    return ApplicationInput(**data)


@pytest.fixture
def submit(
    frozen_today: dt.date,
    applicant_a: Any,
    yinchuan_company: Any,
    shizuishan_company: Any,
    media_root: Any,
) -> Callable[..., Any]:
    """submit(applicant=applicant_a, uploads=None, **fields) → Application, via the service."""
    from getelec.connection import services

    def _submit(
        applicant: Any = None,
        uploads: Any = None,
        reuse_document_ids: Any = None,
        applied_on: Any = None,
        actor: Any = None,
        **fields: Any,
    ) -> Any:
        return services.submit_application(
            applicant or applicant_a,
            application_input(**fields),
            uploads=uploads,
            reuse_document_ids=reuse_document_ids,
            applied_on=applied_on,
            actor=actor,
        )

    return _submit


@pytest.fixture
def organisation_users(db: Any) -> dict[str, Any]:
    """One account in every kind of organisation at every level (getelec.accounts.testing:
    ORGANISATION_CASES, by key), plus "applicant", "admin" and "anonymous": None."""
    from getelec.accounts.testing import make_organisation_users

    return make_organisation_users(PASSWORD)
