"""Input checks for connection applications, shared by the services, forms and API.

Each check returns the normalised value or raises InvalidInput with a Chinese message naming the
field. Checksums come from python-stdnum (GB 11643 身份证, GB 32100 统一社会信用代码).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric, uscc

from getelec.core.assess import MAX_CAPACITY_KW

# The upload content check and the choice/date checks live in the kernel (re-exported here for
# the domains' existing call sites).
from getelec.documents.content import (  # noqa: F401
    DOCUMENT_TYPES,
    DOCX,
    EXTENSIONS,
    JPEG,
    PDF,
    PNG,
    XLSX,
    document_upload,
    read_upload,
    sniff_content_type,
)
from getelec.kernel.errors import InvalidInput
from getelec.kernel.inputs import as_date, choice  # noqa: F401

_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")


def _invalid(field: str, message: str) -> Exception:
    return InvalidInput(message, field)


def required_text(field: str, label: str, value: Any, max_length: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise _invalid(field, _("请填写%(label)s") % {"label": label})
    if len(text) > max_length:
        raise _invalid(
            field, _("%(label)s过长（不超过%(n)s个字符）") % {"label": label, "n": max_length}
        )
    return text


def resident_id(value: Any, today: dt.date | None = None) -> str:
    """身份证号 (GB 11643): 18 characters, a real birth date not after today, the check digit,
    and a region code (first six digits) that is or was in use at any time.

    python-stdnum also requires the code to have been in use in the birth year, which refuses
    genuine numbers: a number is issued where the person is registered, so someone born in 1985
    and registered in 兴庆区 (640104, in use since 2002) holds 640104198506121237. Such codes
    are accepted here; a code never assigned is still refused.
    """
    raw = value.strip().upper() if isinstance(value, str) else ""
    if not raw:
        raise _invalid("id_number", _("请填写身份证号码"))
    number = ric.compact(raw)
    if len(number) != 18:
        raise _invalid("id_number", _("身份证号码应为18位"))
    if not number[:-1].isdigit() or not number[:-1].isascii():
        raise _invalid("id_number", _("身份证号码格式不正确"))
    if number[-1] != ric.calc_check_digit(number):
        raise _invalid("id_number", _("身份证号码校验位不正确，请核对"))
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        born = None
    if born is None or born > (today or timezone.localdate()):
        raise _invalid("id_number", _("身份证号码中的出生日期无效"))
    if not region_code_known(number[:6]):
        raise _invalid("id_number", _("身份证号码中的地区码无效"))
    return number


def region_code_known(code: str) -> bool:
    """Whether a six-digit administrative division code is or was ever assigned to a county
    (python-stdnum's historical list, GB/T 2260, whatever the years it was in use)."""
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    return bool(info.get("county"))


def id_number(customer_type: str, value: Any) -> str:
    """身份证号 (18 digits, checksum) for residents; 统一社会信用代码 otherwise."""
    raw = value.strip().upper() if isinstance(value, str) else ""
    if customer_type == "residential":
        return resident_id(raw)
    if not raw:
        raise _invalid("id_number", _("请填写统一社会信用代码"))
    try:
        return uscc.validate(raw)
    except stdnum_errors.InvalidChecksum:
        raise _invalid("id_number", _("统一社会信用代码校验位不正确，请核对")) from None
    except stdnum_errors.InvalidLength:
        raise _invalid("id_number", _("统一社会信用代码应为18位")) from None
    except stdnum_errors.ValidationError:
        raise _invalid("id_number", _("统一社会信用代码格式不正确")) from None


def phone(value: Any, field: str = "contact_phone") -> str:
    """A mainland mobile number (11 digits) or a landline with area code."""
    raw = re.sub(r"[\s()（）]", "", value) if isinstance(value, str) else ""
    raw = raw.removeprefix("+86").removeprefix("0086")
    if not raw:
        raise _invalid(field, _("请填写联系电话"))
    if not (_MOBILE_RE.match(raw) or _LANDLINE_RE.match(raw)):
        raise _invalid(field, _("联系电话格式不正确（11位手机号或带区号的固定电话）"))
    return raw


def capacity(value: Any, field: str = "capacity_kw", allow_zero: bool = False) -> Decimal:
    """Kilowatts: a finite number > 0 (>= 0 with allow_zero) and <= 10,000,000, 2 decimals."""
    label = _("报装容量") if field == "capacity_kw" else _("已有容量")
    if value is None or value == "" or isinstance(value, bool):
        if allow_zero and (value is None or value == ""):
            return Decimal("0.00")
        raise _invalid(field, _("请填写%(label)s（千瓦）") % {"label": label})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid(field, _("%(label)s必须是数字（千瓦）") % {"label": label}) from None
    if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise _invalid(field, _("%(label)s必须是有限的数字") % {"label": label})
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    low_ok = number >= 0 if allow_zero else number > 0
    if not low_ok or number > MAX_CAPACITY_KW:
        bound = _("不小于0") if allow_zero else _("大于0")
        raise _invalid(
            field,
            _("%(label)s须%(bound)s且不超过%(max)s千瓦")
            % {"label": label, "bound": bound, "max": f"{MAX_CAPACITY_KW:,}"},
        )
    return number


def property_scope(value: Any) -> str:
    """Normalised so that spacing, width and letter case do not hide a split application."""
    text = unicodedata.normalize("NFKC", value) if isinstance(value, str) else ""
    text = re.sub(r"\s+", "", text).upper()
    if not text:
        raise _invalid("property_scope", _("请填写产权证号（同一产权范围标识）"))
    if len(text) > 128:
        raise _invalid("property_scope", _("产权证号过长（不超过128个字符）"))
    return text


def date_not_after(field: str, label: str, value: Any, latest: dt.date) -> dt.date:
    day = as_date(field, label, value)
    if day > latest:
        raise _invalid(
            field, _("%(label)s不能晚于%(day)s") % {"label": label, "day": latest.isoformat()}
        )
    return day
