"""Access scope, the one module every selectors module builds its querysets on.

What an organisation may do, and where, is the powers table (getelec.accounts.powers); this
module adds the pieces every domain needs around it: who counts as signed in, the region a user
works in, and the Q filters of "every company's in my region" and "my company's own in my
region". Domain selectors keep their domain rules (who owns an application, a ledger row) and
build on these; they never re-write them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.http import HttpRequest

from getelec.accounts.powers import KIND_SUPPLY_COMPANY, Power, powers_of, scope_region

if TYPE_CHECKING:
    from getelec.accounts.models import User

__all__ = [
    "SignedInRequest",
    "branch_filter",
    "branch_ids",
    "can_act_for_branch",
    "can_work_on",
    "company_filter",
    "is_active",
    "is_company_staff",
    "region_filter",
    "scope_region",
    "sees_everything",
]


def is_active(user: Any) -> bool:
    """A signed-in, active account (anonymous and deactivated users see nothing)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def sees_everything(user: Any, power: Power) -> bool:
    """Holds the domain's read-everything `power` (in its region: narrow querysets with
    `region_filter`). Each domain names its power: READ_QUALITY_LEDGER, READ_LEDGER_ALL, ..."""
    return powers_of(user).has(power)


def region_filter(user: Any, region: str = "region") -> Q:
    """The region part of a reader's scope, on the lookup path `region` (admins: everything;
    no region at all: nothing)."""
    prefix = powers_of(user).prefix
    if prefix is None:
        return Q(pk__in=[])
    return Q(**{f"{region}__code__startswith": prefix}) if prefix else Q()


def is_company_staff(user: Any) -> bool:
    """An active staff account of a supply company."""
    return (
        is_active(user)
        and user.is_company_staff
        and user.organisation_id is not None
        and user.organisation.kind == KIND_SUPPLY_COMPANY
    )


def company_filter(user: Any, company: str = "company", region: str = "region") -> Q | None:
    """The Q of a staff member's own company within their region scope (lookup paths `company`
    and `region`), or None when they have no scope. Only for `is_company_staff` users."""
    scope = scope_region(user)
    if scope is None:
        return None
    return Q(**{f"{company}_id": user.organisation_id}) & Q(
        **{f"{region}__code__startswith": scope.scope_prefix}
    )


def can_work_on(user: Any, company_id: int | None, region_code: str) -> bool:
    """Staff of the company that owns the object, within their region scope."""
    if not is_company_staff(user) or user.organisation_id != company_id:
        return False
    scope = scope_region(user)
    return scope is not None and region_code.startswith(scope.scope_prefix)


def branch_ids(organisation_id: int | None) -> set[int]:
    """The supply companies below an organisation through Organisation.parent, at any depth
    (国网宁夏电力 → the city companies → their county centres); not the organisation itself."""
    from getelec.accounts.models import Organisation

    if organisation_id is None:
        return set()
    found: set[int] = set()
    frontier = {organisation_id}
    while frontier:
        children = set(
            Organisation.objects.filter(
                parent_id__in=frontier, kind=KIND_SUPPLY_COMPANY
            ).values_list("pk", flat=True)
        )
        frontier = children - found
        found |= frontier
    found.discard(organisation_id)  # a parent loop leads back to itself
    return found


def branch_filter(user: Any, company: str = "company", region: str = "region") -> Q | None:
    """The Q of the branches' objects within the user's region scope, for staff whose
    organisation reads its branches' (READ_BRANCH_APPLICATIONS), else None."""
    if not is_company_staff(user):
        return None
    powers = powers_of(user)
    if not powers.has(Power.READ_BRANCH_APPLICATIONS) or powers.prefix is None:
        return None
    return Q(**{f"{company}_id__in": sorted(branch_ids(user.organisation_id))}) & Q(
        **{f"{region}__code__startswith": powers.prefix}
    )


def can_act_for_branch(user: Any, company_id: int | None, region_code: str) -> bool:
    """Staff holding an admin's grant (WORK_BRANCH_APPLICATIONS) on an object of one of their
    organisation's branches, within their region scope."""
    if not is_company_staff(user) or company_id is None:
        return False
    powers = powers_of(user)
    return (
        powers.has(Power.WORK_BRANCH_APPLICATIONS)
        and powers.in_scope(region_code)
        and company_id in branch_ids(user.organisation_id)
    )


class SignedInRequest(HttpRequest):
    """The request of a view behind login_required: its user is signed in (for the type checker;
    the class is never instantiated)."""

    user: User
