"""The fields of one application, defined once.

`ApplicationInput` is what an applicant submits: the fields the rules read (exactly those of the
core's `getelec.core.assess.AssessInput`, less the application date, which the service sets:
`RULE_FIELDS`) and the applicant's own details (`PERSONAL_FIELDS`). Everything else is derived
from it: the web form's cleaned data → input (`ApplicationInput.from_form`), the API body →
input (`from_api`), the input of the rules (`rule_payload`, also the form's live preview), and
the stored columns (`STORED_AS_GIVEN`). The form and the API schema keep their own field
declarations (labels, widgets, OpenAPI descriptions); test_inputs.py pins both to this list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from getelec.core.assess import AssessInput


@dataclasses.dataclass
class ApplicationInput:
    """What an applicant submits (the web form and the API fill it)."""

    customer_type: str
    customer_name: str
    id_number: str  # 身份证 for residential, 统一社会信用代码 otherwise (checksums verified)
    contact_phone: str
    address: str
    region: str  # county admin code
    property_scope: str
    request_type: str = "new"
    purpose: str = "general"
    capacity_kw: Any = None  # Decimal/str/float; > 0
    voltage: str | None = None  # None: proposed by the rules
    supply: str = "single"
    external_works: bool = False
    requested_high_voltage: bool = False
    hv_to_lv_deregistration: bool = False
    property_existing_kw: Any = 0  # declared by the customer; platform adds what it knows
    first_requested_on: dt.date | None = None

    @classmethod
    def from_form(cls, cleaned: Mapping[str, Any]) -> ApplicationInput:
        """From a form's cleaned data: text stripped, the region (a Region) as its code, an
        empty voltage as None; fields the form does not have keep their defaults."""
        values = {}
        for name in INPUT_FIELDS:
            if name not in cleaned:
                continue
            value = cleaned[name]
            if name == "region":
                value = value.code
            elif isinstance(value, str):
                value = value.strip()
            values[name] = None if name == "voltage" and not value else value
        return cls(**values)

    @classmethod
    def from_api(cls, body: Any) -> ApplicationInput:
        """From the API's ApplicationIn (its other fields are not the application's)."""
        return cls(**body.model_dump(include=set(INPUT_FIELDS)))


INPUT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ApplicationInput))
# The fields the rules read: the core's input less the application date.
RULE_FIELDS: tuple[str, ...] = tuple(
    name for name in AssessInput.model_fields if name != "applied_on"
)
PERSONAL_FIELDS: tuple[str, ...] = tuple(name for name in INPUT_FIELDS if name not in RULE_FIELDS)
# Stored on the application as submitted (after validation); the others are decided (voltage),
# resolved (region) or completed by the platform (property_existing_kw).
STORED_AS_GIVEN: tuple[str, ...] = tuple(
    name for name in INPUT_FIELDS if name not in ("region", "voltage", "property_existing_kw")
)


def rule_payload(values: Any, applied_on: dt.date, **overrides: Any) -> dict[str, Any]:
    """The input of getelec.core.assess (AssessInput) from `values` (a mapping or an object
    with the rule fields): kilowatts as float, a region as its code, no voltage when empty."""
    get = values.get if isinstance(values, Mapping) else lambda name: getattr(values, name)
    payload: dict[str, Any] = {}
    for name in RULE_FIELDS:
        value = overrides[name] if name in overrides else get(name)
        if isinstance(value, Decimal):
            value = float(value)
        elif name == "region" and value is not None and not isinstance(value, str):
            value = value.code
        if name == "voltage" and not value:
            continue
        payload[name] = value
    payload["applied_on"] = applied_on
    return payload
