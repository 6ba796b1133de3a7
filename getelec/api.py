"""The JSON API: one NinjaAPI mounting one router per domain (OpenAPI at /api/docs)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from getelec.connection.api import router as connection_router
from getelec.core.assess import AssessError

api = NinjaAPI(
    title="获得电力服务平台 API",
    version="1",
    description="办电申请、进度查询与规则计算。Session 认证（浏览器）；所有对象按角色范围返回。",
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(AssessError)
def assess_error(request: HttpRequest, exc: AssessError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "field": exc.field}, status=422)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """422 with a one-line message naming the field, plus the full list."""
    errors = exc.errors
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")]
    field = ".".join(loc) or "input"
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return api.create_response(
        request, {"detail": f"{field}: {message}", "field": field, "errors": errors}, status=422
    )


api.add_router("/v1/", connection_router)
