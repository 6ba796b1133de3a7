"""Form helpers every domain's forms share: errors that name their field in Chinese."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

__all__ = ["NamedErrorsMixin"]


class NamedErrorsMixin:
    """Every built-in error message names its field: “请填写“户名””, not “这个字段是必填项”."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            label = str(field.label)
            named = {
                "required": _("请填写“%(field)s”。") % {"field": label},
                "invalid": _("“%(field)s”格式不正确。") % {"field": label},
                "invalid_choice": _("“%(field)s”的选项无效，请重新选择。") % {"field": label},
                "invalid_list": _("“%(field)s”的选项无效，请重新选择。") % {"field": label},
                "max_length": _("“%(field)s”过长。") % {"field": label},
                "max_digits": _("“%(field)s”位数过多。") % {"field": label},
                "max_decimal_places": _("“%(field)s”最多保留两位小数。") % {"field": label},
                "max_whole_digits": _("“%(field)s”数值过大。") % {"field": label},
                "min_value": _("“%(field)s”不能小于%(limit_value)s。"),
                "max_value": _("“%(field)s”不能大于%(limit_value)s。"),
            }
            for key in ("min_value", "max_value"):
                named[key] = named[key].replace("%(field)s", label)
            field.error_messages.update(named)
            for validator in field.validators:
                code = getattr(validator, "code", None)
                if code in ("min_value", "max_value", "max_length"):
                    validator.message = named[code]
