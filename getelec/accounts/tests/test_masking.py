"""Masking of personal data: a table of cases per function."""

from __future__ import annotations

import pytest

from getelec.accounts.masking import mask_address, mask_name, mask_property_scope, outside_view

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        # Down to the building number, the rest masked.
        ("银川市兴庆区解放东街12号楼3单元502", "银川市兴庆区解放东街12号楼****"),
        (
            "银川市兴庆区解放东街12号阳光小区3号楼2单元502室",
            "银川市兴庆区解放东街12号阳光小区3号楼****",
        ),
        ("金凤区枸杞花园5栋1单元301", "金凤区枸杞花园5栋****"),
        ("金凤区枸杞花园5幢301", "金凤区枸杞花园5幢****"),
        ("西夏区文萃路8号院502室", "西夏区文萃路8号院****"),
        ("西夏区文萃路8号院3号楼1单元", "西夏区文萃路8号院3号楼****"),
        ("金凤区万达广场A座1201", "金凤区万达广场A座****"),
        # No building: the unit, floor or room starts the masked part.
        ("兴庆区解放西街12号502室", "兴庆区解放西街12号****"),
        ("兴庆区解放西街12号3楼", "兴庆区解放西街12号****"),
        ("兴庆区阳光小区2单元502室", "兴庆区阳光小区****"),
        ("兴庆区解放东街12-3-502", "兴庆区解放东街12****"),
        # Nothing below the building: kept.
        ("兴庆区解放西街12号", "兴庆区解放西街12号"),
        ("西夏区文萃路8号院3号楼", "西夏区文萃路8号院3号楼"),
        ("永宁县杨和镇纳家户村3组", "永宁县杨和镇纳家户村3组"),
        ("", ""),
        # Masking twice changes nothing.
        ("银川市兴庆区解放东街12号楼****", "银川市兴庆区解放东街12号楼****"),
        ("兴庆区解放西街12号****", "兴庆区解放西街12号****"),
    ],
)
def test_an_address_is_masked_after_the_building_number(address: str, masked: str) -> None:
    assert mask_address(address) == masked
    assert mask_address(masked) == masked


@pytest.mark.parametrize(
    ("name", "masked"), [("张三丰", "张**"), ("马明", "马*"), ("欧阳娜娜", "欧***"), ("", "")]
)
def test_a_persons_name_keeps_its_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


RECORD = {
    "project_name": "张三丰用电报装（T1）",
    "customer_name": "张三丰",
    "address": "银川市兴庆区解放东街12号楼3单元502",
    "measures": "已告知张三丰本人",
    "capacity_kw": 8,
}


def test_outside_the_company_a_residents_name_is_masked_everywhere_in_the_record() -> None:
    seen = outside_view(RECORD, "张三丰", "residential")
    assert seen == {
        "project_name": "张**用电报装（T1）",
        "customer_name": "张**",
        "address": "银川市兴庆区解放东街12号楼****",
        "measures": "已告知张**本人",
        "capacity_kw": 8,
    }
    assert outside_view(seen, "张三丰", "residential") == seen
    assert RECORD["customer_name"] == "张三丰"  # the input is left alone


def test_an_enterprise_keeps_its_name_but_not_the_full_address() -> None:
    record = {**RECORD, "customer_name": "银川枸杞红商贸有限公司", "project_name": "门店用电"}
    seen = outside_view(record, "银川枸杞红商贸有限公司", "small_micro_enterprise")
    assert seen["customer_name"] == "银川枸杞红商贸有限公司"
    assert seen["address"] == "银川市兴庆区解放东街12号楼****"


@pytest.mark.parametrize(
    ("scope", "masked"),
    [
        ("宁(2026)银川市不动产权第0000009号", "宁(2026)银川市不动产权第*******号"),
        (
            "宁（２０２６）银川市不动产权第０００００１２号",
            "宁（２０２６）银川市不动产权第*******号",
        ),
        ("宁(2026)银川市不动产权第*******号", "宁(2026)银川市不动产权第*******号"),
        ("", ""),
    ],
)
def test_a_property_certificate_keeps_place_and_year_but_not_its_serial(
    scope: str, masked: str
) -> None:
    """Item 5 of the hardening issue: the certificate number identifies the owner."""
    assert mask_property_scope(scope) == masked
