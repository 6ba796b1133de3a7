"""`{{ year|pending_text }}`: the one text of a due date pending on a calendar year."""

from __future__ import annotations

from django import template

from getelec.core import workdays

register = template.Library()


@register.filter
def pending_text(year: int | None) -> str:
    """ "待2027年节假日安排导入后计算" (translated) for 2027; "" for no year."""
    return workdays.pending_text(year)
