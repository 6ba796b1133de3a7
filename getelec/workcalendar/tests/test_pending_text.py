"""The pending-year text is written once (getelec.core.workdays.pending_text) and follows the
active language everywhere: Python callers, the `pending_text` template filter, the API."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from getelec.core.workdays import CalendarYearNotLoaded, pending_text
from getelec.supervision.rules import Deadline

EN_2027 = "to be computed once the 2027 holiday schedule is imported"


@pytest.mark.pure
def test_the_one_text_is_translated_where_it_is_shown() -> None:
    assert pending_text(2027) == "待2027年节假日安排导入后计算"
    with translation.override("en"):
        assert pending_text(2027) == EN_2027
        # These wrote their own untranslated copy before.
        assert CalendarYearNotLoaded(2027).pending_text == EN_2027
        assert Deadline(None, 2027).pending_text == EN_2027
    assert Deadline(None, None).pending_text == ""


@pytest.mark.pure
def test_the_template_filter_is_the_same_text() -> None:
    template = Template("{% load workdays %}[{{ year|pending_text }}]")
    assert template.render(Context({"year": 2027})) == "[待2027年节假日安排导入后计算]"
    assert template.render(Context({"year": None})) == "[]"
    with translation.override("en"):
        assert template.render(Context({"year": 2027})) == f"[{EN_2027}]"
