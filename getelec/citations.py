"""How a citation reads on a page (template builtins).

`{{ b.clause|clause_label }}`: plan clauses keep their ids (T1, L28 …: the plan's own numbering,
which users look up); the pseudo-clauses of policy data read as what they are: PRACTICE (national
industry practice or a standard, with its source), LOCAL (a regional rule) and DEFAULT (a value
nobody prescribes: the platform's default, which an administrator may change).

`{{ b|cite_text }}`: the words shown beside the label: the quote (marked 大意 when it restates its
source), or a default's reason. `{% cite b %}`: label, words, source and 待确认 as one element.

`b` is a citation in any of its shapes: a stored decision basis (dict), a Citation, or a
ParameterValue (its citation).

`{{ b.parameter|param_label }}` and `{{ b.value|param_value:labels }}`: a parameter and its value
in words (the registry's Chinese description; list items through `labels`, booleans as 是/否),
never the parameter's name or a code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy

from getelec.core.parameters import PARAMETERS

register = template.Library()

PSEUDO_CLAUSES = {
    "PRACTICE": gettext_lazy("国家行业惯例"),
    "LOCAL": gettext_lazy("地方规定"),
    "DEFAULT": gettext_lazy("平台缺省值（管理员可调整）"),
}


def _field(citation: Any, name: str) -> Any:
    if isinstance(citation, dict):
        return citation.get(name) or ""
    citation = getattr(citation, "citation", citation)  # a ParameterValue: its citation
    return getattr(citation, name, "") or ""


@register.filter
def param_label(name: str) -> str:
    parameter = PARAMETERS.get(name)
    return parameter.description if parameter else str(name)


@register.filter
def param_value(value: Any, labels: Mapping[str, Any] | None = None) -> str:
    labels = labels or {}
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, (list, tuple)):
        return "、".join(str(labels.get(v, v)) for v in value) if value else gettext("无")
    return str(labels.get(value, value)) if isinstance(value, str) else str(value)


@register.filter
def clause_label(clause: str) -> str:
    return str(PSEUDO_CLAUSES.get(clause, clause))


@register.filter
def cite_text(citation: Any) -> str:
    """The quote (with （大意） when it paraphrases its source), or a default's reason."""
    if _field(citation, "clause") == "DEFAULT" or not _field(citation, "quote"):
        return str(_field(citation, "reason"))
    quote = str(_field(citation, "quote"))
    return f"{quote}{gettext('（大意）')}" if _field(citation, "paraphrase") else quote


@register.simple_tag
def cite(citation: Any) -> SafeString:
    """One citation as `<span class="cite">`: label, words, source, 待确认."""
    if not citation:
        return SafeString("")
    source = _field(citation, "source")
    unconfirmed = _field(citation, "unconfirmed")
    return format_html(
        '<span class="cite"><span class="clause">{}</span> {}{}{}</span>',
        clause_label(_field(citation, "clause")),
        cite_text(citation),
        format_html(' <span class="source">（{}）</span>', source) if source else "",
        format_html(' <span class="tag tag-muted">{}</span>', gettext("待确认"))
        if unconfirmed
        else "",
    )
