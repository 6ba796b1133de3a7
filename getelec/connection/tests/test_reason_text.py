"""The 三零 reasons in the page language: the catalogue (getelec.core.reasons.MESSAGES) through
gettext, on every page and API answer that shows them. Each case cites its clause."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from getelec.connection.models import Application
from getelec.connection.reason_text import reason_text, rendered
from getelec.core.reasons import MESSAGES, Reason
from getelec.core.tests.test_reasons import every_reason

CJK = re.compile(r"[\u4e00-\u9fff]")

# (clause, rule, variant, values, Chinese, English)
CASES = [
    ("L34", "customer_type", "ebike_charging", {},
     "小区电动自行车充电设施按三零政策接电",
     "Community e-bike charging facilities are connected under the three-zero policy"),
    ("L2", "customer_type", "in_scope", {},
     "用户类型属于三零服务对象（居民、小微企业、民营经济组织）",
     "The customer type is covered by three-zero service (residents, small and micro "
     "enterprises, private economic organisations)"),
    ("PRACTICE", "customer_type", "residential", {},
     "居民低压用户按国家“三零”服务要求纳入三零服务",
     "Low-voltage residents are covered by three-zero service under the national three-zero "
     "requirements"),
    ("L2", "customer_type", "out_of_scope", {},
     "用户类型不属于三零服务对象（居民、小微企业、民营经济组织）",
     "The customer type is not covered by three-zero service (residents, small and micro "
     "enterprises, private economic organisations)"),
    ("T1", "request_type", "new", {}, "业务类型为正式新装",
     "The request is a new permanent connection"),
    ("T1", "request_type", "not_new", {}, "三零服务仅适用于正式新装，不含增容和临时用电",
     "Three-zero service applies only to new permanent connections, not to capacity increases "
     "or temporary supply"),
    ("T1", "capacity", "within", {"kw": 12.5, "cap": 160},
     "报装容量12.5千瓦不超过160千瓦上限", "Requested capacity 12.5 kW is within the 160 kW cap"),
    ("T1", "capacity", "over", {"kw": 200, "cap": 160},
     "报装容量200千瓦超过160千瓦上限，建议采用高压供电",
     "Requested capacity 200 kW exceeds the 160 kW cap; high-voltage supply is proposed"),
    ("T1", "property_scope_split", "within", {"existing": 60, "total": 160, "cap": 160},
     "同一产权范围内已有及在途容量60千瓦，合计160千瓦不超过160千瓦",
     "The same property scope already has 60 kW connected or pending; the total of 160 kW is "
     "within 160 kW"),
    ("T1", "property_scope_split", "split", {"existing": 80.5, "total": 180.5, "cap": 160},
     "同一产权范围内已有及在途容量80.5千瓦，合计180.5千瓦超过160千瓦，"
     "属拆分报装，不纳入三零服务，建议采用高压供电",
     "The same property scope already has 80.5 kW connected or pending; the total of 180.5 kW "
     "exceeds 160 kW: a split application, not covered by three-zero service; high-voltage "
     "supply is proposed"),
    ("T1", "hv_to_lv_deregistration", "excluded", {},
     "高压供电用户申请销户转低压用电，不纳入三零服务范围",
     "A high-voltage customer closing its account to move to low voltage is not covered by "
     "three-zero service"),
    ("T1", "voltage", "informed_consent", {},
     "用户因自身原因要求高压供电：须告知三零服务政策并由用户签字确认",
     "The customer asks for high-voltage supply for its own reasons: it must be told about "
     "three-zero service and sign a confirmation"),
    ("T1", "voltage", "high_voltage", {}, "高压供电，不适用低压三零服务",
     "High-voltage supply: low-voltage three-zero service does not apply"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("clause", "rule", "variant", "values", "chinese", "english"),
    CASES,
    ids=[f"{c[0]} {c[1]}/{c[2]}" for c in CASES],
)
def test_each_reason_reads_in_the_page_language(
    clause: str, rule: str, variant: str, values: dict[str, Any], chinese: str, english: str
) -> None:
    stored = Reason(rule=rule, clause=clause, met=False, variant=variant, values=values).as_dict()

    with translation.override("zh-hans"):
        assert reason_text(stored) == chinese
    with translation.override("en"):
        assert reason_text(stored) == english


def test_every_reason_the_core_gives_has_a_catalogue_entry_and_english() -> None:
    given = {(r.rule, r.variant): r for r in every_reason()}
    assert set(given) == set(MESSAGES) == {(c[1], c[2]) for c in CASES}
    with translation.override("en"):
        for reason in given.values():
            english = reason_text(reason)
            assert english and not CJK.search(english), (reason.rule, reason.variant, english)
    with translation.override("zh-hans"):
        assert all(reason_text(r) == r.text for r in given.values())


def test_a_legacy_stored_sentence_is_shown_as_stored() -> None:
    legacy = {"rule": "capacity", "clause": "T1", "text": "报装容量约两百千瓦", "met": False}

    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert reason_text({**legacy, "legacy": True}) == "报装容量约两百千瓦"
            # a reason the catalogue does not know (any more) also keeps its stored text
            assert reason_text({**legacy, "variant": "gone", "values": {}}) == "报装容量约两百千瓦"


def test_rendered_takes_core_reasons_and_stored_dicts_alike() -> None:
    reason = Reason(
        rule="capacity", clause="T1", met=True, variant="within", values={"kw": 8, "cap": 160}
    )
    with translation.override("en"):
        assert (
            rendered([reason])
            == rendered([reason.as_dict()])
            == [{**reason.as_dict(), "text": "Requested capacity 8 kW is within the 160 kW cap"}]
        )


# --- every place that shows reasons -----------------------------------------------------------


@pytest.mark.django_db
def test_the_detail_page_and_the_api_render_stored_reasons_in_the_request_language(
    client: Client, submit: Any, applicant_a: Any
) -> None:
    app = submit(capacity_kw="100", customer_type="small_micro_enterprise")
    client.force_login(applicant_a)

    page = client.get(reverse("application_detail", args=[app.number]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Requested capacity 100 kW is within the 160 kW cap" in page.content.decode()
    page = client.get(reverse("application_detail", args=[app.number]))
    assert "报装容量100千瓦不超过160千瓦上限" in page.content.decode()

    body = client.get(f"/api/v1/applications/{app.number}", HTTP_ACCEPT_LANGUAGE="en").json()
    capacity = next(r for r in body["decision"]["three_zero"]["reasons"] if r["rule"] == "capacity")
    assert capacity == {
        "rule": "capacity",
        "clause": "T1",
        "text": "Requested capacity 100 kW is within the 160 kW cap",
        "met": True,
        "variant": "within",
        "values": {"kw": 100, "cap": 160},
        "legacy": False,
    }


@pytest.mark.django_db
def test_a_legacy_reason_is_shown_as_stored_on_the_page_and_in_the_api(
    client: Client, submit: Any, applicant_a: Any
) -> None:
    app = submit()
    decision = app.decision
    decision["three_zero"]["reasons"] = [
        {"rule": "capacity", "clause": "T1", "text": "旧的判定理由", "met": True, "legacy": True}
    ]
    Application.objects.filter(pk=app.pk).update(decision=decision)
    client.force_login(applicant_a)

    page = client.get(reverse("application_detail", args=[app.number]), HTTP_ACCEPT_LANGUAGE="en")
    assert "旧的判定理由" in page.content.decode()
    body = client.get(f"/api/v1/applications/{app.number}", HTTP_ACCEPT_LANGUAGE="en").json()
    [reason] = body["decision"]["three_zero"]["reasons"]
    assert (reason["text"], reason["legacy"], reason["variant"]) == ("旧的判定理由", True, None)


@pytest.mark.django_db
def test_the_assess_preview_and_the_assess_api_render_in_the_request_language(
    client: Client, applicant_a: Any, regions: Any, frozen_today: Any
) -> None:
    from getelec.connection.tests.test_views import form_data

    client.force_login(applicant_a)
    html = client.post(
        reverse("assess_preview"), form_data(requested_high_voltage="on"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "it must be told about three-zero service and sign a confirmation" in html

    payload = {"customer_type": "other", "capacity_kw": 200, "applied_on": "2026-11-02"}
    english = client.post(
        "/api/v1/assess", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    chinese = client.post("/api/v1/assess", payload, content_type="application/json").json()
    texts = {r["rule"]: r["text"] for r in english["three_zero"]["reasons"]}
    assert texts["capacity"] == (
        "Requested capacity 200 kW exceeds the 160 kW cap; high-voltage supply is proposed"
    )
    capacity = next(r for r in chinese["three_zero"]["reasons"] if r["rule"] == "capacity")
    assert capacity["text"] == "报装容量200千瓦超过160千瓦上限，建议采用高压供电"
    assert capacity["values"] == {"kw": 200, "cap": 160}
