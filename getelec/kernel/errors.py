"""The services' error family and its one mapping to HTTP statuses, form errors and exit codes.

Every domain raises these (never its own copies); `getelec.api` maps them to HTTP with
`http_status`, views that catch `ServiceError` put it on the form with `add_to_form`, and
console commands exit with `exit_code`. Pure: no Django import.
"""

from __future__ import annotations

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
    """Bad input; nothing was saved."""


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


def add_to_form(form: Any, exc: ServiceError) -> None:
    """Show the error on the form field it names, or on the whole form when the form has no
    such field."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def exit_code(exc: ServiceError) -> int:
    """A console command whose service refused the request changed nothing: exit 2."""
    return EXIT_BAD_INPUT
