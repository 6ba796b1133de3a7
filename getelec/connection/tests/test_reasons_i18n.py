"""The 三零 reasons written by the core are shown in the UI language (English catalog)."""

from __future__ import annotations

import itertools
import re

import pytest
from django.utils import translation

from getelec.connection.reasons import localise
from getelec.core.assess import parse_input, plan

CJK = re.compile(r"[\u4e00-\u9fff]")

CASES = [
    {
        "customer_type": customer_type,
        "request_type": request_type,
        "purpose": purpose,
        "capacity_kw": capacity,
        "property_existing_kw": existing,
        "requested_high_voltage": hv,
        "hv_to_lv_deregistration": dereg,
        "applied_on": "2026-11-26",
    }
    for customer_type, request_type, purpose, capacity, existing, hv, dereg in itertools.product(
        ["residential", "other"],
        ["new", "increase"],
        ["general", "ebike_charging"],
        [8, 200, 12.5],
        [0, 100, 155],
        [False, True],
        [False, True],
    )
]


def every_reason_text() -> set[str]:
    return {r.text for case in CASES for r in plan(parse_input(case)).reasons}


@pytest.mark.pure
def test_every_core_reason_has_an_english_text() -> None:
    texts = every_reason_text()
    assert len(texts) > 10
    with translation.override("en"):
        untranslated = sorted(t for t in texts if CJK.search(localise(t)))
    assert untranslated == []


@pytest.mark.pure
def test_in_chinese_the_stored_reason_is_shown_unchanged() -> None:
    with translation.override("zh-hans"):
        assert all(localise(t) == t for t in every_reason_text())


@pytest.mark.pure
def test_numbers_survive_translation() -> None:
    with translation.override("en"):
        text = localise("报装容量200千瓦超过160千瓦上限，建议采用高压供电")
    assert (
        text == "Requested capacity 200 kW exceeds the 160 kW cap; high-voltage supply is proposed"
    )
