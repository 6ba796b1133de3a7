"""The one way to read a policy value: `param(name, on, region)`.

Thin over `getelec.core.policy.default_policy().get`: `on` defaults to today (local date),
`region` to the whole autonomous region. Raises PolicyValueMissing when no value is in force.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from getelec.core.policy import ParameterValue, default_policy


def param(name: str, on: dt.date | None = None, region: str | None = None) -> ParameterValue:
    return default_policy().get(name, on or timezone.localdate(), region)
