"""Django setup for console commands (kept out of getelec.cli so a domain's command module
needs nothing from the CLI package)."""

from __future__ import annotations

import os


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "getelec.settings")
    import django

    django.setup()
