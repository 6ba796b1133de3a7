"""Signal receivers: keep stored deadlines in step with the working-day calendar."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from getelec.workcalendar.signals import (
    DateMove,
    calendar_replacement_impact,
    calendar_year_imported,
)


@receiver(calendar_year_imported)
def recompute_deadlines(
    sender: Any, year: int, actor: Any, replaced: bool = False, **kwargs: Any
) -> int:
    from getelec.connection import services

    if replaced:
        return services.recompute_year_deadlines(actor=actor, year=year)
    return services.recompute_pending_deadlines(actor=actor)


@receiver(calendar_replacement_impact)
def deadlines_that_would_move(
    sender: Any, year: int, calendar: Any, **kwargs: Any
) -> list[DateMove]:
    from getelec.connection.services import deadline_moves

    return deadline_moves(calendar, year)
