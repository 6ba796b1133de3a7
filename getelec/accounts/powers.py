"""What each organisation may do, by its kind and the level of its region: one table.

Access used to hang on the role flag (`user.is_regulator`), so a city energy authority, whose
users are regulators by role, held the province regulator's powers: it reviewed progress
reports and read the whole supervision ledger and the province-wide quality ledger. Powers now
come from the organisation (kind × region level, POWERS below) and are scoped to its region;
selectors and services ask `powers_of(user)`, never the role flag.

- The region regulators (自治区发展改革委, 国家能源局西北监管局: kind regulator, province)
  read applications, filings, batches and both ledgers of the region and review progress
  reports. Signing off the quality ledger (L30) belongs to one organisation, named in policy
  data (`quality_signoff_organisation`), not to a kind.
- A city energy authority reads its city's filings, batches and arrears reports; it reviews
  and signs off nothing. A county one reads its county's filings and arrears reports.
- Supply companies work their own applications, filings, batches and grid, within their region.
  The province-level company (国网宁夏电力) also reads its branches' applications (the city and
  county companies whose Organisation.parent chain leads to it) read-only; working them needs a
  per-user grant by a platform admin (accounts.ActingGrant, audited: GRANTED_POWERS).
- Departments report on their own ledger rows (as every responsible unit does).
- Property managers (物业服务企业, T9), developers (房屋开发建设单位, T7) and energy-service
  companies (综合能源服务企业, L37–L39) are not units of 附件2 and regulate nothing: today they
  keep their organisation's documents in the documents-once store (L13) and nothing more, at
  every level. Their accounts have the applicant role (they are the platform's customers). The
  domains that involve them (communities, energy services, ...) add powers here, not roles.
- A platform admin reads everything and decides nothing.

The table is data; `powers_for` is pure; `powers_of(user)` adds the user's organisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Power(StrEnum):
    # Connection applications.
    READ_APPLICATIONS = "read_applications"  # every application in scope, read-only
    WORK_APPLICATIONS = "work_applications"  # the own company's applications in scope
    READ_BRANCH_APPLICATIONS = "read_branch_applications"  # the branches' (parent chain), read
    WORK_BRANCH_APPLICATIONS = "work_branch_applications"  # the same, worked: per-user grant
    READ_COMPLIANCE_DASHBOARD = "read_compliance_dashboard"
    # Task ledger (附件2) and progress reports.
    READ_LEDGER_ALL = "read_ledger_all"  # every row and every unit's reports
    REPORT_PROGRESS = "report_progress"  # on the organisation's own rows
    REVIEW_REPORTS = "review_reports"  # other units' reports
    # Delay filings (A1), monthly batches, arrears-disconnection reports.
    FILE_FILINGS = "file_filings"  # the own company's filings and batches
    READ_FILINGS = "read_filings"  # filings of applications in scope
    READ_BATCHES = "read_batches"  # batches of companies in scope or concerning a region in it
    READ_ARREARS_REPORTS = "read_arrears_reports"
    # Supply quality (frequent-outage ledger, warnings, repairs).
    WORK_QUALITY_DESK = "work_quality_desk"  # the own company's grid in scope
    READ_QUALITY_LEDGER = "read_quality_ledger"  # every company's, in scope
    SIGN_OFF_QUALITY = "sign_off_quality"  # verify and close entries (L30)
    # Documents-once store (L13, getelec.documents).
    KEEP_ORGANISATION_DOCUMENTS = "keep_organisation_documents"  # the own organisation's


P = Power
KIND_SUPPLY_COMPANY = "supply_company"
KIND_REGULATOR = "regulator"
KIND_DEPARTMENT = "department"
KIND_ENERGY_AUTHORITY = "energy_authority"
KIND_PROPERTY_MANAGER = "property_manager"
KIND_DEVELOPER = "developer"
KIND_ENERGY_SERVICE_COMPANY = "energy_service_company"
ENTERPRISE_KINDS = (KIND_PROPERTY_MANAGER, KIND_DEVELOPER, KIND_ENERGY_SERVICE_COMPANY)
LEVEL_PROVINCE, LEVEL_CITY, LEVEL_COUNTY = "province", "city", "county"
LEVELS = (LEVEL_PROVINCE, LEVEL_CITY, LEVEL_COUNTY)

_COMPANY = frozenset({P.WORK_APPLICATIONS, P.FILE_FILINGS, P.REPORT_PROGRESS, P.WORK_QUALITY_DESK})
_LOCAL_REGULATOR = frozenset(
    {
        P.READ_APPLICATIONS,
        P.READ_COMPLIANCE_DASHBOARD,
        P.READ_FILINGS,
        P.READ_BATCHES,
        P.READ_ARREARS_REPORTS,
        P.READ_QUALITY_LEDGER,
        P.REPORT_PROGRESS,
    }
)

# (organisation kind, level of its region) → powers. A pair missing here has none.
POWERS: Mapping[tuple[str, str], frozenset[Power]] = {
    **{(KIND_SUPPLY_COMPANY, level): _COMPANY for level in LEVELS},
    (KIND_SUPPLY_COMPANY, LEVEL_PROVINCE): _COMPANY | {P.READ_BRANCH_APPLICATIONS},
    (KIND_REGULATOR, LEVEL_PROVINCE): _LOCAL_REGULATOR | {P.READ_LEDGER_ALL, P.REVIEW_REPORTS},
    (KIND_REGULATOR, LEVEL_CITY): _LOCAL_REGULATOR,
    (KIND_REGULATOR, LEVEL_COUNTY): _LOCAL_REGULATOR,
    (KIND_ENERGY_AUTHORITY, LEVEL_PROVINCE): frozenset(
        {P.READ_FILINGS, P.READ_BATCHES, P.READ_ARREARS_REPORTS, P.REPORT_PROGRESS}
    ),
    (KIND_ENERGY_AUTHORITY, LEVEL_CITY): frozenset(
        {P.READ_FILINGS, P.READ_BATCHES, P.READ_ARREARS_REPORTS, P.REPORT_PROGRESS}
    ),
    (KIND_ENERGY_AUTHORITY, LEVEL_COUNTY): frozenset(
        {P.READ_FILINGS, P.READ_ARREARS_REPORTS, P.REPORT_PROGRESS}
    ),
    **{(KIND_DEPARTMENT, level): frozenset({P.REPORT_PROGRESS}) for level in LEVELS},
    **{
        (kind, level): frozenset({P.KEEP_ORGANISATION_DOCUMENTS})
        for kind in ENTERPRISE_KINDS
        for level in LEVELS
    },
}

# Powers held by one organisation, named by a policy parameter, on top of its kind's powers;
# only an organisation whose kind and level allow `requires` can hold them.
NAMED_POWERS: Mapping[str, tuple[Power, Power]] = {
    # parameter → (power, requires)
    "quality_signoff_organisation": (P.SIGN_OFF_QUALITY, P.READ_QUALITY_LEDGER),
}

# Powers held by one user on top of their organisation's, only while a platform admin's grant
# stands (accounts.ActingGrant, each grant and revocation audited), and only when the
# organisation's kind and level allow `requires`: power → requires.
GRANTED_POWERS: Mapping[Power, Power] = {
    P.WORK_BRANCH_APPLICATIONS: P.READ_BRANCH_APPLICATIONS,
}

# A platform admin reads everything (no region limit) and decides nothing.
ADMIN_POWERS = frozenset(
    {
        P.READ_APPLICATIONS,
        P.READ_COMPLIANCE_DASHBOARD,
        P.READ_LEDGER_ALL,
        P.READ_FILINGS,
        P.READ_BATCHES,
        P.READ_ARREARS_REPORTS,
        P.READ_QUALITY_LEDGER,
    }
)

# The user role each organisation kind's accounts have; an account whose role does not match
# its organisation's kind holds no power (fail closed).
ROLES_FOR_KIND: Mapping[str, frozenset[str]] = {
    KIND_SUPPLY_COMPANY: frozenset({"staff"}),
    KIND_REGULATOR: frozenset({"regulator"}),
    KIND_ENERGY_AUTHORITY: frozenset({"regulator", "department"}),
    KIND_DEPARTMENT: frozenset({"department"}),
    **{kind: frozenset({"applicant"}) for kind in ENTERPRISE_KINDS},
}


def powers_for(
    kind: str,
    level: str,
    role: str,
    organisation_name: str = "",
    named: Mapping[str, str] | None = None,
    granted: bool = False,
) -> frozenset[Power]:
    """Pure: the powers of an account with `role` in an organisation of `kind` whose region is
    at `level`; `named` maps NAMED_POWERS parameters to the organisation name they name;
    `granted`: the account holds an admin's grant (GRANTED_POWERS)."""
    if role not in ROLES_FOR_KIND.get(kind, ()):
        return frozenset()
    powers = POWERS.get((kind, level), frozenset())
    extra = {
        power
        for parameter, (power, requires) in NAMED_POWERS.items()
        if requires in powers
        and organisation_name
        and (named or {}).get(parameter) == organisation_name
    }
    if granted:
        extra |= {power for power, requires in GRANTED_POWERS.items() if requires in powers}
    return powers | extra


