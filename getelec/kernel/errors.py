"""The services' error family and its one mapping to HTTP statuses, form errors and exit codes.

Every domain raises these (never its own copies); `getelec.api` maps them to HTTP with
`http_status`, views that catch `ServiceError` put it on the form with `add_to_form`, and
console commands exit with `exit_code`. Pure: no Django import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Console exit codes (every `getelec` command).
EXIT_OK = 0
EXIT_BAD_INPUT = 2
# Exit 3: the command changed nothing and says why — another run of a one-at-a-time job holds
# its lock, or a change needs confirming (--confirm).
EXIT_BUSY = 3
EXIT_NOT_CONFIRMED = 3


class ServiceError(Exception):
    """Base: `field` names the input field (or "" for the whole request)."""

    def __init__(self, message: str, field: str = ""):
        self.message, self.field = message, field
        super().__init__(f"{field}: {message}" if field else message)


class InvalidInput(ServiceError):
    """Bad input; nothing was saved. `errors` lists every (field, message) found — one, or
    several when a service checks all fields before refusing (`InvalidInput.several`); `field`
    and `message` are the first."""

    def __init__(self, message: str, field: str = "", errors: Sequence[tuple[str, str]] = ()):
        super().__init__(message, field)
        self.errors: list[tuple[str, str]] = list(errors) or [(field, message)]
        if len(self.errors) > 1:
            self.args = ("; ".join(f"{f}: {m}" if f else m for f, m in self.errors),)

    @classmethod
    def several(cls, errors: Sequence[tuple[str, str]]) -> InvalidInput:
        """One error for every (field, message) pair, in order (at least one)."""
        if not errors:
            raise ValueError("InvalidInput.several needs at least one error")
        field, message = errors[0]
        return cls(message, field, errors)


class Conflict(ServiceError):
    """Somebody else changed the object first (stale version or stage)."""


class InvalidState(Conflict):
    """The object's status does not allow this (paused, awaiting consent, closed)."""


class NotAllowed(ServiceError):
    """The actor may not do this to this object."""


def http_status(exc: ServiceError) -> int:
    """409 changed first or wrong state, 403 visible but not allowed, 422 bad input, else 400."""
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, NotAllowed):
        return 403
    if isinstance(exc, InvalidInput):
        return 422
    return 400


def field_errors(exc: ServiceError) -> list[tuple[str, str]]:
    """Every (field, message) of an error: several for a multi-field InvalidInput."""
    if isinstance(exc, InvalidInput):
        return list(exc.errors)
    return [(exc.field, exc.message)]


def add_to_form(form: Any, exc: ServiceError) -> None:
    """Show each error on the form field it names, or on the whole form when the form has no
    such field."""
    for field, message in field_errors(exc):
        form.add_error(field if field in form.fields else None, message)


def exit_code(exc: ServiceError) -> int:
    """A console command whose service refused the request changed nothing: exit 2."""
    return EXIT_BAD_INPUT
