"""Migration 0005: max_count_60 becomes max_count_window, and existing rows get window_days
from the policy value in force on their as-of date (outage_window_days, L28)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from getelec.accounts.models import Organisation, Region

BEFORE = [("outages", "0004_meter_customer_number")]
AFTER = [("outages", "0005_max_count_window_and_window_days")]


def _migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_windowed_count_keeps_its_values_and_gets_the_window_in_force() -> None:
    region = Region.objects.create(code="640104", name="兴庆区", level=Region.Level.COUNTY)
    company = Organisation.objects.create(
        name="国网银川供电公司", kind=Organisation.Kind.SUPPLY_COMPANY, region=region
    )
    try:
        old = _migrate(BEFORE)
        feeder = old.get_model("outages", "Feeder").objects.create(
            feeder_id="F1", region_id=region.pk, company_id=company.pk
        )
        district = old.get_model("outages", "District").objects.create(
            district_id="T2",
            feeder=feeder,
            region_id=region.pk,
            company_id=company.pk,
            area="urban",
        )
        as_of = dt.date(2026, 11, 25)
        old.get_model("outages", "DistrictStatus").objects.create(
            district=district, year=2026, as_of=as_of, count_year=4, max_count_60=4
        )
        old.get_model("outages", "LedgerEntry").objects.create(
            number="2026TQ-T2", level="district", year=2026, point_id="T2", district=district,
            feeder=feeder, company_id=company.pk, region_id=region.pk, rule="window_limit",
            count_year=4, max_count_60=4, as_of=as_of, identified_on=as_of,
        )  # fmt: skip
        new = _migrate(AFTER)
        status = new.get_model("outages", "DistrictStatus").objects.get()
        entry = new.get_model("outages", "LedgerEntry").objects.get()
        # L28: 连续60天停电次数不超过3次 — the window in force on 2026-11-25 is 60 days.
        assert (status.max_count_window, status.window_days) == (4, 60)
        assert (entry.max_count_window, entry.window_days) == (4, 60)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("outages"))
