"""Organisation kinds and department types: the vocabulary, and a department type required of
departments only (model check constraint and clean())."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from getelec.accounts import models as accounts_models
from getelec.accounts.models import (
    DEPARTMENT_TYPE_VALUES,
    Organisation,
    Region,
    department_type_for,
)

K, T = Organisation.Kind, Organisation.DepartmentType


def test_the_constraint_lists_exactly_the_department_types() -> None:
    assert tuple(T.values) == DEPARTMENT_TYPE_VALUES


def test_the_kinds_and_their_chinese_names() -> None:
    with translation.override("zh-hans"):
        labels = {k.value: str(k.label) for k in K}
    assert labels == {
        "supply_company": "供电企业",
        "regulator": "监管机构",
        "department": "政府部门",
        "energy_authority": "地方能源主管部门",
        "property_manager": "物业服务企业",
        "developer": "房屋开发建设单位",
        "energy_service_company": "综合能源服务企业",
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # T4 names the five departments that approve external connection works.
        ("住房和城乡建设厅", T.HOUSING),
        ("宁夏回族自治区住房和城乡建设厅", T.HOUSING),
        ("银川市住房和城乡建设局", T.HOUSING),
        ("自然资源厅", T.NATURAL_RESOURCES),
        ("水利厅", T.WATER),
        ("银川市水务局", T.WATER),
        ("交通运输厅", T.TRANSPORT),
        ("公安厅", T.PUBLIC_SECURITY),
        ("银川市公安局交通警察支队", T.PUBLIC_SECURITY),  # not transport
        ("自治区发展改革委", ""),
    ],
)
def test_a_department_type_is_read_from_the_name(name: str, expected: str) -> None:
    assert department_type_for(name) == expected


@pytest.fixture
def province(db: None) -> Region:
    return Region.objects.create(code="640000", name="宁夏回族自治区", level="province")


CASES = [
    # (kind, department type, allowed)
    (K.DEPARTMENT, T.WATER, True),
    (K.DEPARTMENT, "", False),
    (K.DEPARTMENT, "agriculture", False),
    (K.SUPPLY_COMPANY, "", True),
    (K.SUPPLY_COMPANY, T.WATER, False),
    (K.REGULATOR, T.HOUSING, False),
    (K.ENERGY_AUTHORITY, "", True),
    (K.PROPERTY_MANAGER, "", True),
    (K.PROPERTY_MANAGER, T.HOUSING, False),
    (K.DEVELOPER, "", True),
    (K.ENERGY_SERVICE_COMPANY, "", True),
    (K.ENERGY_SERVICE_COMPANY, T.TRANSPORT, False),
]


@pytest.mark.parametrize(("kind", "department_type", "allowed"), CASES)
def test_only_departments_have_a_department_type_and_each_department_has_one(
    province: Region, kind: str, department_type: str, allowed: bool
) -> None:
    org = Organisation(name="某机构", kind=kind, department_type=department_type, region=province)
    if allowed:
        org.full_clean()
        org.save()
        return
    with pytest.raises(ValidationError) as raised:
        org.full_clean()
    assert "department_type" in raised.value.message_dict or raised.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        org.save()


def test_the_migration_types_departments_as_the_model_does() -> None:
    import importlib

    migration = importlib.import_module(
        "getelec.accounts.migrations.0003_organisation_new_kinds_and_department_type"
    )
    assert migration._DEPARTMENT_WORDS == accounts_models._DEPARTMENT_WORDS
