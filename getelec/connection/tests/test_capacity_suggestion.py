"""L7 capacity standard: one pure core function behind the form, the web helper and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from getelec.core.assess import AssessError, suggest_capacity

ON = dt.date(2026, 11, 26)


@pytest.mark.pure
@pytest.mark.parametrize(
    ("area", "dwellings", "chargers", "kw"),
    [
        # PRACTICE capacity_residential_bands: ≤80㎡ 4kW; 81–120㎡ 6kW; 120–150㎡ 8kW; >150㎡ 12kW
        (60, None, 0, 4),
        (80, None, 0, 4),
        (80.5, None, 0, 6),
        (120, None, 0, 6),
        (150, None, 0, 8),
        (151, None, 0, 12),
        # ×dwellings: a building of 10 flats of 100 ㎡
        (100, 10, 0, 60),
        # DEFAULT capacity_ev_slow_charger_kw: 8 kW per slow EV charger
        (None, None, 3, 24),
        (90, None, 1, 14),
    ],
)
def test_suggested_capacity_follows_the_published_standard_l7(
    area: float | None, dwellings: int | None, chargers: int, kw: float
) -> None:
    suggestion = suggest_capacity(ON, area_m2=area, dwellings=dwellings, ev_chargers=chargers)
    assert suggestion.kw == kw
    used = {v["parameter"] for v in suggestion.as_json()["basis"]}
    if area is not None:
        assert {"capacity_residential_bands", "capacity_min_per_dwelling_kw"} <= used
    if chargers:
        assert "capacity_ev_slow_charger_kw" in used
    # each figure cites its source: a quote, or a platform default's reason
    assert all(
        v["clause"] and (v["quote"] or (v["clause"] == "DEFAULT" and v["reason"]))
        for v in suggestion.as_json()["basis"]
    )


@pytest.mark.pure
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "area_m2"),
        ({"area_m2": 0}, "area_m2"),
        ({"area_m2": float("nan")}, "area_m2"),
        ({"area_m2": "80"}, "area_m2"),
        ({"dwellings": 2}, "area_m2"),
        ({"area_m2": 80, "dwellings": 0}, "dwellings"),
        ({"ev_chargers": -1}, "ev_chargers"),
        ({"ev_chargers": 1.5}, "ev_chargers"),
    ],
)
def test_bad_capacity_input_names_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(AssessError) as error:
        suggest_capacity(ON, **kwargs)
    assert error.value.field == field


@pytest.mark.django_db
def test_api_suggests_capacity_with_citations_without_login(
    client: Client, frozen_today: dt.date
) -> None:
    response = client.get("/api/v1/capacity-suggestion", {"area_m2": 100, "ev_chargers": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["kw"] == 14 and body["on"] == "2026-11-26"
    assert [p["item"] for p in body["parts"]] == ["dwelling", "ev_charger"]
    assert {b["parameter"] for b in body["basis"]} == {
        "capacity_residential_bands",
        "capacity_min_per_dwelling_kw",
        "capacity_ev_slow_charger_kw",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "area_m2"),
        ({"area_m2": "-5"}, "area_m2"),
        ({"area_m2": "abc"}, "area_m2"),
        ({"area_m2": "80", "dwellings": "0"}, "dwellings"),
        ({"dwellings": "3"}, "area_m2"),
        ({"area_m2": "80", "region": "6401"}, "region"),
    ],
)
def test_api_bad_capacity_query_is_422_naming_the_field(
    client: Client, query: dict[str, str], field: str
) -> None:
    response = client.get("/api/v1/capacity-suggestion", query)
    assert response.status_code == 422
    assert response.json()["field"] == field


@pytest.mark.django_db
def test_the_form_helper_shows_the_core_suggestion_and_its_source(
    client: Client, applicant_a: Any
) -> None:
    client.force_login(applicant_a)
    response = client.get("/apply/capacity/", {"floor_area_m2": "130"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-fill-value="8"' in html and "国家行业惯例" in html
    assert "山东电网居民住宅配电标准" in html and "PRACTICE" not in html
