"""The connection domain's Django choices and the core's vocabularies are one vocabulary: a value
added on one side only fails here (the kernel issue: vocabularies declared twice with nothing
tying them)."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from getelec.connection import models
from getelec.core import assess, parameters
from getelec.core.policy import default_policy

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("core", "choices"),
    [
        (assess.CustomerType, models.CustomerType),
        (assess.RequestType, models.RequestType),
        (assess.Purpose, models.Purpose),
        (assess.Category, models.Category),
        (parameters.StageCode, models.StageCode),
    ],
    ids=["customer_type", "request_type", "purpose", "category", "stage"],
)
def test_django_choices_are_the_core_vocabulary(core: Any, choices: Any) -> None:
    assert list(get_args(core)) == list(choices.values)


def test_every_stage_in_the_policy_data_is_a_stage_code() -> None:
    """Stage names live in policy data (`stages_*`, every version and region): each must be a
    StageCode, or the stage records could not be stored."""
    policy = default_policy()
    used = {
        part.stage
        for name in policy.names()
        if name.startswith("stages_")
        for version in policy.history(name)
        for part in version.value
    }  # validated at load as parameters.Stage
    assert used, "no stages_* parameter found"
    assert used <= set(models.StageCode.values), used - set(models.StageCode.values)
