"""All field errors at once (issue 10): an application with a bad ID checksum and a bad phone
number shows both errors in one round — in the service, on the web form and in the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import resident_id
from getelec.connection.models import Application
from getelec.connection.tests.test_views import form_data
from getelec.kernel.errors import InvalidInput, add_to_form, http_status

pytestmark = pytest.mark.django_db

BAD_ID = resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")  # wrong check digit
BAD_PHONE = "110"


def test_the_service_reports_every_bad_field_in_one_error(submit: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        submit(id_number=BAD_ID, contact_phone=BAD_PHONE, address=" ")
    fields = [field for field, _message in caught.value.errors]
    assert fields == ["id_number", "contact_phone", "address"]
    assert "校验位" in dict(caught.value.errors)["id_number"]
    assert "联系电话" in dict(caught.value.errors)["contact_phone"]
    assert http_status(caught.value) == 422
    assert (caught.value.field, caught.value.message) == caught.value.errors[0]
    assert not Application.objects.exists()


def test_one_bad_field_is_still_one_error(submit: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        submit(contact_phone=BAD_PHONE)
    assert caught.value.errors == [("contact_phone", caught.value.message)]
    assert str(caught.value).startswith("contact_phone: ")


def test_add_to_form_puts_each_error_on_its_field() -> None:
    class Form:
        fields = {"id_number": 1, "contact_phone": 1}
        added: list[tuple[Any, str]] = []

        def add_error(self, field: Any, message: str) -> None:
            self.added.append((field, message))

    form = Form()
    add_to_form(
        form, InvalidInput.several([("id_number", "a"), ("contact_phone", "b"), ("x", "c")])
    )
    assert form.added == [("id_number", "a"), ("contact_phone", "b"), (None, "c")]


def test_the_web_form_shows_both_errors_in_one_round(
    client: Client, applicant_a: Any, submit: Any
) -> None:
    client.force_login(applicant_a)
    response = client.post(reverse("apply"), form_data(id_number=BAD_ID, contact_phone=BAD_PHONE))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_id_number_error"' in html and "身份证号码校验位不正确" in html
    assert 'id="id_contact_phone_error"' in html and "联系电话格式不正确" in html
    assert not Application.objects.exists()


def test_the_api_lists_both_errors_in_one_422(
    client: Client, applicant_a: Any, submit: Any
) -> None:
    client.force_login(applicant_a)
    body = {
        "customer_type": "residential",
        "customer_name": "张三",
        "id_number": BAD_ID,
        "contact_phone": BAD_PHONE,
        "address": "银川市兴庆区解放东街1号",
        "region": "640104",
        "property_scope": "宁(2026)银川市不动产权第0000001号",
        "capacity_kw": 8,
    }
    response = client.post(
        "/api/v1/applications", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    answer = response.json()
    assert [e["field"] for e in answer["errors"]] == ["id_number", "contact_phone"]
    assert answer["field"] == "id_number"
    assert "id_number: " in answer["detail"] and "contact_phone: " in answer["detail"]
    assert not Application.objects.exists()
