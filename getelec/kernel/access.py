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


class SignedInRequest(HttpRequest):
    """The request of a view behind login_required: its user is signed in (for the type checker;
    the class is never instantiated)."""

    user: User
