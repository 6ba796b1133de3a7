"""Plausibility (issue 10): a capacity beyond the plausible limit for the customer type and the
voltage the rules give is refused with a Chinese message naming the field, unless staff of the
serving company confirm it with a reason (entered at the counter; audited).

Limits (policy data): LV — `capacity_lv_max_kw` = 100 kW, the national supply rules' LV
threshold (PRACTICE: 《供电营业规则》), for residents; for other customers the larger of it and the
三零 cap in force (T1: 160 kW, L2). HV — `capacity_hv_max_kw` (DEFAULT): residents 1,000 kW,
small/micro enterprises 10,000 kW, no limit for private organisations and others.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import application_input
from getelec.audit.models import AuditEvent
from getelec.connection import services
from getelec.connection.models import Application
from getelec.core.policy import default_policy
from getelec.kernel.errors import InvalidInput

pytestmark = pytest.mark.django_db

# (citation, customer type, capacity kW, voltage asked, accepted?)
CASES = [
    ("PRACTICE 供电营业规则", "residential", "8", None, True),
    ("PRACTICE 供电营业规则", "residential", "100", None, True),
    ("PRACTICE 供电营业规则", "residential", "100.01", "low", False),  # LV beyond 100
    ("DEFAULT", "residential", "150", None, True),  # above the LV threshold: HV proposed
    ("DEFAULT", "residential", "1000", None, True),
    ("DEFAULT", "residential", "99999", None, False),  # the case
    ("DEFAULT", "residential", "1000.01", "high", False),
    ("T1", "small_micro_enterprise", "160", "low", True),  # the 三零 cap raises the LV limit
    ("T1", "small_micro_enterprise", "160.01", "low", False),
    ("DEFAULT", "small_micro_enterprise", "10000", None, True),
    ("DEFAULT", "small_micro_enterprise", "10000.01", None, False),
    ("DEFAULT", "private_org", "99999", None, True),  # no HV limit: large private industry
    ("DEFAULT", "other", "500000", None, True),
]


@pytest.mark.parametrize(
    ("clause", "customer_type", "kw", "voltage", "accepted"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in CASES],
)
def test_capacity_beyond_the_plausible_limit_is_refused_naming_the_field(
    submit: Any, clause: str, customer_type: str, kw: str, voltage: str | None, accepted: bool
) -> None:
    fields = {"customer_type": customer_type, "capacity_kw": kw, "voltage": voltage}
    if not accepted:
        with pytest.raises(InvalidInput) as caught:
            submit(**fields)
        assert caught.value.errors[0][0] == "capacity_kw"
        assert "合理范围" in caught.value.message and "千瓦" in caught.value.message
        assert "营业厅" in caught.value.message  # the route for a genuine exception
        assert not Application.objects.exists()
    else:
        app = submit(**fields)
        assert app.decision["capacity_limit"]["exceeded"] is False


def test_the_limits_come_from_policy_data_with_their_citations(frozen_today: Any) -> None:
    lv = default_policy().get("capacity_lv_max_kw", frozen_today)
    hv = default_policy().get("capacity_hv_max_kw", frozen_today)
    assert (lv.value, lv.citation.clause) == (100, "PRACTICE")
    assert "供电营业规则" in lv.citation.source
    assert hv.value == {"residential": 1000, "small_micro_enterprise": 10000}
    assert hv.citation.clause == "DEFAULT" and hv.citation.reason


def test_the_message_names_the_type_voltage_and_limit_in_chinese(submit: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        submit(capacity_kw="99999")
    assert caught.value.message.startswith(
        "报装容量99999千瓦超出居民高压供电的合理范围（不超过1000千瓦）"
    )


def test_all_errors_at_once_include_the_implausible_capacity(submit: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        submit(capacity_kw="99999", contact_phone="110")
    assert [f for f, _m in caught.value.errors] == ["contact_phone", "capacity_kw"]


def test_staff_of_the_serving_company_confirm_an_over_limit_capacity_with_a_reason(
    submit: Any, staff: Any, staff_other: Any, applicant_a: Any
) -> None:
    # Without a reason, even staff are refused.
    with pytest.raises(InvalidInput):
        submit(actor=staff, capacity_kw="99999")
    # The applicant cannot confirm it online.
    with pytest.raises(InvalidInput) as caught:
        services.submit_application(
            applicant_a, application_input(capacity_kw="99999"), capacity_confirmation="需要"
        )
    assert caught.value.field == "capacity_confirmation"
    # Staff of another company cannot confirm it.
    with pytest.raises(InvalidInput) as caught:
        services.submit_application(
            applicant_a,
            application_input(capacity_kw="99999"),
            actor=staff_other,
            capacity_confirmation="现场核实",
        )
    assert caught.value.field == "capacity_confirmation"
    app = services.submit_application(
        applicant_a,
        application_input(capacity_kw="1500"),
        actor=staff,
        capacity_confirmation="现场核实：农村自建养殖场与住宅同一户名",
    )
    limit = app.decision["capacity_limit"]
    assert (limit["exceeded"], limit["limit_kw"], limit["voltage"]) == (True, 1000.0, "high")
    assert limit["confirmed_reason"] == "现场核实：农村自建养殖场与住宅同一户名"
    assert app.decision["basis"]["capacity_limit"][0]["parameter"] == "capacity_hv_max_kw"
    event = AuditEvent.objects.get(action="connection.submit_application", object_id=str(app.pk))
    assert event.new["capacity_confirmed"] == "现场核实：农村自建养殖场与住宅同一户名"
    assert "现场核实" in event.reason and event.actor == staff


def test_a_confirmation_of_a_plausible_capacity_is_not_recorded(
    submit: Any, staff: Any, applicant_a: Any
) -> None:
    app = services.submit_application(
        applicant_a, application_input(), actor=staff, capacity_confirmation="无需"
    )
    assert app.decision["capacity_limit"]["confirmed_reason"] == ""
    event = AuditEvent.objects.get(action="connection.submit_application", object_id=str(app.pk))
    assert "capacity_confirmed" not in event.new and event.reason == "柜台代录"
