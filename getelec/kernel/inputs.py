"""Checks of service input shared by every domain: a choice among a vocabulary, a date.

They raise the kernel's InvalidInput naming the field, so forms, the API and the CLI show the
message beside the field (getelec.kernel.errors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from getelec.kernel.errors import InvalidInput


def choice(field: str, label: str, value: Any, choices: Any) -> str:
    """`value` must be one of a TextChoices' values."""
    allowed = [c.value for c in choices]
    if value not in allowed:
        raise InvalidInput(
            _("%(label)s取值无效：%(value)r（可选：%(allowed)s）")
            % {"label": label, "value": value, "allowed": "、".join(allowed)},
            field,
        )
    return str(value)


def as_date(field: str, label: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(_("%(label)s日期格式不正确（YYYY-MM-DD）") % {"label": label}, field)
