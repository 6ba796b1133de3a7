"""The powers table: by organisation kind and region level, never by the role flag."""

from __future__ import annotations

from typing import Any

import pytest

from getelec.accounts.powers import (
    ADMIN_POWERS,
    GRANTED_POWERS,
    LEVELS,
    NAMED_POWERS,
    ORGANISATION_KINDS,
    POWERS,
    ROLES_FOR_KIND,
    Power,
    powers_for,
    powers_of,
)
from getelec.accounts.testing import ORGANISATION_CASES

P = Power
NEA = "国家能源局西北监管局"
NAMED = {"quality_signoff_organisation": NEA}
REGION_REGULATOR = {
    P.READ_APPLICATIONS,
    P.READ_COMPLIANCE_DASHBOARD,
    P.READ_LEDGER_ALL,
    P.REVIEW_REPORTS,
    P.READ_FILINGS,
    P.READ_BATCHES,
    P.READ_ARREARS_REPORTS,
    P.READ_QUALITY_LEDGER,
    P.REPORT_PROGRESS,
}
LOCAL_REGULATOR = REGION_REGULATOR - {P.READ_LEDGER_ALL, P.REVIEW_REPORTS}
COMPANY = {P.WORK_APPLICATIONS, P.FILE_FILINGS, P.REPORT_PROGRESS, P.WORK_QUALITY_DESK}
CITY_AUTHORITY = {P.READ_FILINGS, P.READ_BATCHES, P.READ_ARREARS_REPORTS, P.REPORT_PROGRESS}

# key of ORGANISATION_CASES → exactly the powers its account holds.
EXPECTED: dict[str, set[Power]] = {
    # The province-level company reads its branches' applications (Organisation.parent).
    "company_province": COMPANY | {P.READ_BRANCH_APPLICATIONS},
    "company_city": COMPANY,
    "company_county": COMPANY,
    "drc": REGION_REGULATOR,
    "nea": REGION_REGULATOR | {P.SIGN_OFF_QUALITY},
    "regulator_city": LOCAL_REGULATOR,
    "regulator_county": LOCAL_REGULATOR,
    "energy_province": CITY_AUTHORITY,
    "energy_city": CITY_AUTHORITY,
    "energy_county": {P.READ_FILINGS, P.READ_ARREARS_REPORTS, P.REPORT_PROGRESS},
    "department_province": {P.REPORT_PROGRESS},
    "department_city": {P.REPORT_PROGRESS},
    "department_county": {P.REPORT_PROGRESS},
    # Enterprises keep their own documents (L13) and nothing else, at every level.
    **{
        f"{key}_{level}": {P.KEEP_ORGANISATION_DOCUMENTS}
        for key in ("property_manager", "developer", "energy_service")
        for level in LEVELS
    },
}


def test_every_organisation_case_has_its_expected_powers_listed() -> None:
    assert {c.key for c in ORGANISATION_CASES} == set(EXPECTED)
    assert {(c.kind, c.level) for c in ORGANISATION_CASES} == {
        (k, lv) for k in ORGANISATION_KINDS for lv in LEVELS
    }


@pytest.mark.pure
@pytest.mark.parametrize("case", ORGANISATION_CASES, ids=lambda c: c.key)
def test_the_table_gives_each_kind_and_level_its_powers(case: Any) -> None:
    assert powers_for(case.kind, case.level, case.role, case.name, NAMED) == EXPECTED[case.key]


@pytest.mark.pure
@pytest.mark.parametrize(
    ("kind", "level", "role", "name", "power", "held"),
    [
        # The city energy authority reviews and signs off nothing, reads no ledger.
        (
            "energy_authority",
            "city",
            "regulator",
            "银川市发展和改革委员会",
            P.REVIEW_REPORTS,
            False,
        ),
        (
            "energy_authority",
            "city",
            "regulator",
            "银川市发展和改革委员会",
            P.READ_LEDGER_ALL,
            False,
        ),
        (
            "energy_authority",
            "city",
            "regulator",
            "银川市发展和改革委员会",
            P.READ_QUALITY_LEDGER,
            False,
        ),
        (
            "energy_authority",
            "city",
            "regulator",
            "银川市发展和改革委员会",
            P.READ_APPLICATIONS,
            False,
        ),
        ("energy_authority", "city", "regulator", "银川市发展和改革委员会", P.READ_FILINGS, True),
        ("energy_authority", "city", "regulator", "银川市发展和改革委员会", P.READ_BATCHES, True),
        # Even named in the sign-off parameter, a kind without the quality ledger cannot sign.
        ("energy_authority", "city", "regulator", NEA, P.SIGN_OFF_QUALITY, False),
        ("department", "province", "department", NEA, P.SIGN_OFF_QUALITY, False),
        # Only the named regulator signs off.
        ("regulator", "province", "regulator", NEA, P.SIGN_OFF_QUALITY, True),
        (
            "regulator",
            "province",
            "regulator",
            "宁夏回族自治区发展和改革委员会",
            P.SIGN_OFF_QUALITY,
            False,
        ),
        # The role must match the kind: a staff account in a regulator holds nothing.
        ("regulator", "province", "staff", NEA, P.READ_APPLICATIONS, False),
        ("supply_company", "city", "regulator", "国网银川供电公司", P.FILE_FILINGS, False),
        ("supply_company", "city", "staff", "国网银川供电公司", P.FILE_FILINGS, True),
        ("supply_company", "city", "staff", "国网银川供电公司", P.READ_APPLICATIONS, False),
        # Enterprises (T7, T9, L37–L39) are not units of 附件2 and regulate nothing.
        ("property_manager", "city", "applicant", "物业", P.REPORT_PROGRESS, False),
        ("property_manager", "city", "applicant", "物业", P.READ_APPLICATIONS, False),
        ("developer", "province", "applicant", "开发", P.WORK_APPLICATIONS, False),
        ("energy_service_company", "county", "applicant", "能源", P.READ_FILINGS, False),
        ("developer", "county", "applicant", "开发", P.KEEP_ORGANISATION_DOCUMENTS, True),
        # ... and only their applicant accounts keep the documents; staff or regulator roles
        # in an enterprise hold nothing, nor does a supply company or a department keep them.
        ("developer", "city", "staff", "开发", P.KEEP_ORGANISATION_DOCUMENTS, False),
        (
            "energy_service_company",
            "city",
            "regulator",
            "能源",
            P.KEEP_ORGANISATION_DOCUMENTS,
            False,
        ),
        (
            "supply_company",
            "city",
            "staff",
            "国网银川供电公司",
            P.KEEP_ORGANISATION_DOCUMENTS,
            False,
        ),
        ("department", "province", "department", "水利厅", P.KEEP_ORGANISATION_DOCUMENTS, False),
        # Unknown kinds and levels hold nothing.
        ("club", "province", "regulator", "x", P.READ_FILINGS, False),
        ("regulator", "planet", "regulator", "x", P.READ_FILINGS, False),
    ],
)
def test_who_holds_a_power(
    kind: str, level: str, role: str, name: str, power: Power, held: bool
) -> None:
    assert (power in powers_for(kind, level, role, name, NAMED)) is held


