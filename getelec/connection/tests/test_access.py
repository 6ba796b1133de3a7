"""Access matrix: every API endpoint × every role (404 for what a role may not see)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from getelec.connection import services

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "applicant_a", "applicant_b", "staff", "staff_other", "regulator", "admin"]

NEW_APPLICATION = {
    "customer_type": "residential",
    "customer_name": "李四",
    "id_number": "640102199003070011",
    "contact_phone": "13800000002",
    "address": "银川市金凤区某路2号",
    "region": "640106",
    "property_scope": "宁(2026)银川市不动产权第0000777号",
    "capacity_kw": 8,
}


def _body(app: Any, **extra: Any) -> dict:
    return {"version": app.version, **extra}


# endpoint name, method, path (with {n}), setup state, body(app) or None, expected by role
ENDPOINTS: list[tuple[str, str, str, str, Any, dict[str, int]]] = [
    (
        "assess",
        "post",
        "/api/v1/assess",
        "plain",
        lambda app: {"customer_type": "residential", "capacity_kw": 8, "applied_on": "2026-11-26"},
        dict.fromkeys(ROLES, 200),
    ),
    (
        "list",
        "get",
        "/api/v1/applications",
        "plain",
        None,
        {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ),
    (
        "create",
        "post",
        "/api/v1/applications",
        "plain",
        lambda app: NEW_APPLICATION,
        {
            "anonymous": 401,
            "applicant_a": 201,
            "applicant_b": 201,
            "staff": 403,
            "staff_other": 403,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "detail",
        "get",
        "/api/v1/applications/{n}",
        "plain",
        None,
        {
            "anonymous": 401,
            "applicant_a": 200,
            "applicant_b": 404,
            "staff": 200,
            "staff_other": 404,
            "regulator": 200,
            "admin": 200,
        },
    ),
    (
        "advance",
        "post",
        "/api/v1/applications/{n}/advance",
        "plain",
        lambda app: _body(app, expected_stage="intake"),
        {
            "anonymous": 401,
            "applicant_a": 403,
            "applicant_b": 404,
            "staff": 200,
            "staff_other": 404,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "pause",
        "post",
        "/api/v1/applications/{n}/pause",
        "plain",
        lambda app: _body(app, reason="customer_works"),
        {
            "anonymous": 401,
            "applicant_a": 403,
            "applicant_b": 404,
            "staff": 200,
            "staff_other": 404,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "resume",
        "post",
        "/api/v1/applications/{n}/resume",
        "paused",
        lambda app: _body(app),
        {
            "anonymous": 401,
            "applicant_a": 403,
            "applicant_b": 404,
            "staff": 200,
            "staff_other": 404,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "grid-upgrade",
        "post",
        "/api/v1/applications/{n}/grid-upgrade",
        "plain",
        lambda app: _body(
            app,
            cause="public_grid_upgrade",
            project="10千伏某线路改造",
            committed_on="2027-03-01",
            customer_informed_on="2026-11-26",
        ),
        {
            "anonymous": 401,
            "applicant_a": 403,
            "applicant_b": 404,
            "staff": 200,
            "staff_other": 404,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "contracted-date",
        "post",
        "/api/v1/applications/{n}/contracted-date",
        "plain",
        lambda app: _body(app, contracted_on="2026-12-10"),
        {
            "anonymous": 401,
            "applicant_a": 403,
            "applicant_b": 404,
            "staff": 200,
            "staff_other": 404,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "key-project",
        "post",
        "/api/v1/applications/{n}/key-project",
        "plain",
        lambda app: _body(app, level="national"),
        {
            "anonymous": 401,
            "applicant_a": 403,
            "applicant_b": 404,
            "staff": 200,
            "staff_other": 404,
            "regulator": 403,
            "admin": 200,
        },
    ),
    (
        "consent",
        "post",
        "/api/v1/applications/{n}/consent",
        "consent",
        lambda app: _body(app),
        {
            "anonymous": 401,
            "applicant_a": 200,
            "applicant_b": 404,
            "staff": 200,
            "staff_other": 404,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "cancel",
        "post",
        "/api/v1/applications/{n}/cancel",
        "plain",
        lambda app: _body(app, reason="不再需要"),
        {
            "anonymous": 401,
            "applicant_a": 200,
            "applicant_b": 404,
            "staff": 200,
            "staff_other": 404,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "queue",
        "get",
        "/api/v1/queue",
        "plain",
        None,
        {
            "anonymous": 401,
            "applicant_a": 403,
            "applicant_b": 403,
            "staff": 200,
            "staff_other": 200,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "upload",
        "multipart",
        "/api/v1/documents",
        "plain",
        None,
        {
            "anonymous": 401,
            "applicant_a": 201,
            "applicant_b": 201,
            "staff": 403,
            "staff_other": 403,
            "regulator": 403,
            "admin": 403,
        },
    ),
    (
        "documents",
        "get",
        "/api/v1/documents",
        "plain",
        None,
        {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ),
    (
        "notifications",
        "get",
        "/api/v1/notifications",
        "plain",
        None,
        {"anonymous": 401, **dict.fromkeys(ROLES[1:], 200)},
    ),
    (
        "progress",
        "get",
        "/api/v1/progress/{n}?code={code}",
        "plain",
        None,
        dict.fromkeys(ROLES, 200),
    ),
]


def _prepare(submit: Any, staff: Any, state: str) -> Any:
    if state == "consent":
        return submit(
            customer_type="small_micro_enterprise",
            customer_name="银川某商贸有限公司",
            capacity_kw="50",
            requested_high_voltage=True,
        )
    app = submit()
    if state == "paused":
        app = services.pause_clock(app, staff, "customer_works", "", app.version)
    return app


def _call(client: Client, method: str, path: str, body: Any) -> Any:
    if method == "get":
        return client.get(path)
    if method == "multipart":
        upload = SimpleUploadedFile("id.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        return client.post(path, {"kind": "id_card", "file": upload})
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "path", "state", "body", "expected"),
    ENDPOINTS,
    ids=[e[0] for e in ENDPOINTS],
)
def test_every_endpoint_answers_each_role_as_the_matrix_says(
    client: Client,
    submit: Any,
    roles: dict,
    staff: Any,
    role: str,
    name: str,
    method: str,
    path: str,
    state: str,
    body: Any,
    expected: dict[str, int],
) -> None:
    app = _prepare(submit, staff, state)
    if roles[role] is not None:
        client.force_login(roles[role])
    response = _call(
        client,
        method,
        path.format(n=app.number, code=app.verification_code),
        body(app) if body else None,
    )
    assert response.status_code == expected[role], response.content.decode()
    if response.status_code >= 400:
        assert set(response.json()) >= {"detail", "field"}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("applicant_a", True),
        ("applicant_b", False),
        ("staff", True),
        ("staff_other", False),
        ("regulator", True),
        ("admin", True),
    ],
)
def test_lists_contain_only_what_the_role_may_see(
    client: Client, submit: Any, roles: dict, role: str, visible: bool
) -> None:
    app = submit()
    client.force_login(roles[role])
    numbers = [i["number"] for i in client.get("/api/v1/applications").json()["items"]]
    assert numbers == ([app.number] if visible else [])


def test_a_hidden_application_and_a_missing_one_look_the_same(
    client: Client, submit: Any, applicant_b: Any
) -> None:
    app = submit()
    client.force_login(applicant_b)
    hidden = client.get(f"/api/v1/applications/{app.number}")
    missing = client.get("/api/v1/applications/6401-20990101-0001")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_regulator_sees_masked_personal_data_and_the_applicant_sees_everything(
    client: Client, submit: Any, regulator: Any, applicant_a: Any
) -> None:
    app = submit()
    client.force_login(regulator)
    seen = client.get(f"/api/v1/applications/{app.number}").json()
    assert seen["personal_data_masked"] and seen["id_number"] != app.id_number
    assert seen["contact_phone"] == "138****0001" and seen["customer_name"] == "张*"
    assert seen["verification_code"] is None
    client.force_login(applicant_a)
    own = client.get(f"/api/v1/applications/{app.number}").json()
    assert own["id_number"] == app.id_number and own["verification_code"] == app.verification_code


def test_session_posts_need_a_csrf_token(submit: Any, staff: Any) -> None:
    app = submit()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(
        f"/api/v1/applications/{app.number}/advance",
        {"version": 1, "expected_stage": "intake"},
        content_type="application/json",
    )
    assert response.status_code == 403
    app.refresh_from_db()
    assert app.current_stage == "intake"
