"""How a citation's clause id reads on a page (a template builtin: `{{ b.clause|clause_label }}`).

Plan clauses keep their ids (T1, L28 …: the plan's own numbering, which users look up); the two
pseudo-clauses of policy data read as what they are: PRACTICE (national practice and standards,
PRACTICE.md) and LOCAL (a regional rule)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy

register = template.Library()

PSEUDO_CLAUSES = {
    "PRACTICE": gettext_lazy("通行做法"),
    "LOCAL": gettext_lazy("地方规定"),
}


@register.filter
def clause_label(clause: str) -> str:
    return str(PSEUDO_CLAUSES.get(clause, clause))
