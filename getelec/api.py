"""The JSON API: one NinjaAPI mounting one router per domain (OpenAPI schema at
/api/openapi.json, browsable at /api/docs).

Error bodies are always {"detail": "<field>: <message>", "field": "<field>"}: 400 unparseable
body or NUL characters (getelec.webinput), 401 not logged in, 403 visible but not allowed, 404 not
found or not visible, 409 changed by somebody else first, 422 bad input (Chinese message naming
the field), 429 too many attempts. The schema declares them on every operation.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from getelec.connection.api import router as connection_router
from getelec.core.assess import AssessError
from getelec.core.policy import PolicyValueMissing
from getelec.kernel.errors import ServiceError, field_errors, http_status
from getelec.supervision.api import router as supervision_router
from getelec.webinput import CSRF_FAILED

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "一行说明，格式为“字段: 说明”"},
        "field": {"type": "string", "description": "出错的字段名（整体错误时为空）"},
    },
    "required": ["detail", "field"],
}
# Declared on every operation (401 only where a login is needed); 403/409/429 where they occur.
COMMON_ERRORS = {
    400: "请求无法解析（非 JSON 请求体、含空字符等）",
    401: "未登录",
    404: "未找到，或不在本人可见范围内",
    422: "输入有误（detail 指明字段）",
}


class PlatformAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The generated schema plus the platform's error responses on every operation, all
        with the one error shape {detail, field}."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in COMMON_ERRORS.items():
                    if status == 401 and not operation.get("security"):
                        continue
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": description, "content": ref}
        return schema


api = PlatformAPI(
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
    errors = field_errors(exc)
    if len(errors) == 1:
        return _error(request, http_status(exc), exc.message, exc.field)
    # Every field at once: the one-line detail lists each, `errors` has them one by one.
    return api.create_response(
        request,
        {
            "detail": str(exc),
            "field": exc.field,
            "errors": [{"field": f, "message": m} for f, m in errors],
        },
        status=http_status(exc),
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or _("未找到"))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # django-ninja's "Cannot parse request body"
        return _error(request, 400, _("请求体不是有效的 JSON"), "body")
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":  # django-ninja's words
        return _error(request, 403, str(CSRF_FAILED))
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(PolicyValueMissing)
def no_policy_value(request: HttpRequest, exc: PolicyValueMissing) -> HttpResponse:
    # A date chosen by the request (`on`) before any rule was in force.
    field = "on" if "on" in request.GET else ""
    return _error(request, 422, _("该日期没有生效的政策规定"), field)


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
    if "finite" in kind:  # "finite_number": nan, inf, 1e400
        return _("必须是有限的数字")
    if kind.startswith("int") or kind.startswith("decimal") or kind.startswith("float"):
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
