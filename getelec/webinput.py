"""The input layer in front of every page and API endpoint: values from the URL, the query
string and JSON bodies are checked here before they reach a query, so bad input is a 400 that
names the field, never a 500 from the database.

- `InputHygieneMiddleware` refuses NUL characters anywhere in the path, the query string, a
  form or a JSON body (PostgreSQL cannot store them), and turns `BadQuery` (and integers too
  large for the database that slipped past a parser) into a 400 naming the field: JSON
  `{detail, field}` under /api/, the error page elsewhere. It also marks every dynamic answer
  `Cache-Control: no-store` unless the view chose otherwise (pages and answers carry personal
  data; WhiteNoise answers /static/ before this middleware runs).
- `query_int`, `page_number`, `query_year`: the one way views read numbers from a query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, overload

from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_DB_INT = 2**63 - 1  # bigint; every primary key and count fits
MAX_PAGE = 100_000  # far beyond any real list; keeps OFFSET within reason
YEAR_RANGE = (1900, 2100)
MAX_LIMIT = 500  # rows per API page
MAX_OFFSET = 10_000_000


class BadQuery(Exception):
    """A query value that cannot be used; `field` is the parameter's name."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@overload
def query_int(
    params: Mapping[str, Any], name: str, *, default: int, minimum: int = ..., maximum: int = ...
) -> int: ...
@overload
def query_int(
    params: Mapping[str, Any],
    name: str,
    *,
    default: None = None,
    minimum: int = ...,
    maximum: int = ...,
) -> int | None: ...
def query_int(
    params: Mapping[str, Any],
    name: str,
    *,
    default: int | None = None,
    minimum: int = 0,
    maximum: int = MAX_DB_INT,
) -> int | None:
    """The integer in `params[name]` (blank: `default`), within [minimum, maximum]."""
    raw = str(params.get(name) or "").strip()
    if not raw:
        return default
    if maximum == MAX_DB_INT:  # an id: its range means nothing to a reader
        message = _("必须是有效的编号")
    else:
        message = _("必须是%(lo)s到%(hi)s之间的整数") % {"lo": minimum, "hi": maximum}
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(maximum)):
        raise BadQuery(name, message)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadQuery(name, message)
    return value


def page_number(params: Mapping[str, Any], name: str = "page") -> int:
    return query_int(params, name, default=1, minimum=1, maximum=MAX_PAGE) or 1


def query_year(params: Mapping[str, Any], name: str = "year") -> int | None:
    return query_int(params, name, minimum=YEAR_RANGE[0], maximum=YEAR_RANGE[1])


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _nul_field(request: HttpRequest) -> str | None:
    """The first request part holding a NUL character, or None."""
    if "\x00" in request.path:
        return "path"
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return key.replace("\x00", "")
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type == "application/json":
            body = request.body
            if b"\\u0000" in body.lower() or b"\x00" in body:
                try:
                    data = json.loads(body)
                except ValueError:
                    return "body"
                if _has_nul(data) or b"\x00" in body:
                    return "body"
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return key.replace("\x00", "")
    return None


# How a page names the parameters it reads from a query (the API names them as they are).
FIELD_LABELS = {
    "page": gettext_lazy("页码"),
    "q": gettext_lazy("查询内容"),
    "company": gettext_lazy("供电企业"),
    "year": gettext_lazy("年度"),
    "region": gettext_lazy("地区"),
    "path": gettext_lazy("网址"),
    "body": gettext_lazy("提交内容"),
    "input": gettext_lazy("输入"),
}


def bad_request(request: HttpRequest, field: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"{field}: {message}", "field": field}, status=400)
    label = str(FIELD_LABELS.get(field, field))
    html = render_to_string(
        "400.html", {"field": label, "message": message, "exception": message}, request
    )
    return HttpResponse(html, status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the platform's JSON error under /api/ (an unknown API path included), the
    Chinese 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到"), "field": ""}, status=404)
    return defaults.page_not_found(request, exception)


CSRF_FAILED = gettext_lazy("安全校验未通过：页面可能已过期。请返回上一页，刷新后重新提交。")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid security token (an expired page, cookies
    off) is the platform's own 403 page in Chinese with the navigation (the API answers its own
    403 with the same message, getelec.api)."""
    html = render_to_string("403_csrf.html", {"message": CSRF_FAILED}, request)
    return HttpResponse(html, status=403)


class InputHygieneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _nul_field(request)
        if field is not None:
            response = bad_request(request, field, _("含有不允许的空字符（NUL）"))
        else:
            response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, BadQuery):
            return bad_request(request, exc.field, exc.message)
        if isinstance(exc, OverflowError) or (
            isinstance(exc, DataError) and "out of range" in str(exc)
        ):
            return bad_request(request, "input", _("数值超出范围"))
        return None


class BoundedLimitOffset(LimitOffsetPagination):
    """django-ninja's limit/offset pagination with both numbers bounded (an unbounded offset
    reaches the database as an integer it cannot hold)."""

    class Input(Schema):
        limit: int = Field(MAX_LIMIT // 5, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
