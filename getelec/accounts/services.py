"""Account changes that need an audit row: the admin's grant letting a province-level supply
company's account work its branches' applications (getelec.accounts.powers, GRANTED_POWERS).

Given and revoked only by a platform admin (Django admin or `getelec accounts grant-acting`),
each in one transaction with one audit row on the account (`accounts.grant_acting`,
`accounts.revoke_acting`), so the account's history shows who granted what, when and why.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from getelec.accounts.models import ActingGrant, Organisation, User
from getelec.accounts.powers import GRANTED_POWERS, powers_for
from getelec.audit.services import record
from getelec.kernel.errors import Conflict, InvalidInput, NotAllowed

GRANT_ACTION = "accounts.grant_acting"
REVOKE_ACTION = "accounts.revoke_acting"
REASON_MAX = 200


def _require_admin(actor: Any) -> None:
    if not (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.is_platform_admin
    ):
        raise NotAllowed(_("只有平台管理员可以授予或撤销代办授权"))


def check_grantable(user: User) -> Organisation:
    """The organisation the grant would be for; InvalidInput unless `user` is an active account
    whose organisation's kind and level allow a granted power (today: staff of the
    province-level supply company)."""
    org = user.organisation
    if user.is_active and org is not None:
        base = powers_for(org.kind, org.region.level, user.role)
        if any(requires in base for requires in GRANTED_POWERS.values()):
            return org
    raise InvalidInput(_("只有省级供电企业的在岗工作人员可以获得代办下属单位申请的授权"), "user")


def _values(grant: ActingGrant) -> dict[str, Any]:
    return {
        "organisation": grant.organisation_id,
        "granted_by": grant.granted_by_id,
        "granted_at": grant.granted_at,
        "reason": grant.reason,
        "powers": sorted(GRANTED_POWERS),
    }


def grant_acting(actor: User, user: User, reason: str) -> ActingGrant:
    """Let `user` work their organisation's branches' applications (WORK_BRANCH_APPLICATIONS)."""
    _require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写授权事由"), "reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("授权事由不能超过200个字"), "reason")
    organisation = check_grantable(user)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one grant at a time
        existing = ActingGrant.objects.filter(user_id=user.pk).first()
        old: dict[str, Any] = {}
        if existing is not None:
            if existing.organisation_id == organisation.pk:
                raise Conflict(_("该账号已获得代办授权"), "user")
            old = _values(existing)  # a grant of a former organisation: lapsed, replaced
            existing.delete()
        grant = ActingGrant.objects.create(
            user=user,
            organisation=organisation,
            granted_by=actor,
            granted_at=timezone.now(),
            reason=reason,
        )
        record(actor, GRANT_ACTION, user, old, _values(grant), reason)
    return grant


def revoke_acting(actor: User, user: User, reason: str = "") -> None:
    """Withdraw the grant: the account reads its branches' applications again, read-only."""
    _require_admin(actor)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = ActingGrant.objects.filter(user_id=user.pk).first()
        if existing is None:
            raise Conflict(_("该账号没有代办授权"), "user")
        old = _values(existing)
        existing.delete()
        record(actor, REVOKE_ACTION, user, old, {}, (reason or "").strip()[:REASON_MAX])


def acting_grants() -> list[ActingGrant]:
    """Every standing grant (the console's list)."""
    return list(
        ActingGrant.objects.select_related("user", "organisation", "granted_by").order_by(
            "granted_at", "pk"
        )
    )


__all__ = [
    "GRANT_ACTION",
    "REVOKE_ACTION",
    "acting_grants",
    "check_grantable",
    "grant_acting",
    "revoke_acting",
]
