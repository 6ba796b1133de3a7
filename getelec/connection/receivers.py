"""Signal receivers: recompute deadlines pending on a year when its schedule is imported."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from getelec.workcalendar.signals import calendar_year_imported


@receiver(calendar_year_imported)
def recompute_pending_deadlines(sender: Any, year: int, actor: Any, **kwargs: Any) -> None:
    from getelec.connection.services import recompute_pending_deadlines as recompute

    recompute(actor=actor)
