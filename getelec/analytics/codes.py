"""The codes and helpers every SQL stage shares: levels, cause codes, interruption status,
day numbers."""

from __future__ import annotations

from getelec.analytics.params import CAUSES

LEVELS = ("meter", "district", "feeder")
CAUSE_NAMES = (*CAUSES, "unknown")  # cause code = position; 6 = no matching record
UNKNOWN_CODE = len(CAUSES)
CAUSE_SLOTS = 8  # cause codes packed into the low bits of the cause order key
if len(CAUSE_NAMES) > CAUSE_SLOTS:
    raise RuntimeError(f"{len(CAUSE_NAMES)} cause codes do not fit the {CAUSE_SLOTS} slots")
# interruption status st
ST_RESTORED = 0  # ended by its `on` (or a normal episode end)
ST_NEXT_OFF = 1  # unrestored: ended at the next `off` or the cap (an episode: an imputed end)
ST_CAPPED = 2  # unrestored: nothing after it and the as-of moment is beyond the cap
ST_OPEN = 3  # open at the as-of moment: frequency only, no duration
DAY = 86400  # seconds per day: a unit, not a policy threshold


def day_of(expr: str) -> str:
    return f"CAST(FLOOR(({expr}) / 86400.0) AS BIGINT)"


def code_list(causes: tuple[str, ...] | list[str]) -> str:
    """A SQL IN-list of cause codes; an empty list matches nothing."""
    if not causes:
        return "(-1)"
    return "(" + ", ".join(str(CAUSES.index(c)) for c in causes) + ")"
