"""Masking of personal data wherever the full value is not needed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_id_number(number: str) -> str:
    """Resident ID 640104199001011234 → 6401**********1234; credit codes keep 4 + 4."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def mask_name(name: str) -> str:
    """张三丰 → 张**; organisation names are kept (they are public registrations)."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


# The end of the building: 3号楼 / 3栋 / 3幢 / 12号院 / A座. What follows (unit, floor, room)
# is masked. A bare 楼 is not a building marker: 3楼 is a floor.
_BUILDING = re.compile(r"号楼|栋|幢|号院|座")
# Without a building: a unit, floor or room (2单元, 5层, 3楼, 502室, 502户) or a dashed
# house-unit-room number (12-3-502) starts the masked part.
_BELOW_BUILDING = re.compile(
    r"[0-9０-９A-Za-z一二三四五六七八九十]+\s*(?:单元|层|楼|室|户)|-[0-9]+(?:-[0-9]+)*\s*$"
)
MASK = "****"


def mask_address(address: str) -> str:
    """Keep an address down to the building number and mask the rest:
    银川市兴庆区解放东街12号楼3单元502 → 银川市兴庆区解放东街12号楼****.
    An address with nothing below the building (a street number) is kept as it is.
    Masking a masked address changes nothing."""
    if not address:
        return ""
    buildings = list(_BUILDING.finditer(address))
    if buildings:
        end = buildings[-1].end()
    else:
        below = _BELOW_BUILDING.search(address)
        if below is None:
            return address
        end = below.start()
    rest = address[end:].strip()
    if not rest or rest == MASK:
        return address[:end] + rest
    return address[:end] + MASK


_CERTIFICATE_SERIAL = re.compile(r"[0-9０-９]{5,}")


def mask_property_scope(scope: str) -> str:
    """A property certificate number identifies an owner: keep the issuing place and year, mask
    the serial number. 宁(2026)银川市不动产权第0000009号 → 宁(2026)银川市不动产权第*******号."""
    return _CERTIFICATE_SERIAL.sub(lambda m: "*" * len(m.group(0)), scope or "")


# Customer types whose customer is a natural person (connection.models.CustomerType): their
# name is personal data. Enterprises and organisations keep their (registered) names.
NATURAL_PERSON_TYPES = frozenset({"residential"})


def outside_view(values: Mapping[str, Any], name: str, customer_type: str) -> dict[str, Any]:
    """A record about one customer as anybody outside the serving supply company sees it
    (regulators, energy authorities, departments, the public; pages, API and exports alike):
    the address masked below the building, and a natural person's name masked wherever it
    appears in the text fields (a project name typed as "张三丰用电报装" included)."""
    out = dict(values)
    if isinstance(out.get("address"), str):
        out["address"] = mask_address(out["address"])
    if customer_type in NATURAL_PERSON_TYPES and name:
        masked = mask_name(name)
        for key, value in out.items():
            if isinstance(value, str) and name in value:
                out[key] = value.replace(name, masked)
        if isinstance(out.get("customer_name"), str):
            out["customer_name"] = mask_name(out["customer_name"])
    return out
