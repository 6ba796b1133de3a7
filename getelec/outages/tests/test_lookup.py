"""The public outage lookup (L47): exact 户号 or meter number only, throttled, indexed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from getelec.outages.models import Meter
from getelec.outages.registry import import_registry
from getelec.outages.tests.conftest import GRID, customer_number, write_registry

pytestmark = pytest.mark.django_db

NOT_FOUND = "未找到对应的台区"


def _page(client: Client, q: str) -> Any:
    return client.get(reverse("outages:lookup"), {"q": q})


def test_a_meter_number_or_a_customer_number_finds_the_district(grid: Any) -> None:
    client = Client()
    by_meter = _page(client, "M07").content.decode()
    by_customer = _page(client, f" {customer_number('M07')} ").content.decode()
    assert "星海村台区" in by_meter and "星海村台区" in by_customer
    api = client.get("/api/v1/quality/lookup", {"q": customer_number("M01")})
    assert api.status_code == 200
    assert [r["district_name"] for r in api.json()] == ["解放西街1号台区"]


@pytest.mark.parametrize(
    "query",
    [
        "星海村一组",  # a meter's internal address
        "解放西街1号楼",  # part of an internal address
        "星海村",  # part of a served area
        "解放西街一社区",  # a whole served area
        "M0",  # a prefix of meter numbers
        "m07",  # not exactly the meter number
        customer_number("M07")[:-1],  # a prefix of a 户号
    ],
)
def test_addresses_areas_and_partial_numbers_find_nothing(grid: Any, query: str) -> None:
    html = _page(Client(), query).content.decode()
    assert NOT_FOUND in html and "星海村台区" not in html and "解放西街1号台区" not in html
    assert Client().get("/api/v1/quality/lookup", {"q": query}).json() == []


def test_the_lookup_is_throttled_per_client_on_the_page_and_the_api(
    grid: Any, settings: Any
) -> None:
    settings.OUTAGE_LOOKUP_MAX_PER_CLIENT = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert _page(client, "M01").status_code == 200
    assert client.get("/api/v1/quality/lookup", {"q": "X1"}).status_code == 200
    assert _page(client, "X2").status_code == 200
    refused = _page(client, "M01")
    assert refused.status_code == 429 and "查询次数过多，请10分钟后再试" in refused.content.decode()
    api = client.get("/api/v1/quality/lookup", {"q": "M01"})
    assert api.status_code == 429 and "查询次数过多" in api.json()["detail"]
    assert _page(Client(REMOTE_ADDR="198.51.100.20"), "M01").status_code == 200


def test_the_registry_imports_and_updates_customer_numbers(tmp_path: Path, orgs: Any) -> None:
    import_registry(write_registry(tmp_path / "r.csv"))
    assert Meter.objects.get(meter_id="M03").customer_number == "6400000003"
    path = write_registry(tmp_path / "r2.csv", GRID)
    text = path.read_text(encoding="utf-8").replace("6400000003", "6499999999")
    path.write_text(text, encoding="utf-8")
    summary = import_registry(path)
    assert summary.updated["meters"] == 1
    assert Meter.objects.get(meter_id="M03").customer_number == "6499999999"


def test_a_customer_number_too_long_names_row_and_column(tmp_path: Path, orgs: Any) -> None:
    from getelec.analytics.inputs import InputError

    path = write_registry(tmp_path / "r.csv")
    text = path.read_text(encoding="utf-8").replace("6400000002", "6" * 33)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        import_registry(path)
    assert (exc.value.row, exc.value.column) == (2, "customer_number")
    assert not Meter.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan wording")
def test_the_lookup_reads_indexes_not_the_meter_table(grid: Any) -> None:
    plan = Meter.objects.filter(Q(meter_id="x") | Q(customer_number="x")).explain()
    assert "SCAN outages_meter" not in plan
    assert "USING INDEX sqlite_autoindex_outages_meter_1 (meter_id=?)" in plan
    assert re.search(r"USING INDEX outages_meter_customer_number_\w+ \(customer_number=\?\)", plan)
