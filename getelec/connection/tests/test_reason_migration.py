"""Migration 0004: stored 三零 sentences become data (rule, variant, values), once.

The old sentences are exactly those the core wrote before (T1, L2, L34); a sentence the
migration cannot read keeps its text, marked legacy, and is shown as stored. Backwards writes
the sentences back.
"""

from __future__ import annotations

import copy
import importlib
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from getelec.connection.models import Application
from getelec.connection.reason_text import reason_text

migration = importlib.import_module(
    "getelec.connection.migrations.0004_structured_decision_reasons"
)
BEFORE = ("connection", "0003_application_scope_index")

# (clause, the reason as stored before, rule variant, values)
OLD = [
    ("L34", "customer_type", "小区电动自行车充电设施按三零政策接电", True, "ebike_charging", {}),
    ("L2", "customer_type", "用户类型属于三零服务对象（居民、小微企业、民营经济组织）", True,
     "in_scope", {}),
    ("L2", "customer_type", "用户类型不属于三零服务对象（居民、小微企业、民营经济组织）", False,
     "out_of_scope", {}),
    ("T1", "request_type", "业务类型为正式新装", True, "new", {}),
    ("T1", "request_type", "三零服务仅适用于正式新装，不含增容和临时用电", False, "not_new", {}),
    ("T1", "capacity", "报装容量8千瓦不超过160千瓦上限", True, "within", {"kw": 8, "cap": 160}),
    ("T1", "capacity", "报装容量12.5千瓦不超过160千瓦上限", True, "within",
     {"kw": 12.5, "cap": 160}),
    ("T1", "capacity", "报装容量200千瓦超过160千瓦上限，建议采用高压供电", False, "over",
     {"kw": 200, "cap": 160}),
    ("T1", "capacity", "报装容量1.23457e+06千瓦超过160千瓦上限，建议采用高压供电", False, "over",
     {"kw": 1234570, "cap": 160}),
    ("T1", "property_scope_split", "同一产权范围内已有及在途容量60千瓦，合计160千瓦不超过160千瓦",
     True, "within", {"existing": 60, "total": 160, "cap": 160}),
    ("T1", "property_scope_split",
     "同一产权范围内已有及在途容量80.5千瓦，合计180.5千瓦超过160千瓦，属拆分报装，不纳入三零服务，"
     "建议采用高压供电", False, "split", {"existing": 80.5, "total": 180.5, "cap": 160}),
    ("T1", "hv_to_lv_deregistration", "高压供电用户申请销户转低压用电，不纳入三零服务范围", False,
     "excluded", {}),
    ("T1", "voltage", "用户因自身原因要求高压供电：须告知三零服务政策并由用户签字确认", False,
     "informed_consent", {}),
    ("T1", "voltage", "高压供电，不适用低压三零服务", False, "high_voltage", {}),
]  # fmt: skip

# Stored reasons the migration cannot read: kept as they are, marked legacy.
UNREADABLE = [
    {"rule": "capacity", "clause": "T1", "text": "报装容量约两百千瓦", "met": False},
    # the core never wrote "超过" without proposing high voltage
    {"rule": "capacity", "clause": "T1", "text": "报装容量200千瓦超过160千瓦上限", "met": False},
    # a known sentence under another rule code
    {"rule": "voltage", "clause": "T1", "text": "业务类型为正式新装", "met": True},
    {"rule": "capacity", "clause": "T1", "text": "报装容量1.2.3千瓦不超过160千瓦上限", "met": True},
]


def old_reason(case: tuple[Any, ...]) -> dict[str, Any]:
    clause, rule, text, met = case[:4]
    return {"rule": rule, "clause": clause, "text": text, "met": met}


def old_decision(reasons: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "category": "lv_three_zero",
        "three_zero": {"eligible": False, "reasons": reasons},
        "time_limit_working_days": 5,
        "basis": {"three_zero": [{"parameter": "three_zero_max_kw", "clause": "T1"}]},
    }


@pytest.mark.pure
@pytest.mark.parametrize("case", OLD, ids=[f"{c[0]} {c[1]}/{c[4]}" for c in OLD])
def test_each_old_sentence_becomes_data_and_reads_the_same(case: tuple[Any, ...]) -> None:
    clause, rule, text, met, variant, values = case

    converted = migration.convert_reason(old_reason(case))

    assert converted == {
        "rule": rule,
        "clause": clause,
        "met": met,
        "variant": variant,
        "values": values,
    }
    assert migration.restore_reason(converted) == old_reason(case)
    with translation.override("zh-hans"):
        shown = reason_text(converted)
    assert shown == text.replace("1.23457e+06", "1234570")  # numbers now shown in full
    assert migration.SENTENCES[(rule, variant)]  # the catalogue of the time has the pair


@pytest.mark.pure
@pytest.mark.parametrize("reason", UNREADABLE, ids=[r["text"] for r in UNREADABLE])
def test_an_unreadable_sentence_keeps_its_text_marked_legacy(reason: dict[str, Any]) -> None:
    converted = migration.convert_reason(reason)

    assert converted == {**reason, "legacy": True}
    assert migration.restore_reason(converted) == reason
    with translation.override("en"):
        assert reason_text(converted) == reason["text"]


@pytest.mark.pure
def test_a_decision_converts_once_and_back_and_keeps_everything_else() -> None:
    old = old_decision([old_reason(c) for c in OLD] + UNREADABLE)
    before = copy.deepcopy(old)

    new = migration.convert_decision(old)

    assert old == before  # the input is not changed in place
    assert {k: v for k, v in new.items() if k != "three_zero"} == {
        k: v for k, v in old.items() if k != "three_zero"
    }
    assert [r.get("legacy", False) for r in new["three_zero"]["reasons"]] == [False] * len(OLD) + [
        True
    ] * len(UNREADABLE)
    assert migration.convert_decision(new) == new  # idempotent
    assert migration.restore_decision(new) == old
    assert migration.convert_decision({}) == {}  # nothing stored: nothing to do
    assert migration.convert_decision({"three_zero": {"eligible": True}}) == {
        "three_zero": {"eligible": True}
    }


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_stored_decisions_both_ways(submit: Any) -> None:
    converted_now = submit(capacity_kw="100", customer_type="small_micro_enterprise")
    old = old_decision([old_reason(c) for c in OLD] + UNREADABLE)
    stored_old = submit(property_scope="宁(2026)银川市不动产权第0000009号")
    Application.objects.filter(pk=stored_old.pk).update(decision=old)
    current = converted_now.decision

    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])  # backwards: today's data back to sentences
        restored = Application.objects.get(pk=converted_now.pk).decision
        assert [r["text"] for r in restored["three_zero"]["reasons"]] == [
            "用户类型属于三零服务对象（居民、小微企业、民营经济组织）",
            "业务类型为正式新装",
            "报装容量100千瓦不超过160千瓦上限",
        ]
        assert Application.objects.get(pk=stored_old.pk).decision == old
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())  # forwards, and any later ones

    assert Application.objects.get(pk=converted_now.pk).decision == current
    after = Application.objects.get(pk=stored_old.pk).decision
    assert after == migration.convert_decision(old)
    assert [r.get("variant") for r in after["three_zero"]["reasons"][: len(OLD)]] == [
        c[4] for c in OLD
    ]


@pytest.mark.django_db
def test_the_forwards_function_leaves_rows_without_reasons_alone(submit: Any) -> None:
    app = submit()
    Application.objects.filter(pk=app.pk).update(decision={})

    migration.forwards(current_apps, None)

    assert Application.objects.get(pk=app.pk).decision == {}
