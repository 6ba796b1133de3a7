"""Resident ID numbers (GB 11643): checksum and birth date strictly, the region code as ever
assigned (an older person's number carries the code of where they are registered now)."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric

from getelec.connection import validators
from getelec.kernel.errors import InvalidInput

TODAY = dt.date(2026, 11, 26)


def with_check_digit(prefix17: str) -> str:
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


@pytest.mark.parametrize(
    ("number", "accepted"),
    [
        # 640104 兴庆区 exists since 2002: born 1985, registered there later (python-stdnum
        # refuses it as "地区码无效").
        ("640104198506121237", True),
        (with_check_digit("64010419850612123"), True),
        (with_check_digit("64010219900307001"), True),  # 640102 城区, in use in 1990
        (with_check_digit("64010219500101001"), True),  # 城区 long before the code list starts
        (with_check_digit("11010519491231002"), True),  # 北京市朝阳区
        (with_check_digit("64010420260101001").lower(), True),  # born this year
    ],
)
def test_a_region_code_ever_assigned_is_accepted_whatever_the_birth_year(
    number: str, accepted: bool
) -> None:
    assert validators.resident_id(number, TODAY) == number.upper()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "请填写身份证号码"),
        ("64010419850612123", "身份证号码应为18位"),
        ("6401041985061212370", "身份证号码应为18位"),
        ("64010419850612A237", "身份证号码格式不正确"),
        ("640104198506121238", "身份证号码校验位不正确，请核对"),
        (with_check_digit("64010419851312123"), "身份证号码中的出生日期无效"),  # month 13
        (with_check_digit("64010419850230123"), "身份证号码中的出生日期无效"),  # 30 February
        (with_check_digit("64010420270101123"), "身份证号码中的出生日期无效"),  # not born yet
        (with_check_digit("99999919850612123"), "身份证号码中的地区码无效"),  # never assigned
        (with_check_digit("64999919850612123"), "身份证号码中的地区码无效"),  # province only
    ],
)
def test_bad_numbers_are_refused_with_the_reason(number: str, message: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        validators.resident_id(number, TODAY)
    assert (exc.value.message, exc.value.field) == (message, "id_number")


def test_the_application_check_uses_it_for_residents() -> None:
    assert validators.id_number("residential", " 640104198506121237 ") == "640104198506121237"
