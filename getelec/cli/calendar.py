"""`getelec calendar ...` (stub; see issue 2)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("calendar", help="official working-day calendar")
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)
