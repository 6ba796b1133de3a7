"""`getelec outages ...`: outage analytics (issue 3 builds analyze/synth here)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("outages", help="outage analytics over smart-meter events")
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)
