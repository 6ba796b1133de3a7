"""Reliability dashboard (L21, L22): indices by region × month, computed in DuckDB by the refresh
from the engine's interruptions, agree with the engine's own region and month figures."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from getelec.outages.models import ReliabilitySnapshot

pytestmark = pytest.mark.django_db


# Hand-checked on the test grid (conftest.BASE_OUTAGES; every outage 60 minutes, both meters of
# the district off, as of 2026-11-25, so November has 25 × 24 = 600 hours in the period).
@pytest.mark.parametrize(
    ("level", "region", "month", "expected"),
    [
        # 星海村台区 (T4): 11-05 and 11-20.
        ("mv", "640202", "2026-11", {"users": 1, "SAIFI": 2.0, "SAIDI": 120.0, "CAIDI": 60.0}),
        ("lv", "640202", "2026-11", {"users": 2, "SAIFI": 2.0, "SAIDI": 120.0, "CAIDI": 60.0}),
        ("mv", "640202", "2026-10", {"users": 1, "SAIFI": 0.0, "SAIDI": 0.0, "CAIDI": None}),
        # 兴庆区, August: T1 08-08, T2 08-05 and 08-25, T3 08-01 → 4 outages over 3 districts.
        ("mv", "640104", "2026-08", {"users": 3, "SAIFI": 4 / 3, "SAIDI": 80.0, "CAIDI": 60.0}),
        ("lv", "640104", "2026-08", {"users": 6, "SAIFI": 4 / 3, "SAIDI": 80.0, "CAIDI": 60.0}),
    ],
)
def test_indices_by_region_and_month(
    refreshed: Any, level: str, region: str, month: str, expected: dict[str, Any]
) -> None:
    block = ReliabilitySnapshot.objects.get(year=2026).by_region_month[level][region][month]
    for key, value in expected.items():
        assert block[key] == (pytest.approx(value, abs=1e-6) if value is not None else None), key
    if month == "2026-11":
        # RS-1 = (1 - AIHC-1 / period hours) × 100: 2 hours out of 600.
        assert block["RS-1"] == pytest.approx((1 - 2 / 600) * 100, abs=1e-6)


@pytest.mark.parametrize("level", ["lv", "mv"])
def test_region_by_month_sums_to_the_engines_region_and_month_figures(
    refreshed: Any, level: str
) -> None:
    snap = ReliabilitySnapshot.objects.get(year=2026)
    engine = snap.indices[level]
    mine = snap.by_region_month[level]
    assert set(mine) == set(engine["by_region"])
    for region, by_month in mine.items():
        theirs = engine["by_region"][region]
        assert sum(b.get("interruptions", 0) for b in by_month.values()) == theirs["interruptions"]
        assert sum(b.get("customer_hours", 0) for b in by_month.values()) == pytest.approx(
            theirs["customer_hours"]
        )
        assert {b["users"] for b in by_month.values()} == {theirs["users"]}
    months = {m for by_month in mine.values() for m in by_month}
    assert months == set(engine["by_month"])
    for month in months:
        total = sum(mine[r][month].get("interruptions", 0) for r in mine)
        assert total == engine["by_month"][month].get("interruptions", 0)


def test_the_dashboard_shows_the_region_by_month_table_for_the_chosen_index(
    refreshed: Any, users: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(users["regulator"])
    response = client.get(reverse("outages:dashboard"), {"level": "mv", "index": "SAIFI"})
    assert response.status_code == 200
    table = response.context["region_month"]
    assert table["index"] == "SAIFI"
    row = next(r for r in table["rows"] if r["code"] == "640202")
    assert row["values"][table["months"].index("2026-11")] == pytest.approx(2.0)
    html = response.content.decode()
    assert 'id="region-month-table"' in html and 'id="quality-chart-data"' in html


def test_the_yearly_reward_penalty_table_is_published_to_the_regulator_view(
    refreshed: Any, users: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(users["regulator"])
    response = client.get(reverse("outages:regulator"))
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.context["reward"]["rows"]}
    # 兴庆区: 14 district-hours over 3 districts in 7,920 hours → RS-1 99.94 %, but two frequent
    # districts (T1, T2) forbid a reward and are fewer than the penalty's 3 → pass.
    assert (rows["640104"]["frequent"], rows["640104"]["verdict"]) == (2, "pass")
    # 大武口区: 2 hours over 1 district → RS-1 99.975 % ≥ 99.95 and no frequent district.
    assert (rows["640202"]["frequent"], rows["640202"]["verdict"]) == (0, "reward")
    html = response.content.decode()
    assert 'id="reward-penalty"' in html
    # The criteria by what they mean, never by their parameter names.
    assert "quality_penalty" not in html and "quality_reward" not in html
    assert "处罚线：频繁停电台区数达到（个） 3" in html


def test_a_configured_email_channel_delivers_notices_after_commit(
    refreshed: Any,
    users: dict[str, Any],
    frozen: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core import mail

    from getelec.outages import services
    from getelec.outages.models import CustomerNotice, District, Meter

    settings.OUTAGE_NOTIFICATION_CHANNELS = ["email"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    users["customer"].email = "customer@example.org"
    users["customer"].save()
    Meter.objects.filter(meter_id="M01").update(account=users["customer"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.open_repair(
            users["staff_a"], district=District.objects.get(district_id="T1"), description="跳闸"
        )
    notices = CustomerNotice.objects.filter(repair=ticket)
    assert sorted(notices.values_list("channel", flat=True)) == ["email", "outbox"]
    assert all(n.sent_at for n in notices)
    assert [m.to for m in mail.outbox] == [["customer@example.org"]]
    assert ticket.number in mail.outbox[0].body


def test_the_dashboards_figures_are_the_engines_for_the_same_data(
    refreshed: Any, users: dict[str, Any], tmp_path: Any
) -> None:
    """The desk restates no index formula: every figure it shows is the engine's, run here
    directly on the registry and the events the refresh read."""
    import datetime as dt

    from getelec.analytics import analyze, params_from_policy
    from getelec.outages import datasource
    from getelec.outages.dashboard import INDEX_KEYS
    from getelec.outages.registry import export_registry

    as_of = dt.date(2026, 11, 25)
    export_registry(tmp_path / "meters.parquet")
    result = analyze(
        tmp_path / "meters.parquet",
        datasource.require_events(2026, tmp_path, refreshed.data_dir),
        datasource.input_file(2026, "causes", tmp_path, refreshed.data_dir),
        year=2026,
        as_of=as_of,
        params=params_from_policy(as_of),
    )
    client = Client()
    client.force_login(users["regulator"])
    for level in ("lv", "mv"):
        engine = result.indices[level]
        for index in INDEX_KEYS:
            response = client.get(reverse("outages:dashboard"), {"level": level, "index": index})
            context = response.context
            table = context["region_month"]
            assert table["months"] == sorted(engine["by_month"])
            assert table["rows"], (level, index)
            for row in table["rows"]:
                by_month = engine["by_region_month"][row["code"]]
                assert row["values"] == [by_month[m].get(index) for m in table["months"]]
            assert [context["overall"][k] for k in INDEX_KEYS] == [
                engine["overall"].get(k) for k in INDEX_KEYS
            ]
            assert [[r[k] for k in INDEX_KEYS] for r in context["months"]] == [
                [engine["by_month"][m].get(k) for k in INDEX_KEYS]
                for m in sorted(engine["by_month"])
            ]
