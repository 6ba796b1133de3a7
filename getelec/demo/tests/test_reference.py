"""Ningxia reference data: real administrative codes and organisations, loaded idempotently."""

from __future__ import annotations

import pytest

from getelec.accounts.models import Organisation, Region
from getelec.audit.models import AuditEvent
from getelec.demo.reference import load_reference

pytestmark = pytest.mark.django_db

REGIONS = [
    ("640000", "宁夏回族自治区", "province", None),
    ("640100", "银川市", "city", "640000"),
    ("640104", "兴庆区", "county", "640100"),
    ("640105", "西夏区", "county", "640100"),
    ("640106", "金凤区", "county", "640100"),
    ("640121", "永宁县", "county", "640100"),
    ("640122", "贺兰县", "county", "640100"),
    ("640181", "灵武市", "county", "640100"),
    ("640200", "石嘴山市", "city", "640000"),
    ("640202", "大武口区", "county", "640200"),
    ("640205", "惠农区", "county", "640200"),
    ("640221", "平罗县", "county", "640200"),
    ("640300", "吴忠市", "city", "640000"),
    ("640302", "利通区", "county", "640300"),
    ("640303", "红寺堡区", "county", "640300"),
    ("640323", "盐池县", "county", "640300"),
    ("640324", "同心县", "county", "640300"),
    ("640381", "青铜峡市", "county", "640300"),
    ("640400", "固原市", "city", "640000"),
    ("640402", "原州区", "county", "640400"),
    ("640422", "西吉县", "county", "640400"),
    ("640423", "隆德县", "county", "640400"),
    ("640424", "泾源县", "county", "640400"),
    ("640425", "彭阳县", "county", "640400"),
    ("640500", "中卫市", "city", "640000"),
    ("640502", "沙坡头区", "county", "640500"),
    ("640521", "中宁县", "county", "640500"),
    ("640522", "海原县", "county", "640500"),
]

ORGANISATIONS = [
    ("国网宁夏电力有限公司", "supply_company", "640000", None),
    ("国网银川供电公司", "supply_company", "640100", "国网宁夏电力有限公司"),
    ("国网石嘴山供电公司", "supply_company", "640200", "国网宁夏电力有限公司"),
    ("国网吴忠供电公司", "supply_company", "640300", "国网宁夏电力有限公司"),
    ("国网固原供电公司", "supply_company", "640400", "国网宁夏电力有限公司"),
    ("国网中卫供电公司", "supply_company", "640500", "国网宁夏电力有限公司"),
    ("宁夏回族自治区发展和改革委员会", "regulator", "640000", None),
    ("国家能源局西北监管局", "regulator", "640000", None),
    ("宁夏回族自治区住房和城乡建设厅", "department", "640000", None),
    ("宁夏回族自治区自然资源厅", "department", "640000", None),
    ("宁夏回族自治区水利厅", "department", "640000", None),
    ("宁夏回族自治区交通运输厅", "department", "640000", None),
    ("宁夏回族自治区公安厅", "department", "640000", None),
    ("银川市发展和改革委员会", "energy_authority", "640100", None),
    ("石嘴山市发展和改革委员会", "energy_authority", "640200", None),
    ("吴忠市发展和改革委员会", "energy_authority", "640300", None),
    ("固原市发展和改革委员会", "energy_authority", "640400", None),
    ("中卫市发展和改革委员会", "energy_authority", "640500", None),
]


@pytest.mark.parametrize(("code", "name", "level", "parent"), REGIONS)
def test_each_region_has_its_official_code_name_and_parent(code, name, level, parent):
    load_reference()
    region = Region.objects.get(code=code)
    assert (region.name, region.level, region.parent_id) == (name, level, parent)


def test_ningxia_has_exactly_five_cities_and_twenty_two_counties():
    load_reference()
    assert Region.objects.filter(level="city").count() == 5
    assert Region.objects.filter(level="county").count() == 22


@pytest.mark.parametrize(("name", "kind", "region", "parent"), ORGANISATIONS)
def test_each_organisation_has_its_kind_region_and_parent(name, kind, region, parent):
    load_reference()
    org = Organisation.objects.select_related("parent").get(name=name)
    assert (org.kind, org.region_id) == (kind, region)
    assert (org.parent.name if org.parent else None) == parent


def test_each_department_has_its_department_type_and_nobody_else_has_one():
    load_reference()
    types = dict(Organisation.objects.values_list("name", "department_type"))
    assert {name: types[name] for name, kind, _, _ in ORGANISATIONS if kind == "department"} == {
        "宁夏回族自治区住房和城乡建设厅": "housing",
        "宁夏回族自治区自然资源厅": "natural_resources",
        "宁夏回族自治区水利厅": "water",
        "宁夏回族自治区交通运输厅": "transport",
        "宁夏回族自治区公安厅": "public_security",
    }
    assert all(types[name] == "" for name, kind, _, _ in ORGANISATIONS if kind != "department")


def test_regulators_carry_their_usual_short_names():
    load_reference()
    short = dict(Organisation.objects.values_list("name", "short_name"))
    assert short["宁夏回族自治区发展和改革委员会"] == "自治区发展改革委"
    assert short["国家能源局西北监管局"] == "西北能源监管局"
    # A department's short name is how 附件2 names it as a responsible unit.
    assert short["宁夏回族自治区住房和城乡建设厅"] == "住房和城乡建设厅"
    assert short["宁夏回族自治区公安厅"] == "公安厅"


def test_loading_twice_creates_nothing_new_and_writes_no_audit_rows():
    first = load_reference()
    regions, orgs = Region.objects.count(), Organisation.objects.count()
    audit_rows = AuditEvent.objects.count()

    second = load_reference()

    assert first.created == len(REGIONS) + len(ORGANISATIONS)
    assert (second.created, second.updated) == (0, 0)
    assert (Region.objects.count(), Organisation.objects.count()) == (regions, orgs)
    assert AuditEvent.objects.count() == audit_rows


def test_loading_corrects_a_changed_row_and_audits_the_correction():
    load_reference()
    Region.objects.filter(code="640303").update(name="红寺堡开发区")

    summary = load_reference(actor="test")

    assert summary.updated == 1
    assert Region.objects.get(code="640303").name == "红寺堡区"
    event = AuditEvent.objects.filter(action="reference.update", object_id="640303").get()
    assert (event.old, event.new) == ({"name": "红寺堡开发区"}, {"name": "红寺堡区"})
