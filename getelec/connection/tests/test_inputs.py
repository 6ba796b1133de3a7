"""One application's fields are defined once (getelec.connection.inputs.ApplicationInput, its
rule fields being the core's AssessInput): the web form, the API schema and the stored columns
are pinned to that list here, so a field added or renamed in one place only fails."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Literal, get_args, get_origin

import pytest

from getelec.connection import forms, inputs
from getelec.connection.models import Application
from getelec.connection.schema import ApplicationIn
from getelec.core.assess import AssessInput, parse_input

pytestmark = pytest.mark.pure

API_ONLY = {"document_ids", "submission_key"}  # how the API submits, not the application
FORM_ONLY = {"reuse_documents", "submission_key"}
# The web form is the applicant's own, on the day: the date the customer first asked
# (first_requested_on, for the monthly filing) is entered at the counter or through the API.
NOT_ON_THE_FORM = {"first_requested_on"}
CHOICE_FIELDS = ["customer_type", "request_type", "purpose", "voltage", "supply"]


def _literal_values(annotation: Any) -> list[Any]:
    """The values of a Literal, also inside `Literal[...] | None`."""
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    return [v for arg in get_args(annotation) for v in _literal_values(arg)]


def test_the_input_is_the_rules_fields_plus_the_personal_fields() -> None:
    assert set(inputs.RULE_FIELDS) == set(AssessInput.model_fields) - {"applied_on"}
    assert set(inputs.RULE_FIELDS) <= set(inputs.INPUT_FIELDS)
    assert set(inputs.PERSONAL_FIELDS) == {
        "customer_name",
        "id_number",
        "contact_phone",
        "address",
        "property_scope",
        "first_requested_on",
    }


def test_the_api_schema_has_exactly_the_input_fields() -> None:
    assert set(ApplicationIn.model_fields) - API_ONLY == set(inputs.INPUT_FIELDS)


@pytest.mark.parametrize("name", CHOICE_FIELDS)
def test_the_api_choices_are_the_core_vocabulary(name: str) -> None:
    api = _literal_values(ApplicationIn.model_fields[name].annotation)
    core = _literal_values(AssessInput.model_fields[name].annotation)
    assert api and api == core


def test_the_api_defaults_are_the_input_defaults() -> None:
    defaults = {
        f.name: f.default
        for f in dataclasses.fields(inputs.ApplicationInput)
        if f.default is not dataclasses.MISSING
    }
    for name, default in defaults.items():
        field = ApplicationIn.model_fields[name]
        if name == "capacity_kw":  # required by the API; the dataclass default only types it
            assert field.is_required()
            continue
        assert not field.is_required(), name
        assert field.default == default, name


def test_the_form_has_exactly_the_input_fields() -> None:
    assert set(forms.AssessFieldsForm.base_fields) == set(inputs.RULE_FIELDS)
    assert set(forms.ApplicationForm.base_fields) - FORM_ONLY == (
        set(inputs.INPUT_FIELDS) - NOT_ON_THE_FORM
    )


@pytest.mark.parametrize("name", CHOICE_FIELDS)
def test_the_form_choices_are_the_core_vocabulary(name: str) -> None:
    form = [value for value, _label in forms.AssessFieldsForm.base_fields[name].choices if value]
    core = _literal_values(AssessInput.model_fields[name].annotation)
    assert form == core


def test_the_stored_fields_are_columns_of_the_application() -> None:
    columns = {f.name for f in Application._meta.get_fields()}
    assert set(inputs.STORED_AS_GIVEN) <= columns
    assert set(inputs.INPUT_FIELDS) - set(inputs.STORED_AS_GIVEN) == {
        "region",
        "voltage",
        "property_existing_kw",
    }


CLEANED = {
    "customer_type": "residential",
    "customer_name": " 张三 ",
    "id_number": " 110101199003070011 ",
    "contact_phone": "13800000001",
    "address": "银川市兴庆区解放东街1号",
    "region": SimpleNamespace(code="640104"),
    "property_scope": "宁(2026)银川市不动产权第0000001号",
    "request_type": "new",
    "purpose": "ev_charging",
    "capacity_kw": Decimal("8.50"),
    "voltage": "",
    "supply": "single",
    "external_works": True,
    "requested_high_voltage": False,
    "hv_to_lv_deregistration": False,
    "property_existing_kw": Decimal("0"),
    "reuse_documents": [],
    "submission_key": "k",
}


def test_the_form_data_becomes_the_input() -> None:
    data = inputs.ApplicationInput.from_form(CLEANED)
    assert data.customer_name == "张三"
    assert data.id_number == "110101199003070011"
    assert data.region == "640104"
    assert data.voltage is None
    assert data.capacity_kw == Decimal("8.50")
    assert data.external_works is True
    assert data.first_requested_on is None


def test_the_rules_read_the_same_values_from_the_form_and_the_input() -> None:
    day = dt.date(2026, 11, 26)
    from_form = inputs.rule_payload(CLEANED, day)
    from_input = inputs.rule_payload(inputs.ApplicationInput.from_form(CLEANED), day)
    assert from_form == from_input
    assert set(from_form) == set(inputs.RULE_FIELDS) - {"voltage"} | {"applied_on"}
    parsed = parse_input(from_form)
    assert parsed.capacity_kw == 8.5 and parsed.region == "640104"
    assert parsed.purpose == "ev_charging" and parsed.voltage is None


def test_a_chosen_voltage_and_an_override_reach_the_rules() -> None:
    day = dt.date(2026, 11, 26)
    payload = inputs.rule_payload(
        {**CLEANED, "voltage": "high"}, day, property_existing_kw=Decimal("120")
    )
    assert payload["voltage"] == "high"
    assert payload["property_existing_kw"] == 120.0
