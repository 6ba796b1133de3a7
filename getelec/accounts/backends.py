"""Authentication backend: the session's user arrives with its organisation and region.

Scoping (selectors) reads both on almost every request; fetching them with the user saves two
queries per request on the hottest pages (the staff queue, the API lists).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from getelec.accounts.models import User


class UserWithScopeBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("organisation", "region").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
