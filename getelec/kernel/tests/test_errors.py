"""The one error family and its one mapping to HTTP, forms and exit codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from getelec.kernel import errors
from getelec.kernel.errors import (
    Conflict,
    InvalidInput,
    InvalidState,
    NotAllowed,
    ServiceError,
    add_to_form,
    exit_code,
    http_status,
)

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (InvalidInput("坏", "capacity_kw"), 422),
        (Conflict("他人已修改"), 409),
        (InvalidState("已暂停"), 409),
        (NotAllowed("不可"), 403),
        (ServiceError("其他"), 400),
    ],
)
def test_each_error_has_one_http_status_and_exits_2(exc: ServiceError, status: int) -> None:
    assert http_status(exc) == status
    assert exit_code(exc) == errors.EXIT_BAD_INPUT == 2


def test_the_message_names_the_field() -> None:
    exc = InvalidInput("必须大于0", "capacity_kw")
    assert (exc.message, exc.field) == ("必须大于0", "capacity_kw")
    assert str(exc) == "capacity_kw: 必须大于0"
    assert str(InvalidInput("整体")) == "整体"


class _Form:
    fields = {"capacity_kw": object()}

    def __init__(self) -> None:
        self.errors: list[tuple[Any, str]] = []

    def add_error(self, field: Any, message: str) -> None:
        self.errors.append((field, message))


def test_add_to_form_uses_the_field_when_the_form_has_it() -> None:
    form = _Form()
    add_to_form(form, InvalidInput("坏", "capacity_kw"))
    add_to_form(form, InvalidInput("无此字段", "version"))
    add_to_form(form, Conflict("整体"))
    assert form.errors == [("capacity_kw", "坏"), (None, "无此字段"), (None, "整体")]


def test_the_old_import_paths_are_the_same_classes() -> None:
    from getelec import cli
    from getelec.connection import services
    from getelec.kernel.setup import django_setup

    assert services.ServiceError is ServiceError
    assert services.InvalidInput is InvalidInput
    assert services.Conflict is Conflict
    assert services.InvalidState is InvalidState
    assert services.NotAllowed is NotAllowed
    assert (cli.EXIT_BAD_INPUT, cli.EXIT_BUSY, cli.EXIT_NOT_CONFIRMED) == (2, 3, 3)
    assert cli.django_setup is django_setup


def test_param_reads_the_value_in_force_today(frozen_today: dt.date) -> None:
    from getelec.core.policy import default_policy
    from getelec.kernel.policy import param

    today = default_policy().get("three_zero_max_kw", frozen_today)
    assert param("three_zero_max_kw") == today
    assert param("three_zero_max_kw", frozen_today, "640104") == default_policy().get(
        "three_zero_max_kw", frozen_today, "640104"
    )


def test_several_field_errors_are_one_error_mapped_once() -> None:
    # Issue 10: every bad field at once. One 422, one exit code, each field on the form, and a
    # one-line text (the CLI's) naming each field.
    exc = InvalidInput.several([("id_number", "校验位不正确"), ("contact_phone", "格式不正确")])
    assert (exc.field, exc.message) == ("id_number", "校验位不正确")
    assert str(exc) == "id_number: 校验位不正确; contact_phone: 格式不正确"
    assert (http_status(exc), exit_code(exc)) == (422, 2)
    form = _Form()
    form.fields = {"id_number": object(), "contact_phone": object()}
    add_to_form(form, exc)
    assert form.errors == [("id_number", "校验位不正确"), ("contact_phone", "格式不正确")]
    assert InvalidInput("坏", "capacity_kw").errors == [("capacity_kw", "坏")]
    with pytest.raises(ValueError):
        InvalidInput.several([])
