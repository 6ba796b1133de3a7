"""Label tables in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


def translated(labels: dict[Any, str]) -> dict[Any, str]:
    """A label table of `rules` (marked with gettext_noop) in the active language."""
    return {key: gettext(label) for key, label in labels.items()}
