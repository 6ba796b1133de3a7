"""JSON API: validation (422 naming the field), assess parity with the CLI, public progress."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import application_input, credit_code, resident_id
from getelec.connection import services
from getelec.connection.models import Application

pytestmark = pytest.mark.django_db

VALID = {
    "customer_type": "residential",
    "customer_name": "张三",
    "id_number": resident_id(),
    "contact_phone": "13800000001",
    "address": "银川市兴庆区解放东街1号",
    "region": "640104",
    "property_scope": "宁(2026)银川市不动产权第0000001号",
    "capacity_kw": 8,
}


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def as_a(client: Client, submit: Any, applicant_a: Any) -> Client:
    client.force_login(applicant_a)
    return client


def test_an_applicant_submits_json_and_gets_the_decision_with_clauses(as_a: Client) -> None:
    response = post(as_a, "/api/v1/applications", VALID)
    assert response.status_code == 201
    body = response.json()
    assert body["category"] == "lv_residential" and body["time_limit_wd"] == 5
    assert body["decision"]["three_zero"]["eligible"] is True
    assert any(c["clause"] == "T1" for c in body["decision"]["basis"]["three_zero"])
    assert [s["stage"] for s in body["stages"]] == ["intake", "supply_scheme", "energizing"]


INVALID = [
    ({"capacity_kw": 0}, "capacity_kw"),
    ({"capacity_kw": 10_000_001}, "capacity_kw"),
    ({"capacity_kw": "abc"}, "capacity_kw"),
    ({"customer_type": "alien"}, "customer_type"),
    ({"region": "6401"}, "region"),
    ({"region": "640302"}, "region"),
    ({"id_number": resident_id()[:-1] + ("1" if resident_id()[-1] == "0" else "0")}, "id_number"),
    ({"customer_type": "private_org", "id_number": credit_code()[:-2] + "00"}, "id_number"),
    ({"contact_phone": "110"}, "contact_phone"),
    ({"external_works": "yes"}, "external_works"),
    ({"surprise": 1}, "surprise"),
    ({"supply": "dual", "voltage": "low"}, "supply"),
]


@pytest.mark.parametrize(("change", "field"), INVALID, ids=[f for _, f in INVALID])
def test_bad_application_input_is_a_422_naming_the_field_and_saves_nothing(
    as_a: Client, change: dict, field: str
) -> None:
    response = post(as_a, "/api/v1/applications", {**VALID, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert body["detail"].startswith(f"{field}: ")
    assert Application.objects.count() == 0


def test_missing_fields_and_bad_dates_are_reported_in_chinese(
    client: Client, submit: Any, staff: Any
) -> None:
    app = submit()
    client.force_login(staff)
    missing = post(client, f"/api/v1/applications/{app.number}/advance", {"version": 1})
    assert missing.json()["detail"] == "expected_stage: 必填"
    bad_date = post(
        client,
        f"/api/v1/applications/{app.number}/contracted-date",
        {"version": 1, "contracted_on": "2026-13-01"},
    )
    assert bad_date.status_code == 422
    assert bad_date.json()["detail"].startswith("contracted_on: 日期格式不正确")


def test_a_stale_version_is_a_409_with_a_chinese_message(
    client: Client, submit: Any, staff: Any
) -> None:
    app = submit()
    client.force_login(staff)
    first = post(
        client,
        f"/api/v1/applications/{app.number}/advance",
        {"version": 1, "expected_stage": "intake"},
    )
    second = post(
        client,
        f"/api/v1/applications/{app.number}/advance",
        {"version": 1, "expected_stage": "intake"},
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    assert second.status_code == 409
    assert "已被他人更新" in second.json()["detail"]


def test_submission_key_makes_a_retried_post_return_the_same_application(as_a: Client) -> None:
    first = post(as_a, "/api/v1/applications", {**VALID, "submission_key": "abc-1"})
    again = post(as_a, "/api/v1/applications", {**VALID, "submission_key": "abc-1"})
    assert first.json()["number"] == again.json()["number"]
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"capacity_kw": 9},
        {"customer_name": "李四"},
        {"region": "640105"},
        {"purpose": "ev_charging"},
    ],
)
def test_a_used_submission_key_on_other_content_is_a_409(as_a: Client, change: Any) -> None:
    """A retry returns the first application; the same key on a different submission is a
    client error, never silently the first application."""
    first = post(as_a, "/api/v1/applications", {**VALID, "submission_key": "abc-2"})
    assert first.status_code == 201
    other = post(as_a, "/api/v1/applications", {**VALID, **change, "submission_key": "abc-2"})
    assert other.status_code == 409 and other.json()["field"] == "submission_key"
    same = post(
        as_a, "/api/v1/applications", {**VALID, "capacity_kw": "8.0", "submission_key": "abc-2"}
    )
    assert same.status_code == 201 and same.json()["number"] == first.json()["number"]
    assert Application.objects.count() == 1


def test_documents_are_uploaded_then_reused_by_id(as_a: Client) -> None:
    upload = SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    doc = as_a.post(
        "/api/v1/documents", {"kind": "id_card", "file": upload, "valid_until": "2030-12-31"}
    )
    assert doc.status_code == 201 and doc.json()["content_type"] == "image/png"
    created = post(as_a, "/api/v1/applications", {**VALID, "document_ids": [doc.json()["id"]]})
    assert [d["id"] for d in created.json()["documents"]] == [doc.json()["id"]]
    listed = as_a.get("/api/v1/documents").json()
    assert listed[0]["valid"] is True


def test_a_document_of_the_wrong_type_is_a_422(as_a: Client) -> None:
    upload = SimpleUploadedFile("id.pdf", b"GIF89a....")
    response = as_a.post("/api/v1/documents", {"kind": "id_card", "file": upload})
    assert response.status_code == 422 and response.json()["field"] == "file"
    assert "PDF" in response.json()["detail"]


# --- lists ------------------------------------------------------------------------------------


def test_the_list_is_paginated_and_filtered(client: Client, submit: Any, staff: Any) -> None:
    apps = [submit(property_scope=f"P-{i}") for i in range(3)]
    services.cancel_application(apps[0], staff, "重复", apps[0].version)
    client.force_login(staff)
    page = client.get("/api/v1/applications?page=2&page_size=2").json()
    assert (page["count"], page["page"], len(page["items"])) == (3, 2, 1)
    assert page["count_exact"] is True
    cancelled = client.get("/api/v1/applications?status=cancelled").json()
    assert [i["number"] for i in cancelled["items"]] == [apps[0].number]
    assert client.get("/api/v1/applications?overdue=true").json()["count"] == 0
    with time_machine.travel("2026-12-10 10:00 +0800", tick=False):
        client.force_login(staff)  # the earlier session has expired by then
        overdue = client.get("/api/v1/applications?overdue=true").json()
        assert overdue["count"] == 2
        assert all(i["overdue"] and i["remaining_wd"] < 0 for i in overdue["items"])
    assert client.get("/api/v1/applications?page_size=1000").status_code == 422
    assert client.get("/api/v1/applications?category=nonsense").status_code == 422


def test_the_queue_puts_overdue_first_and_pending_due_dates_last(
    client: Client, submit: Any, staff: Any, applicant_a: Any
) -> None:
    with time_machine.travel("2026-11-16 10:00 +0800", tick=False):  # due 11-23: overdue
        old = services.submit_application(applicant_a, application_input(property_scope="OLD"))
    later = submit(property_scope="LATER", external_works=True)
    soon = submit(property_scope="SOON")
    pending = submit(
        property_scope="HV",
        customer_type="private_org",
        customer_name="某公司",
        capacity_kw="2000",
        supply="dual",
    )  # 32 wd: due in 2027, pending
    assert pending.due_on is None
    client.force_login(staff)
    items = client.get("/api/v1/queue").json()["items"]
    assert [i["number"] for i in items] == [old.number, soon.number, later.number, pending.number]
    assert items[0]["overdue"] and items[-1]["due_pending_text"] == "待2027年节假日安排导入后计算"


def test_the_pending_text_follows_the_language_like_the_pages(
    client: Client, submit: Any, staff: Any
) -> None:
    # The API and the public progress wrote their own untranslated copy of the text; the pages
    # translated theirs. One text now, translated everywhere.
    pending = submit(
        property_scope="HV",
        customer_type="private_org",
        customer_name="某公司",
        capacity_kw="2000",
        supply="dual",
    )
    english = "to be computed once the 2027 holiday schedule is imported"
    client.force_login(staff)
    items = client.get("/api/v1/queue", HTTP_ACCEPT_LANGUAGE="en").json()["items"]
    assert [i["due_pending_text"] for i in items if i["number"] == pending.number] == [english]
    page = client.get("/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english in page


# --- assess parity and public progress --------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"customer_type": "residential", "capacity_kw": 0, "applied_on": "2026-11-26"},
        {"customer_type": "residential", "capacity_kw": 8},
        {"customer_type": "residential", "capacity_kw": 8, "applied_on": "2026-11-26", "x": 1},
        {
            "customer_type": "residential",
            "capacity_kw": 8,
            "applied_on": "2026-12-20",
            "voltage": "high",
            "supply": "dual",
        },
    ],
)
def test_assess_answers_422_with_the_same_line_as_the_cli(
    client: Client, payload: dict, monkeypatch: Any, capsys: Any
) -> None:
    from getelec.cli import main

    response = post(client, "/api/v1/assess", payload)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(payload)))
    assert main(["assess"]) == 2
    assert response.status_code == 422
    printed = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert printed == [f"error: {response.json()['detail']}"]


def test_assess_rejects_non_finite_numbers_like_the_cli(client: Client) -> None:
    response = client.post(
        "/api/v1/assess",
        b'{"customer_type": "residential", "capacity_kw": NaN, "applied_on": "2026-11-26"}',
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["field"] == "input"


def test_public_progress_shows_the_stage_but_no_personal_data(
    client: Client, submit: Any, staff: Any
) -> None:
    app = submit()
    services.advance_stage(app, staff, "intake", app.version)
    response = client.get(f"/api/v1/progress/{app.number}?code={app.verification_code}")
    assert response.status_code == 200
    body = response.json()
    assert body["current_stage"] == "supply_scheme"
    text = response.content.decode()
    for secret in (
        app.contact_phone,
        app.id_number,
        app.customer_name,
        app.address,
        app.property_scope,
        app.verification_code,
        "13800000001",
    ):
        assert secret not in text


def test_public_progress_returns_exactly_the_documented_public_fields(
    client: Client, submit: Any, staff: Any
) -> None:
    from getelec.connection.schema import PublicPauseOut, PublicProgressOut, PublicStageOut

    app = submit()
    services.pause_clock(app, staff, "missing_documents", "补充产权证明", app.version)
    response = client.get(f"/api/v1/progress/{app.number}?code={app.verification_code}")
    body = response.json()

    assert set(body) == set(PublicProgressOut.model_fields)
    assert all(set(stage) == set(PublicStageOut.model_fields) for stage in body["stages"])
    assert body["pauses"] and all(
        set(pause) == set(PublicPauseOut.model_fields) for pause in body["pauses"]
    )
    assert "补充产权证明" not in response.content.decode()  # staff notes stay internal
    PublicProgressOut.model_validate(body)  # and the payload matches the schema's types


def test_wrong_code_and_unknown_number_give_the_same_404(client: Client, submit: Any) -> None:
    app = submit()
    wrong = "000000" if app.verification_code != "000000" else "111111"
    bad_code = client.get(f"/api/v1/progress/{app.number}?code={wrong}")
    unknown = client.get(f"/api/v1/progress/6401-20990101-0009?code={app.verification_code}")
    no_code = client.get(f"/api/v1/progress/{app.number}")
    assert bad_code.status_code == unknown.status_code == no_code.status_code == 404
    assert bad_code.json() == unknown.json() == no_code.json()


def test_notifications_list_only_the_callers_own(
    client: Client, submit: Any, applicant_b: Any
) -> None:
    submit()
    client.force_login(applicant_b)
    assert client.get("/api/v1/notifications").json() == []


def test_openapi_documents_every_endpoint(client: Client, db: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/applications",
        "/api/v1/applications/{number}/advance",
        "/api/v1/queue",
        "/api/v1/progress/{number}",
        "/api/v1/documents",
        "/api/v1/notifications",
        "/api/v1/assess",
    } <= paths
    assert client.get("/api/docs").status_code == 200
