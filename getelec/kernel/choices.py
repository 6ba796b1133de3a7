"""Choice labels read from a per-language cache: the base of models whose list pages call
get_FOO_display() a few hundred times per request."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


def choice_label(field: Any, value: Any) -> Any:
    """The display label of `value` for a field with choices, in the active language.

    Same result as Django's get_FOO_display() (the value itself when it is not a choice), from a
    {value: label} dict cached on the field per language: Django rebuilds the dict of every
    choice (one gettext per lazy label) on each call, and list pages call it a few hundred
    times per request.
    """
    per_language: dict[str | None, dict[Any, str]] = field.__dict__.setdefault(
        "_cached_choice_labels", {}
    )
    language = get_language()
    labels = per_language.get(language)
    if labels is None:
        labels = {make_hashable(key): force_str(label) for key, label in field.flatchoices}
        per_language[language] = labels
    key = make_hashable(value)
    return labels[key] if key in labels else force_str(value, strings_only=True)


class CachedChoiceLabels(models.Model):
    """Model base: get_FOO_display() through `choice_label` (cached)."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: Any) -> Any:  # Django calls it by this name
        return choice_label(field, getattr(self, field.attname))
