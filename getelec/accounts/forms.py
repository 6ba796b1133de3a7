"""Sign-in forms: Django's, with labels and messages in the platform's words, throttled.

Both the platform's sign-in page and the admin's use ThrottledLoginMixin (getelec.accounts
.lockout): an (account, client) pair is locked after repeated wrong passwords; an account under
attack from many clients is only slowed down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from getelec.accounts import lockout

if TYPE_CHECKING:  # what the mixin is mixed into, for the type checker (object at run time)
    _LoginFormBase = AuthenticationForm
else:
    _LoginFormBase = object


class ThrottledLoginMixin(_LoginFormBase):
    """Check the lock before the password (a refused attempt hashes nothing), count failures."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        lock = lockout.locked(self.request, username)
        if lock is not None:
            raise forms.ValidationError(
                _("登录失败次数过多，请%(n)s分钟后再试。") % {"n": lock.minutes()},
                code="locked",
            )
        lockout.slow_down(username)
        try:
            data = super().clean()
        except forms.ValidationError as exc:
            if getattr(exc, "code", None) == "invalid_login":
                lockout.failed(self.request, username)
            raise
        lockout.succeeded(self.request, username)
        return data


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
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


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin site's sign-in, under the same throttle."""
