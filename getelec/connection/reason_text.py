"""The 三零 reasons in the page language: every page, API answer and CLI output renders them here.

A reason is data (getelec.core.reasons.Reason, or its dict as a decision stores it); its sentence
is the catalogue template of (rule, variant) (getelec.core.reasons.MESSAGES, the msgids) through
gettext, filled with its values. A stored reason marked `legacy` (an old sentence the data
migration could not read) is shown as stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext

from getelec.core.reasons import Reason, render


def reason_text(reason: Reason | Mapping[str, Any]) -> str:
    """The sentence of one reason in the active language."""
    data = reason.as_dict() if isinstance(reason, Reason) else reason
    stored = str(data.get("text") or data.get("rule") or "")
    if data.get("legacy"):
        return stored
    try:
        return render(
            str(data.get("rule")), str(data.get("variant")), data.get("values") or {}, gettext
        )
    except (KeyError, TypeError, ValueError):  # not in the catalogue (any more): as stored
        return stored


def rendered(reasons: Iterable[Reason | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Reasons (core objects or stored dicts) as dicts with their `text` in the active language."""
    result = []
    for reason in reasons:
        data = reason.as_dict() if isinstance(reason, Reason) else dict(reason)
        result.append({**data, "text": reason_text(data)})
    return result