@pytest.mark.pure
def test_admins_read_everything_and_decide_nothing() -> None:
    assert P.READ_LEDGER_ALL in ADMIN_POWERS and P.READ_QUALITY_LEDGER in ADMIN_POWERS
    assert not ADMIN_POWERS & {P.REVIEW_REPORTS, P.SIGN_OFF_QUALITY, P.FILE_FILINGS}


@pytest.mark.pure
def test_named_powers_need_a_kind_that_reads_what_they_decide() -> None:
    for _parameter, (power, requires) in NAMED_POWERS.items():
        assert not any(power in powers for powers in POWERS.values())
        assert any(requires in powers for powers in POWERS.values())


@pytest.mark.pure
@pytest.mark.parametrize(
    ("kind", "level", "role", "granted", "held"),
    [
        # Working the branches' applications needs the admin's grant on top of the table...
        ("supply_company", "province", "staff", False, set()),
        ("supply_company", "province", "staff", True, {P.WORK_BRANCH_APPLICATIONS}),
        # ... and a grant gives nothing where the table gives nothing to read.
        ("supply_company", "city", "staff", True, set()),
        ("supply_company", "county", "staff", True, set()),
        ("regulator", "province", "regulator", True, set()),
        ("supply_company", "province", "regulator", True, set()),
    ],
)
def test_a_grant_adds_only_what_the_table_allows(
    kind: str, level: str, role: str, granted: bool, held: set[Power]
) -> None:
    powers = powers_for(kind, level, role, "国网宁夏电力有限公司", NAMED, granted)
    assert powers - powers_for(kind, level, role, "国网宁夏电力有限公司", NAMED) == held
    assert P.READ_BRANCH_APPLICATIONS not in powers or (kind, level) == (
        "supply_company",
        "province",
    )


@pytest.mark.pure
def test_granted_powers_are_in_no_kinds_table() -> None:
    for power, requires in GRANTED_POWERS.items():
        assert not any(power in powers for powers in POWERS.values())
        assert any(requires in powers for powers in POWERS.values())


def test_the_grant_is_looked_up_only_for_accounts_that_could_hold_it(
    organisation_users: dict[str, Any],
) -> None:
    asked: list[str] = []

    def grant(user: Any) -> bool:
        asked.append(user.username)
        return True

    for case in ORGANISATION_CASES:
        powers_of(organisation_users[case.key], grant=grant)
    assert asked == [organisation_users["company_province"].username]
    province = powers_of(organisation_users["company_province"], grant=grant)
    assert province.powers == EXPECTED["company_province"] | {P.WORK_BRANCH_APPLICATIONS}


@pytest.mark.parametrize("case", ORGANISATION_CASES, ids=lambda c: c.key)
def test_an_account_holds_the_powers_of_its_organisation(
    organisation_users: dict[str, Any], case: Any
) -> None:
    powers = powers_of(organisation_users[case.key])
    assert powers.powers == EXPECTED[case.key]
    assert powers.prefix == {"province": "64", "city": "6401", "county": "640104"}[case.level]


def test_nobody_else_holds_a_power(organisation_users: dict[str, Any]) -> None:
    assert not powers_of(organisation_users["applicant"]).powers
    assert not powers_of(organisation_users["anonymous"]).powers
    admin = powers_of(organisation_users["admin"])
    assert admin.powers == ADMIN_POWERS and admin.prefix == ""
    inactive = organisation_users["nea"]
    inactive.is_active = False
    assert not powers_of(inactive).powers


def test_an_account_cannot_widen_its_organisations_region(
    organisation_users: dict[str, Any],
) -> None:
    from getelec.accounts.models import Region

    user = organisation_users["energy_county"]
    user.region = Region.objects.get(code="640000")
    assert powers_of(user).prefix == "640104"
    user = organisation_users["drc"]
    user.region = Region.objects.get(code="640100")  # narrowed to a city: allowed
    assert powers_of(user).prefix == "6401"


@pytest.mark.pure
def test_the_table_knows_exactly_the_organisation_kinds_of_the_model() -> None:
    from getelec.accounts.models import Organisation

    assert set(ORGANISATION_KINDS) == set(Organisation.Kind.values)
    assert set(ROLES_FOR_KIND) == set(Organisation.Kind.values)
    assert {kind for kind, _level in POWERS} == set(Organisation.Kind.values)
