"""`getelec accounts ...`: the admin's acting grants (getelec.accounts.services).

getelec accounts grant-acting USERNAME --by ADMIN --reason TEXT
                                  let a province-level supply company's account work its
                                  branches' applications (audited; exit 2 when refused)
getelec accounts revoke-acting USERNAME --by ADMIN [--reason TEXT]
getelec accounts acting           the standing grants, one per line
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from getelec.kernel.errors import EXIT_BAD_INPUT, ServiceError, exit_code
from getelec.kernel.setup import django_setup


def _user(username: str, what: str) -> Any:
    from getelec.accounts.models import User

    found = User.objects.select_related("organisation", "organisation__region").filter(
        username=username
    )
    user = found.first()
    if user is None:
        print(f"error: {what}: no account named {username!r}", file=sys.stderr)
    return user


def grant_acting(args: argparse.Namespace) -> int:
    django_setup()
    from getelec.accounts import services

    user, admin = _user(args.username, "USERNAME"), _user(args.by, "--by")
    if user is None or admin is None:
        return EXIT_BAD_INPUT
    try:
        grant = services.grant_acting(admin, user, args.reason)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_code(exc)
    print(f"granted\t{user.username}\t{grant.organisation.name}\tby {admin.username}")
    return 0


def revoke_acting(args: argparse.Namespace) -> int:
    django_setup()
    from getelec.accounts import services

    user, admin = _user(args.username, "USERNAME"), _user(args.by, "--by")
    if user is None or admin is None:
        return EXIT_BAD_INPUT
    try:
        services.revoke_acting(admin, user, args.reason)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_code(exc)
    print(f"revoked\t{user.username}\tby {admin.username}")
    return 0


def list_acting(args: argparse.Namespace) -> int:
    django_setup()
    from getelec.accounts import services

    for grant in services.acting_grants():
        print(
            f"{grant.user.username}\t{grant.organisation.name}\t{grant.granted_by.username}\t"
            f"{grant.granted_at:%Y-%m-%d %H:%M}\t{grant.reason}"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    accounts = sub.add_parser(
        "accounts",
        help="accounts: acting grants (audited)",
        description="Accounts: acting grants (audited).",
    )
    asub = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    p = asub.add_parser(
        "grant-acting",
        help="let a province-level supply company's account work its branches' applications",
    )
    p.add_argument("username")
    p.add_argument("--by", required=True, help="the platform admin who grants (username)")
    p.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    p.set_defaults(handler=grant_acting)
    p = asub.add_parser("revoke-acting", help="withdraw an acting grant")
    p.add_argument("username")
    p.add_argument("--by", required=True, help="the platform admin who revokes (username)")
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    p.set_defaults(handler=revoke_acting)
    p = asub.add_parser("acting", help="list the standing acting grants")
    p.set_defaults(handler=list_acting)