@dataclass(frozen=True)
class UserPowers:
    """What one user may do, and where: region codes starting with `prefix` ("" = anywhere)."""

    powers: frozenset[Power]
    prefix: str | None  # None: no region at all (nothing is in scope)
    organisation_id: int | None
    admin: bool = False

    def has(self, power: Power) -> bool:
        return power in self.powers

    def in_scope(self, region_code: str) -> bool:
        return self.prefix is not None and region_code.startswith(self.prefix)

    def __contains__(self, power: object) -> bool:
        return power in self.powers


NO_POWERS = UserPowers(frozenset(), None, None)


def _named_organisations(on: dt.date | None = None) -> dict[str, str]:
    from django.utils import timezone

    from getelec.core.policy import default_policy

    # Read straight from core (not getelec.kernel.policy): the kernel's access module stands
    # on this one.
    policy = default_policy()
    day = on or timezone.localdate()
    return {parameter: policy.get(parameter, day).value for parameter in NAMED_POWERS}


def _holds_grant(user: Any) -> bool:
    """An admin's grant stands for the user in their current organisation (a grant given in
    another organisation lapses when the account moves)."""
    from getelec.accounts.models import ActingGrant

    return ActingGrant.objects.filter(
        user_id=user.pk, organisation_id=user.organisation_id
    ).exists()


