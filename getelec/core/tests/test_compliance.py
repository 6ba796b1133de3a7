"""The on-time rate (getelec.core.compliance.on_time_rate), no database.

T2/L3 set the time limits; the rate that reports compliance with them counts an open
application already past its due date on the report date as a miss, so that a backlog is never
hidden behind completed cases that were on time.
"""

from __future__ import annotations

import pytest

from getelec.core.compliance import on_time_rate

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("on_time", "completed", "open_past_due", "rate"),
    [
        (0, 0, 0, None),  # nothing completed, nothing overdue: no rate
        (10, 10, 0, 100.0),  # all completed on time, no backlog
        (10, 10, 28, 26.3),  # every completed case on time, 28 overdue: not 100 %
        (0, 0, 3, 0.0),  # only a backlog
        (1, 2, 1, 33.3),  # one on time, one late, one open past due
        (1, 2, 0, 50.0),
        (2, 3, 0, 66.7),  # one decimal, half up
    ],
)
def test_the_on_time_rate_counts_the_open_backlog_as_misses(
    on_time: int, completed: int, open_past_due: int, rate: float | None
) -> None:
    assert on_time_rate(on_time, completed, open_past_due) == rate


@pytest.mark.parametrize(("on_time", "completed", "open_past_due"), [(3, 2, 0), (-1, 0, 0)])
def test_impossible_counts_are_refused(on_time: int, completed: int, open_past_due: int) -> None:
    with pytest.raises(ValueError):
        on_time_rate(on_time, completed, open_past_due)
