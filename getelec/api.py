"""The JSON API: one NinjaAPI mounting one router per domain (OpenAPI at /api/docs).

Error bodies are always {"detail": "<field>: <message>", "field": "<field>"}: 422 bad input
(Chinese message naming the field), 401 not logged in, 403 visible but not allowed, 404 not found
or not visible, 409 changed by somebody else first.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from getelec.connection.api import router as connection_router
from getelec.connection.services import Conflict, InvalidInput, NotAllowed, ServiceError
from getelec.core.assess import AssessError
from getelec.supervision.api import router as supervision_router

api = NinjaAPI(
    title="获得电力服务平台 API",
    version="1",
    description=(
        "办电申请、进度查询与规则计算。Session 认证（浏览器，含 CSRF）；所有对象按角色范围返回。"
    ),
    urls_namespace="api",
    docs_url="/docs",
)


def _error(
    request: HttpRequest, status: int, message: str, field: str = "", **extra: Any
) -> HttpResponse:
    detail = f"{field}: {message}" if field else message
    return api.create_response(request, {"detail": detail, "field": field, **extra}, status=status)


@api.exception_handler(AssessError)
def assess_error(request: HttpRequest, exc: AssessError) -> HttpResponse:
    # The same one-line message as `getelec assess` prints.
    return api.create_response(request, {"detail": str(exc), "field": exc.field}, status=422)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    if isinstance(exc, Conflict):
        status = 409
    elif isinstance(exc, NotAllowed):
        status = 403
    elif isinstance(exc, InvalidInput):
        status = 422
    else:
        status = 400
    return _error(request, status, exc.message, exc.field)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or _("未找到"))


@api.exception_handler(AuthenticationError)
def not_logged_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("请先登录"))


def _message(error: dict[str, Any]) -> str:
    """A Chinese message for a pydantic error (the field is named separately)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("必填")
    if kind == "extra_forbidden":
        return _("未知字段")
    if kind in ("literal_error", "enum"):
        return _("取值无效，可选：%(expected)s") % {"expected": ctx.get("expected", "")}
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("日期格式不正确（YYYY-MM-DD）")
    if kind in ("bool_type", "bool_parsing"):
        return _("必须是 true 或 false")
    if kind.startswith("int") or kind.startswith("decimal") or kind.startswith("float"):
        if kind.endswith("finite_number") or "finite" in kind:
            return _("必须是有限的数字")
        return _("必须是数字")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "")
        symbol = {
            "greater_than": ">",
            "greater_than_equal": "≥",
            "less_than": "<",
            "less_than_equal": "≤",
        }[kind]
        return _("必须 %(symbol)s %(bound)s") % {"symbol": symbol, "bound": bound}
    if kind in ("string_too_long", "too_long"):
        return _("过长（不超过%(n)s）") % {"n": ctx.get("max_length", "")}
    if kind == "string_pattern_mismatch":
        return _("格式不正确")
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        return _("类型不正确")
    return str(error.get("msg", _("无效"))).removeprefix("Value error, ")


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """422 with a one-line Chinese message naming the field, plus the full list."""
    errors = exc.errors
    first = errors[0] if errors else {}
    loc = [
        str(p)
        for p in first.get("loc", [])
        if p not in ("body", "query", "path", "payload", "form", "file")
    ]
    field = ".".join(loc) or "input"
    return _error(request, 422, _message(first), field, errors=errors)


api.add_router("/v1/", connection_router)
api.add_router("/v1/supervision/", supervision_router)

from getelec.outages.api import router as quality_router  # noqa: E402

api.add_router("/v1/quality/", quality_router)
