"""Fictitious but well-formed customer identities for demo and load-test data.

ID numbers carry correct check digits (python-stdnum's helpers): 居民身份证 (GB 11643) and
统一社会信用代码 (GB 32100, whose organisation-code part also carries its GB 11714 check digit).
Names, phones and addresses are made up; phone numbers use the 1380000xxxx-style test ranges.
"""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric, uscc

SURNAMES = "王李张刘杨马赵陈周吴孙海丁何田白金冯罗郭黄沈韩高苏虎纳"
GIVEN = [
    "建国",
    "秀兰",
    "志强",
    "海燕",
    "玉梅",
    "国华",
    "晓东",
    "丽娟",
    "文博",
    "佳怡",
    "子涵",
    "明轩",
    "学军",
    "桂芳",
    "永福",
    "春花",
    "德明",
    "宏伟",
    "欣怡",
    "浩然",
    "小龙",
    "淑珍",
]
ENTERPRISE_WORDS = [
    "塞上",
    "贺兰山",
    "黄河",
    "六盘山",
    "沙湖",
    "凤城",
    "宁安",
    "鑫源",
    "瑞丰",
    "恒达",
    "枸杞红",
    "滩羊",
    "西夏",
    "金沙",
    "长城",
    "朔方",
    "新华",
    "丰泽",
]
ENTERPRISE_TRADES = [
    ("商贸有限公司", "small_micro_enterprise"),
    ("餐饮管理有限公司", "small_micro_enterprise"),
    ("农业科技有限公司", "small_micro_enterprise"),
    ("食品加工有限公司", "small_micro_enterprise"),
    ("汽车维修服务部", "private_org"),
    ("养殖专业合作社", "private_org"),
    ("枸杞种植专业合作社", "private_org"),
    ("便民超市", "private_org"),
]
INSTITUTIONS = ["物业服务有限公司", "中学", "人民医院", "社区居民委员会", "文化旅游发展有限公司"]
STREETS = [
    "北京路",
    "凤凰街",
    "解放街",
    "正源街",
    "宁安大街",
    "黄河路",
    "文化街",
    "胜利街",
    "朔方路",
    "长城路",
    "清河街",
    "友爱街",
]
COMMUNITIES = [
    "阳光小区",
    "金地花园",
    "丽景湾",
    "塞上骄子",
    "紫园",
    "新华家园",
    "康居苑",
    "幸福里",
    "湖畔嘉苑",
    "福宁城",
]

# GB 11714 organisation code check digit.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 character set (no I O S V Z)


def resident_id(rng: random.Random, region: str) -> str:
    """An 18-digit 居民身份证号 registered in `region` (a county code) with a valid checksum."""
    for _ in range(50):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
        body = f"{region}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        # stdnum also checks that the county existed at birth (e.g. 红寺堡区 only from 2009).
        if ric.is_valid(number):
            return number
        # Born before the county was created: registered under a county that always existed.
        region = rng.choice(("640121", "640122", "640221"))
    raise RuntimeError("could not build a valid resident ID")


def _org_code(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(rng: random.Random, region: str, entity: str = "91") -> str:
    """An 18-character 统一社会信用代码 (91 = enterprise, 93 = cooperative) with valid checksums."""
    body = f"{entity}{region}{_org_code(rng)}"
    number = body + uscc.calc_check_digit(body)
    if not uscc.is_valid(number):
        raise ValueError(f"generated an invalid 统一社会信用代码: {number}")
    return number


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}"


def enterprise(rng: random.Random, city: str) -> tuple[str, str]:
    """(name, customer type) of a small enterprise or private organisation."""
    trade, customer_type = rng.choice(ENTERPRISE_TRADES)
    return f"{city.removesuffix('市')}{rng.choice(ENTERPRISE_WORDS)}{trade}", customer_type


def institution(rng: random.Random, county: str) -> str:
    return f"{county}{rng.choice(COMMUNITIES).removesuffix('小区')}{rng.choice(INSTITUTIONS)}"


def address(rng: random.Random, city: str, county: str, *, residential: bool) -> str:
    street = rng.choice(STREETS)
    if residential:
        return (
            f"{city}{county}{street}{rng.randrange(1, 300)}号{rng.choice(COMMUNITIES)}"
            f"{rng.randrange(1, 30)}号楼{rng.randrange(1, 6)}单元{rng.randrange(101, 2802)}室"
        )
    return f"{city}{county}{street}{rng.randrange(1, 600)}号"


def property_certificate(city: str, year: int, serial: int) -> str:
    """宁（2026）银川市不动产权第0001234号: identifies the property scope (同一产权范围)."""
    return f"宁（{year}）{city}不动产权第{serial:07d}号"
