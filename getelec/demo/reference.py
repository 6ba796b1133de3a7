"""Reference data for Ningxia: administrative regions and organisations.

Codes are the national administrative division codes (GB/T 2260) of 宁夏回族自治区 and its five
prefecture-level cities and 22 counties (市辖区/县/县级市). `load_reference()` is idempotent: it
creates what is missing, corrects what differs and leaves the rest alone; each row it creates or
changes gets one audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from getelec.accounts.models import Organisation, Region, department_type_for
from getelec.audit.services import record

PROVINCE = ("640000", "宁夏回族自治区")

# city code, city name, short name used in branch names, counties [(code, name)]
CITIES: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "640100",
        "银川市",
        "银川",
        [
            ("640104", "兴庆区"),
            ("640105", "西夏区"),
            ("640106", "金凤区"),
            ("640121", "永宁县"),
            ("640122", "贺兰县"),
            ("640181", "灵武市"),
        ],
    ),
    (
        "640200",
        "石嘴山市",
        "石嘴山",
        [("640202", "大武口区"), ("640205", "惠农区"), ("640221", "平罗县")],
    ),
    (
        "640300",
        "吴忠市",
        "吴忠",
        [
            ("640302", "利通区"),
            ("640303", "红寺堡区"),
            ("640323", "盐池县"),
            ("640324", "同心县"),
            ("640381", "青铜峡市"),
        ],
    ),
    (
        "640400",
        "固原市",
        "固原",
        [
            ("640402", "原州区"),
            ("640422", "西吉县"),
            ("640423", "隆德县"),
            ("640424", "泾源县"),
            ("640425", "彭阳县"),
        ],
    ),
    (
        "640500",
        "中卫市",
        "中卫",
        [("640502", "沙坡头区"), ("640521", "中宁县"), ("640522", "海原县")],
    ),
]

CITY_NAMES = {code: name for code, name, _, _ in CITIES}
COUNTY_NAMES = {code: name for _, _, _, counties in CITIES for code, name in counties}

PROVINCIAL_COMPANY = "国网宁夏电力有限公司"
REGULATOR_DRC = "宁夏回族自治区发展和改革委员会"
REGULATOR_NEA = "国家能源局西北监管局"


@dataclass(frozen=True)
class OrgSpec:
    name: str
    short_name: str
    kind: str
    region: str
    parent: str | None = None
    department_type: str = ""  # departments only (Organisation.DepartmentType)


def branch_name(city_short: str) -> str:
    return f"国网{city_short}供电公司"


def energy_authority_name(city_name: str) -> str:
    return f"{city_name}发展和改革委员会"


def organisation_specs() -> list[OrgSpec]:
    kind = Organisation.Kind
    specs = [OrgSpec(PROVINCIAL_COMPANY, "国网宁夏电力", kind.SUPPLY_COMPANY, PROVINCE[0])]
    specs += [
        OrgSpec(
            branch_name(short), f"{short}供电公司", kind.SUPPLY_COMPANY, code, PROVINCIAL_COMPANY
        )
        for code, _, short, _ in CITIES
    ]
    specs += [
        OrgSpec(REGULATOR_DRC, "自治区发展改革委", kind.REGULATOR, PROVINCE[0]),
        OrgSpec(REGULATOR_NEA, "西北能源监管局", kind.REGULATOR, PROVINCE[0]),
    ]
    # A department's short name is how 附件2 (the task ledger) names it as a responsible unit.
    specs += [
        OrgSpec(
            f"宁夏回族自治区{dept}",
            dept,
            kind.DEPARTMENT,
            PROVINCE[0],
            department_type=department_type_for(dept),
        )
        for dept in ("住房和城乡建设厅", "自然资源厅", "水利厅", "交通运输厅", "公安厅")
    ]
    specs += [
        OrgSpec(energy_authority_name(city), f"{city}发展改革委", kind.ENERGY_AUTHORITY, code)
        for code, city, _, _ in CITIES
    ]
    return specs


def region_specs() -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent code), parents before children."""
    level = Region.Level
    rows: list[tuple[str, str, str, str | None]] = [(*PROVINCE, level.PROVINCE, None)]
    for code, name, _, counties in CITIES:
        rows.append((code, name, level.CITY, PROVINCE[0]))
        rows += [(c, n, level.COUNTY, code) for c, n in counties]
    return rows


def county_codes() -> list[str]:
    return [c for _, _, _, counties in CITIES for c, _ in counties]


def city_of(county: str) -> str:
    return county[:4] + "00"


def branch_for_region(code: str) -> str:
    """The supply-company branch serving a county or city (by its city)."""
    city = city_of(code)
    for c, _, short, _ in CITIES:
        if c == city:
            return branch_name(short)
    raise KeyError(code)


@dataclass
class LoadSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def upsert(
    model: type[Any],
    lookup: dict[str, Any],
    values: dict[str, Any],
    actor: Any,
    summary: LoadSummary,
) -> Any:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        record(actor, "reference.create", obj, {}, {**lookup, **values})
        summary.created += 1
        return obj
    old = {k: getattr(obj, k) for k in values if getattr(obj, k) != values[k]}
    if not old:
        summary.unchanged += 1
        return obj
    new = {k: values[k] for k in old}
    for key, value in new.items():
        setattr(obj, key, value)
    obj.save(update_fields=list(new))
    record(actor, "reference.update", obj, old, new)
    summary.updated += 1
    return obj


def _adopt(spec: OrgSpec, actor: Any) -> bool:
    """An organisation registered under this spec's short name (e.g. by the 附件2 ledger loader,
    which names units as the plan does: 自治区发展改革委, 住房和城乡建设厅) is this organisation:
    give it its full name instead of creating a duplicate. Only an unambiguous match is adopted."""
    if Organisation.objects.filter(name=spec.name).exists():
        return False
    taken = {s.name for s in organisation_specs()}
    matches = [
        org
        for org in Organisation.objects.filter(
            Q(name=spec.short_name) | Q(short_name=spec.short_name)
        )
        if org.name not in taken
    ]
    if len(matches) != 1:
        return False
    org = matches[0]
    old_name = org.name
    org.name = spec.name
    org.save(update_fields=["name"])
    record(actor, "reference.update", org, {"name": old_name}, {"name": spec.name})
    return True


def load_reference(actor: Any = "getelec reference") -> LoadSummary:
    """Create or correct the Ningxia regions and organisations (idempotent, audited).

    Organisations are matched by name, else by short name (see `_adopt`), so loading the
    reference data after the 附件2 ledger completes the units the ledger registered."""
    summary = LoadSummary()
    with transaction.atomic():
        for code, name, level, parent in region_specs():
            upsert(
                Region,
                {"code": code},
                {"name": name, "level": level, "parent_id": parent},
                actor,
                summary,
            )
        ids: dict[str, int] = {}
        for spec in organisation_specs():
            adopted = _adopt(spec, actor)
            unchanged = summary.unchanged
            org = upsert(
                Organisation,
                {"name": spec.name},
                {
                    "short_name": spec.short_name,
                    "kind": spec.kind,
                    "department_type": spec.department_type,
                    "region_id": spec.region,
                    "parent_id": ids[spec.parent] if spec.parent else None,
                },
                actor,
                summary,
            )
            if adopted and summary.unchanged > unchanged:  # renamed only: still an update
                summary.unchanged -= 1
                summary.updated += 1
            ids[spec.name] = org.pk
    return summary
