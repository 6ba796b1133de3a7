"""Masking of personal data wherever the full value is not needed."""

from __future__ import annotations


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
