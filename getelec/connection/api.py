"""Connection API (django-ninja router). Endpoints start from scoped selectors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

router = Router(tags=["connection"])


@router.post("/assess", auth=None, summary="规则计算：三零资格、类别、时限、到期日")
def assess(request: HttpRequest, payload: dict[str, Any] = Body(...)) -> dict[str, Any]:
    from getelec.cli.assess import assess_json

    return assess_json(payload)
