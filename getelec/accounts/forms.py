"""Sign-in form: Django's, with labels and messages in the platform's words."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("账号")
        self.fields["password"].label = _("密码")
        self.fields["username"].error_messages["required"] = _("请填写“账号”。")
        self.fields["password"].error_messages["required"] = _("请填写“密码”。")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.error_messages = {
            **self.error_messages,
            "invalid_login": _("账号或密码不正确。"),
            "inactive": _("该账号已停用。"),
        }
