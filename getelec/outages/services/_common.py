"""Helpers shared by the services that create rows: numbering and the districts an outage
affects."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from getelec.outages.models import District, Feeder


def next_number(model: type, prefix: str) -> str:
    """The next free number of the day: prefix + yyyymmdd + 4 digits."""
    today = timezone.localdate()
    stem = f"{prefix}{today:%Y%m%d}"
    n = model.objects.filter(number__startswith=stem).count() + 1  # type: ignore[attr-defined]
    while model.objects.filter(number=f"{stem}{n:04d}").exists():  # type: ignore[attr-defined]
        n += 1
    return f"{stem}{n:04d}"


def affected_districts(feeder: Feeder, districts: Sequence[District]) -> list[District]:
    return list(districts) if districts else list(feeder.districts.order_by("district_id"))