def scope_region(user: Any) -> Any:
    """The region the user works in: their own when it lies within their organisation's,
    else the organisation's (an account cannot widen its organisation's scope); without an
    organisation, their own (or None). getelec.kernel.access hands it to every domain."""
    if not user.organisation_id:
        return user.region if user.region_id else None
    org_region = user.organisation.region
    if user.region_id and user.region_id.startswith(org_region.scope_prefix):
        return user.region
    return org_region


def powers_of(
    user: Any,
    named: Callable[[], Mapping[str, str]] = _named_organisations,
    grant: Callable[[Any], bool] = _holds_grant,
) -> UserPowers:
    """The powers of a signed-in, active user (none for anybody else)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_POWERS
    if user.is_platform_admin:
        return UserPowers(ADMIN_POWERS, "", user.organisation_id, admin=True)
    org = user.organisation
    if org is None:
        return NO_POWERS
    region = scope_region(user)
    # Policy lookups only when the table could grant a named power to this kind and level.
    base = powers_for(org.kind, org.region.level, user.role)
    needs_names = any(requires in base for _power, requires in NAMED_POWERS.values())
    # The grant lookup only for accounts the table lets hold a granted power.
    granted = any(requires in base for requires in GRANTED_POWERS.values()) and grant(user)
    powers = powers_for(
        org.kind, org.region.level, user.role, org.name, named() if needs_names else {}, granted
    )
    return UserPowers(powers, region.scope_prefix, org.pk)


def has_power(user: Any, power: Power) -> bool:
    return powers_of(user).has(power)


# Every (kind, level) pair, for tests that walk the whole table.
ORGANISATION_KINDS = (
    KIND_SUPPLY_COMPANY,
    KIND_REGULATOR,
    KIND_ENERGY_AUTHORITY,
    KIND_DEPARTMENT,
    *ENTERPRISE_KINDS,
)


def context(request: Any) -> dict[str, Any]:
    """Template context processor: `{% if "read_applications" in powers %}` (computed once per
    request, only when a template asks)."""
    from django.utils.functional import SimpleLazyObject

    return {"powers": SimpleLazyObject(lambda: powers_of(getattr(request, "user", None)))}
