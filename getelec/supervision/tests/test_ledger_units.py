"""附件2's responsible units resolve to the registered organisations by name or short name, so the
ledger and the Ningxia reference data never create the same unit twice, whichever loads first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from getelec.accounts.models import Organisation
from getelec.demo.reference import load_reference
from getelec.supervision.models import LedgerAssignment
from getelec.supervision.services import load_ledger

pytestmark = pytest.mark.django_db

# How 附件2 writes a unit → the registered organisation it is (reference data's full name).
UNITS = [
    ("自治区发展改革委", "宁夏回族自治区发展和改革委员会"),
    ("国家能源局西北监管局", "国家能源局西北监管局"),
    ("住房和城乡建设厅", "宁夏回族自治区住房和城乡建设厅"),
    ("住房和城乡住建厅", "宁夏回族自治区住房和城乡建设厅"),  # the text's own spelling (alias)
    ("自然资源厅", "宁夏回族自治区自然资源厅"),
    ("水利厅", "宁夏回族自治区水利厅"),
    ("交通运输厅", "宁夏回族自治区交通运输厅"),
    ("公安厅", "宁夏回族自治区公安厅"),
    ("各供电企业", "国网宁夏电力有限公司"),  # branches report through the provincial company
]


def reference_then_ledger() -> None:
    load_reference()
    load_ledger()


def ledger_then_reference() -> None:
    load_ledger()
    load_reference()
    load_ledger()  # again, as `getelec demo` does: 各供电企业 expands to the companies registered


ORDERS = [
    pytest.param(reference_then_ledger, id="reference-then-ledger"),
    pytest.param(ledger_then_reference, id="ledger-then-reference"),
]


def organisations_by_unit() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for written, name in LedgerAssignment.objects.values_list(
        "unit_as_written", "organisation__name"
    ):
        found.setdefault(written, set()).add(name)
    return found


@pytest.mark.parametrize("load", ORDERS)
def test_every_unit_of_the_ledger_is_one_registered_organisation(
    load: Callable[[], None],
) -> None:
    load()
    by_unit = organisations_by_unit()
    for written, name in UNITS:
        assert by_unit[written] == {name}, written


@pytest.mark.parametrize("load", ORDERS)
def test_no_organisation_is_created_twice_whichever_loads_first(
    load: Callable[[], None],
) -> None:
    load()
    # Exactly the reference data: 6 supply companies, 2 regulators, 5 departments, 5 cities.
    assert Organisation.objects.count() == 18
    names = list(Organisation.objects.values_list("name", flat=True))
    shorts = [s for s in Organisation.objects.values_list("short_name", flat=True) if s]
    assert len(set(shorts)) == len(shorts)
    for written, _ in UNITS:
        assert written not in names or written == "国家能源局西北监管局"


@pytest.mark.parametrize("load", ORDERS)
def test_loading_both_again_changes_nothing(load: Callable[[], None]) -> None:
    load()
    before = (
        sorted(Organisation.objects.values_list("name", "short_name", "kind", "region_id")),
        LedgerAssignment.objects.count(),
    )
    summary = load_reference()
    result = load_ledger()
    assert (summary.created, summary.updated) == (0, 0)
    assert result.organisations_created == result.assignments_created == 0
    after = (
        sorted(Organisation.objects.values_list("name", "short_name", "kind", "region_id")),
        LedgerAssignment.objects.count(),
    )
    assert after == before


def test_reference_data_completes_the_units_the_ledger_registered_first() -> None:
    load_ledger()
    ndrc = Organisation.objects.get(name="自治区发展改革委")
    summary = load_reference()
    ndrc.refresh_from_db()
    assert ndrc.name == "宁夏回族自治区发展和改革委员会"
    assert ndrc.short_name == "自治区发展改革委"
    assert ndrc.kind == Organisation.Kind.REGULATOR
    assert summary.updated >= 6  # 自治区发展改革委 and the five departments, renamed in place


@pytest.mark.parametrize(
    ("registered", "short_name", "unit"),
    [
        ("宁夏回族自治区水利厅", "水利厅", "水利厅"),  # by short name
        ("宁夏回族自治区水利厅", "", "水利厅"),  # by the region's full prefix
        ("自治区水利厅", "", "水利厅"),  # by the short prefix
        ("水利厅", "", "水利厅"),  # by exact name
    ],
)
def test_a_unit_matches_an_existing_organisation_by_name_or_short_name(
    regions: Any, registered: str, short_name: str, unit: str
) -> None:
    existing = Organisation.objects.create(
        name=registered,
        short_name=short_name,
        kind=Organisation.Kind.DEPARTMENT,
        department_type=Organisation.DepartmentType.WATER,
        region=regions["province"],
    )
    load_ledger()
    assignments = LedgerAssignment.objects.filter(unit_as_written=unit)
    assert assignments.exists()
    assert set(assignments.values_list("organisation_id", flat=True)) == {existing.pk}
    assert not Organisation.objects.filter(name=unit).exclude(pk=existing.pk).exists()
