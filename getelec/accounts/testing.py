"""One account in every kind of organisation at every level, for tests that walk the powers
table (getelec.accounts.powers) or every URL: the root conftest's `organisation_users`
fixture returns them by key, with "applicant", "admin" and "anonymous" (None) added.

    def test_it(organisation_users):
        for case in ORGANISATION_CASES:
            user = organisation_users[case.key]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The regions the cases live in (created when missing): (code, name, level, parent).
CASE_REGIONS: list[tuple[str, str, str, str | None]] = [
    ("640000", "宁夏回族自治区", "province", None),
    ("640100", "银川市", "city", "640000"),
    ("640104", "兴庆区", "county", "640100"),
]
LEVEL_REGION = {"province": "640000", "city": "640100", "county": "640104"}


@dataclass(frozen=True)
class OrganisationCase:
    key: str
    kind: str  # Organisation.Kind value
    level: str  # Region.Level value of the organisation's region
    role: str  # User.Role value of its account
    name: str

    @property
    def region(self) -> str:
        return LEVEL_REGION[self.level]


ORGANISATION_CASES: list[OrganisationCase] = [
    OrganisationCase(
        "company_province", "supply_company", "province", "staff", "国网宁夏电力有限公司"
    ),
    OrganisationCase("company_city", "supply_company", "city", "staff", "国网银川供电公司"),
    OrganisationCase("company_county", "supply_company", "county", "staff", "国网银川兴庆供电中心"),
    OrganisationCase("drc", "regulator", "province", "regulator", "宁夏回族自治区发展和改革委员会"),
    OrganisationCase("nea", "regulator", "province", "regulator", "国家能源局西北监管局"),
    OrganisationCase("regulator_city", "regulator", "city", "regulator", "银川市监管机构（测试）"),
    OrganisationCase(
        "regulator_county", "regulator", "county", "regulator", "兴庆区监管机构（测试）"
    ),
    OrganisationCase(
        "energy_province", "energy_authority", "province", "regulator", "自治区能源主管部门（测试）"
    ),
    OrganisationCase(
        "energy_city", "energy_authority", "city", "regulator", "银川市发展和改革委员会"
    ),
    OrganisationCase(
        "energy_county", "energy_authority", "county", "regulator", "兴庆区发展和改革局（测试）"
    ),
    OrganisationCase(
        "department_province",
        "department",
        "province",
        "department",
        "宁夏回族自治区住房和城乡建设厅",
    ),
    OrganisationCase(
        "department_city", "department", "city", "department", "银川市住房和城乡建设局"
    ),
    OrganisationCase(
        "department_county", "department", "county", "department", "兴庆区住房和城乡建设局"
    ),
    # Enterprises: their accounts are applicants (see getelec.accounts.powers).
    *(
        OrganisationCase(f"{key}_{level}", kind, level, "applicant", f"{name}（{level}，测试）")
        for key, kind, name in (
            ("property_manager", "property_manager", "物业服务企业"),
            ("developer", "developer", "房屋开发建设单位"),
            ("energy_service", "energy_service_company", "综合能源服务企业"),
        )
        for level in ("province", "city", "county")
    ),
]


def make_organisation_users(password: str) -> dict[str, Any]:
    """Create (or reuse) the regions and organisations of ORGANISATION_CASES and one account in
    each; plus an applicant, an admin and "anonymous": None."""
    from getelec.accounts.models import Organisation, Region, User, department_type_for

    regions: dict[str, Region] = {}
    for code, name, level, parent in CASE_REGIONS:
        regions[code] = Region.objects.get_or_create(
            code=code,
            defaults={"name": name, "level": level, "parent": regions.get(parent or "")},
        )[0]
    users: dict[str, Any] = {"anonymous": None}
    for case in ORGANISATION_CASES:
        org = Organisation.objects.get_or_create(
            name=case.name,
            defaults={
                "kind": case.kind,
                "region": regions[case.region],
                "department_type": department_type_for(case.name)
                if case.kind == Organisation.Kind.DEPARTMENT
                else "",
            },
        )[0]
        users[case.key] = User.objects.create_user(
            username=f"case-{case.key}",
            password=password,
            role=case.role,
            organisation=org,
            region=org.region,
            display_name=case.name,
        )
    users["applicant"] = User.objects.create_user(
        username="case-applicant", password=password, role="applicant", region=regions["640104"]
    )
    users["admin"] = User.objects.create_user(
        username="case-admin", password=password, role="admin", region=regions["640000"]
    )
    return users
