"""Web pages of the connection service, per role: access, forms, actions, public lookup."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, credit_code, resident_id
from getelec.connection.models import Application, Notification, Status

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form_data(**overrides: Any) -> dict[str, Any]:
    """What the apply form posts: an 8 kW residential new connection in 兴庆区 (三零, 5 wd)."""
    data: dict[str, Any] = {
        "customer_type": "residential",
        "customer_name": "张三",
        "id_number": resident_id(),
        "contact_phone": "13800000001",
        "region": "640104",
        "address": "银川市兴庆区解放东街1号",
        "property_scope": "宁(2026)银川市不动产权第0000001号",
        "request_type": "new",
        "purpose": "general",
        "capacity_kw": "8",
        "voltage": "",
        "supply": "single",
        "property_existing_kw": "0",
        "submission_key": secrets.token_urlsafe(12),  # rendered in the form, one per form
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def login(client: Any, user: Any) -> None:
    if user is not None:
        client.force_login(user)


# --- which role reaches which page -----------------------------------------------------------

PAGES = [
    # url name, role, expected status (302: sent elsewhere — login or the role's own page)
    ("home", "anonymous", 200),
    ("home", "applicant_a", 200),
    ("progress", "anonymous", 200),
    ("progress", "staff", 200),
    ("apply", "anonymous", 302),
    ("apply", "applicant_a", 200),
    ("apply", "staff", 302),
    ("apply", "regulator", 302),
    ("my_applications", "anonymous", 302),
    ("my_applications", "applicant_a", 200),
    ("my_applications", "staff", 302),
    ("queue", "anonymous", 302),
    ("queue", "applicant_a", 302),
    ("queue", "staff", 200),
    ("queue", "staff_other", 200),
    ("queue", "regulator", 302),
    ("regulator_list", "anonymous", 302),
    ("regulator_list", "applicant_a", 302),
    ("regulator_list", "staff", 302),
    ("regulator_list", "regulator", 200),
    ("regulator_list", "admin", 200),
    ("login", "anonymous", 200),
]


@pytest.mark.parametrize(("name", "role", "status"), PAGES)
def test_each_role_reaches_only_its_pages(
    client: Any, roles: dict[str, Any], frozen_today: dt.date, name: str, role: str, status: int
) -> None:
    login(client, roles[role])
    response = client.get(reverse(name))
    assert response.status_code == status
    if status == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


DETAIL_ACCESS = [
    # role, status: another applicant's application and another company's are 404, never 403
    ("applicant_a", 200),
    ("applicant_b", 404),
    ("staff", 200),
    ("staff_other", 404),
    ("regulator", 200),
    ("admin", 200),
]


@pytest.mark.parametrize(("role", "status"), DETAIL_ACCESS)
def test_application_detail_is_scoped_by_role(
    client: Any, roles: dict[str, Any], submit: Any, role: str, status: int
) -> None:
    application = submit()
    login(client, roles[role])
    response = client.get(reverse("application_detail", args=[application.number]))
    assert response.status_code == status


def test_an_unknown_application_number_is_404(client: Any, applicant_a: Any, submit: Any) -> None:
    client.force_login(applicant_a)
    assert client.get(reverse("application_detail", args=["NOPE"])).status_code == 404


def test_anonymous_visitors_are_sent_to_login_for_a_detail_page(client: Any, submit: Any) -> None:
    application = submit()
    response = client.get(reverse("application_detail", args=[application.number]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- detail: what each role sees -------------------------------------------------------------


def test_the_owner_sees_full_data_and_the_verification_code(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    application = submit()
    client.force_login(applicant_a)
    html = client.get(reverse("application_detail", args=[application.number])).content.decode()
    assert application.verification_code in html
    assert application.contact_phone in html
    assert "张三" in html
    assert "办理操作" not in html  # no staff forms for the applicant


def test_a_regulator_reads_masked_data_without_code_or_action_forms(
    client: Any, regulator: Any, submit: Any
) -> None:
    application = submit()
    client.force_login(regulator)
    html = client.get(reverse("application_detail", args=[application.number])).content.decode()
    assert application.verification_code not in html
    assert application.contact_phone not in html
    assert application.id_number not in html
    assert application.masked_phone in html
    assert "张*" in html
    assert "办理操作" not in html
    assert "只读" in html


def test_the_detail_shows_each_decision_with_its_clause_and_quote(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    application = submit()
    client.force_login(applicant_a)
    html = client.get(reverse("application_detail", args=[application.number])).content.decode()
    assert "5 个工作日" in html
    assert '<span class="clause">L3</span>' in html  # residents' limit: L3 names them
    assert (
        "无电力外线工程（电能计量箱有空表位，具备直接装表条件）的不超过5个工作日" in html
    )  # L3's quoted sentence next to the limit
    assert "业务受理" in html and "装表接电" in html  # the stage timeline


def test_staff_of_the_company_get_the_action_forms_with_the_version(
    client: Any, staff: Any, submit: Any
) -> None:
    application = submit()
    client.force_login(staff)
    html = client.get(reverse("application_detail", args=[application.number])).content.decode()
    assert "办理操作" in html
    assert f'name="version" value="{application.version}"' in html
    assert 'name="expected_stage" value="intake"' in html


# --- apply -----------------------------------------------------------------------------------


def test_an_applicant_submits_the_form_and_lands_on_the_new_application(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    client.force_login(applicant_a)
    upload = SimpleUploadedFile("id.png", PNG, content_type="image/png")
    response = client.post(
        reverse("apply"), form_data(doc_id_card=upload, doc_id_card_valid_until="2030-01-01")
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("application_detail", args=[application.number])
    assert application.category == "lv_residential"
    assert application.documents.count() == 1


def test_a_retried_submission_returns_the_same_application(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    client.force_login(applicant_a)
    data = form_data(submission_key="retry-key-1")
    first = client.post(reverse("apply"), data)
    second = client.post(reverse("apply"), data)
    assert first["Location"] == second["Location"]
    assert Application.objects.count() == 1


def _rendered_form_fields(html: str) -> dict[str, str]:
    """The hidden inputs the apply page renders (what a browser posts back)."""
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html))


def test_the_apply_page_renders_a_fresh_submission_key_that_makes_repeats_one_application(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    client.force_login(applicant_a)
    page = client.get(reverse("apply")).content.decode()
    hidden = _rendered_form_fields(page)
    assert len(hidden.get("submission_key", "")) >= 20
    again = _rendered_form_fields(client.get(reverse("apply")).content.decode())
    assert again["submission_key"] != hidden["submission_key"]  # one key per form
    data = {**form_data(), "submission_key": hidden["submission_key"]}
    answers = [client.post(reverse("apply"), data) for _ in range(20)]
    assert {a.status_code for a in answers} == {302}
    assert len({a["Location"] for a in answers}) == 1
    assert Application.objects.count() == 1


def test_a_form_with_errors_keeps_its_submission_key(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    client.force_login(applicant_a)
    response = client.post(reverse("apply"), form_data(customer_name="", submission_key="k-77"))
    assert response.status_code == 400
    assert _rendered_form_fields(response.content.decode())["submission_key"] == "k-77"


def test_a_post_without_a_submission_key_is_refused_and_saves_nothing(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    client.force_login(applicant_a)
    for key in (None, "", "   "):
        response = client.post(reverse("apply"), form_data(submission_key=key))
        assert response.status_code == 400
        assert "表单缺少提交标识" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
def test_concurrent_identical_posts_create_one_application(
    applicant_a: Any, yinchuan_company: Any, frozen_today: Any, media_root: Any
) -> None:
    workers = 4
    data = form_data(submission_key="double-click")
    barrier = threading.Barrier(workers)
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        browser = Client()
        browser.force_login(applicant_a)
        try:
            barrier.wait(timeout=10)
            status = browser.post(reverse("apply"), data).status_code
        finally:
            connection.close()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=post) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == [302] * workers
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"customer_name": ""}, "请填写“户名”"),
        ({"capacity_kw": ""}, "请填写“报装容量（千瓦）”"),
        ({"capacity_kw": "0"}, "“报装容量（千瓦）”不能小于0.01"),
        ({"capacity_kw": "abc"}, "“报装容量（千瓦）”格式不正确"),
        ({"region": "999999"}, "“所在县（市、区）”的选项无效"),
        ({"customer_type": "alien"}, "“用户类型”的选项无效"),
    ],
)
def test_form_errors_are_chinese_and_name_the_field(
    client: Any, applicant_a: Any, submit: Any, overrides: dict[str, str], message: str
) -> None:
    client.force_login(applicant_a)
    response = client.post(reverse("apply"), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_a_bad_id_checksum_is_reported_by_the_service_on_its_field(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    client.force_login(applicant_a)
    bad = resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")
    response = client.post(reverse("apply"), form_data(id_number=bad))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_id_number_error"' in html
    assert "身份证" in html
    assert not Application.objects.exists()


def test_an_invalid_credit_code_is_refused_for_an_enterprise(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    client.force_login(applicant_a)
    good = credit_code()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        reverse("apply"), form_data(customer_type="small_micro_enterprise", id_number=bad)
    )
    assert response.status_code == 400
    assert "统一社会信用代码" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "文件类型不支持"),
        ("fake.png", b"not an image", "文件类型不支持"),
    ],
)
def test_an_upload_of_the_wrong_type_is_refused_naming_the_document(
    client: Any, applicant_a: Any, submit: Any, name: str, content: bytes, message: str
) -> None:
    client.force_login(applicant_a)
    upload = SimpleUploadedFile(name, content)
    response = client.post(reverse("apply"), form_data(doc_id_card=upload))
    html = response.content.decode()
    assert response.status_code == 400
    assert f"“身份证明”{message}" in html
    assert not Application.objects.exists()


def test_an_oversize_upload_is_refused(
    client: Any, applicant_a: Any, submit: Any, settings: Any
) -> None:
    settings.DOCUMENT_MAX_BYTES = 32
    client.force_login(applicant_a)
    upload = SimpleUploadedFile("big.png", PNG)
    response = client.post(reverse("apply"), form_data(doc_property_certificate=upload))
    assert response.status_code == 400
    assert "“产权证明”文件过大" in response.content.decode()


def test_valid_documents_are_offered_for_reuse(client: Any, applicant_a: Any, submit: Any) -> None:
    first = submit(uploads=[("id_card", SimpleUploadedFile("id.png", PNG), dt.date(2030, 1, 1))])
    document = first.documents.get()
    client.force_login(applicant_a)
    html = client.get(reverse("apply")).content.decode()
    assert f'value="{document.pk}"' in html
    response = client.post(
        reverse("apply"),
        form_data(reuse_documents=[document.pk], property_scope="另一个产权", submission_key="k2"),
    )
    assert response.status_code == 302
    second = Application.objects.exclude(pk=first.pk).get()
    assert list(second.documents.all()) == [document]


def test_another_applicants_document_cannot_be_reused(
    client: Any, applicant_b: Any, submit: Any
) -> None:
    first = submit(uploads=[("id_card", SimpleUploadedFile("id.png", PNG), None)])
    client.force_login(applicant_b)
    response = client.post(reverse("apply"), form_data(reuse_documents=[first.documents.get().pk]))
    assert response.status_code == 400
    assert "“沿用已提交且在有效期内的材料”的选项无效" in response.content.decode()


# --- live preview and capacity helper --------------------------------------------------------


def test_the_assess_preview_shows_category_limit_clause_and_due_date(
    client: Any, applicant_a: Any, regions: Any, frozen_today: dt.date
) -> None:
    client.force_login(applicant_a)
    response = client.post(reverse("assess_preview"), form_data())
    html = response.content.decode()
    assert "低压居民" in html
    assert "5 个工作日" in html
    assert '<span class="clause">L3</span>' in html  # residents' limit: L3 names them
    assert "2026-12-03" in html  # 5 working days after Thursday 2026-11-26


def test_the_assess_preview_shows_the_pending_text_when_the_due_date_is_in_2027(
    client: Any, applicant_a: Any, regions: Any, frozen_today: dt.date
) -> None:
    client.force_login(applicant_a)
    html = client.post(
        reverse("assess_preview"),
        form_data(capacity_kw="500", customer_type="other", supply="dual"),
    ).content.decode()
    assert "高压双电源" in html  # 32 working days after 2026-11-26 end in 2027
    assert "待2027年节假日安排导入后计算" in html
    assert "超过160千瓦上限" in html


def test_the_assess_preview_names_the_three_zero_notice_case(
    client: Any, applicant_a: Any, regions: Any, frozen_today: dt.date
) -> None:
    client.force_login(applicant_a)
    html = client.post(
        reverse("assess_preview"), form_data(requested_high_voltage="on")
    ).content.decode()
    assert "签字确认" in html


def test_the_capacity_helper_suggests_from_the_published_standard(
    client: Any, applicant_a: Any, regions: Any, frozen_today: dt.date
) -> None:
    client.force_login(applicant_a)
    html = client.get(reverse("capacity_suggest"), {"floor_area_m2": "100"}).content.decode()
    assert "<strong>6 千瓦</strong>" in html
    assert 'data-fill-value="6"' in html
    # the source of the table is shown, in words (not the developers' PRACTICE.md)
    assert "国家行业惯例" in html and "山东电网居民住宅配电标准" in html
    assert "PRACTICE" not in html


def test_the_capacity_helper_names_the_field_on_bad_input(
    client: Any, applicant_a: Any, regions: Any, frozen_today: dt.date
) -> None:
    client.force_login(applicant_a)
    html = client.get(reverse("capacity_suggest"), {"floor_area_m2": "-3"}).content.decode()
    assert "“建筑面积（平方米）”不能小于1" in html


# --- staff actions ---------------------------------------------------------------------------


def post_action(client: Any, application: Application, name: str, **data: Any) -> Any:
    data.setdefault("version", application.version)
    return client.post(reverse("application_action", args=[application.number, name]), data)


def test_staff_advance_the_current_stage(client: Any, staff: Any, submit: Any) -> None:
    application = submit()
    client.force_login(staff)
    response = post_action(client, application, "advance", expected_stage="intake", note="资料齐全")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.current_stage == "supply_scheme"


def test_a_stale_version_shows_the_conflict_message(client: Any, staff: Any, submit: Any) -> None:
    application = submit()
    client.force_login(staff)
    stale = application.version
    post_action(client, application, "advance", expected_stage="intake")
    response = post_action(client, application, "advance", expected_stage="intake", version=stale)
    page = client.get(response["Location"]).content.decode()
    assert "该申请已被他人处理，请刷新后重试" in page
    application.refresh_from_db()
    assert application.current_stage == "supply_scheme"  # applied once


def test_a_pause_needs_a_customer_side_reason_and_a_note(
    client: Any, staff: Any, submit: Any
) -> None:
    application = submit()
    client.force_login(staff)
    response = post_action(client, application, "pause", reason="company_delay", note="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "“暂停原因（仅限客户原因）”的选项无效" in html
    assert "请填写“说明”" in html


def test_staff_pause_and_resume_the_clock(client: Any, staff: Any, submit: Any) -> None:
    application = submit()
    client.force_login(staff)
    post_action(client, application, "pause", reason="missing_documents", note="缺产权证明")
    application.refresh_from_db()
    assert application.status == Status.PAUSED
    html = client.get(reverse("application_detail", args=[application.number])).content.decode()
    assert "客户补充资料" in html and "暂停中" in html
    post_action(client, application, "resume")
    application.refresh_from_db()
    assert application.status == Status.IN_PROGRESS


def test_staff_mark_a_grid_upgrade_and_the_customer_sees_the_committed_date(
    client: Any, staff: Any, applicant_a: Any, submit: Any
) -> None:
    application = submit(external_works=True)
    client.force_login(staff)
    response = post_action(
        client,
        application,
        "grid_upgrade",
        cause="public_grid_upgrade",
        project="10千伏解放线改造",
        committed_on="2026-12-31",
        customer_informed_on="2026-11-26",
    )
    assert response.status_code == 302
    client.force_login(applicant_a)
    html = client.get(reverse("application_detail", args=[application.number])).content.decode()
    assert "承诺完成日期：2026-12-31" in html


@pytest.mark.parametrize("role", ["applicant_a", "regulator"])
def test_readers_cannot_act_on_an_application(
    client: Any, roles: dict[str, Any], submit: Any, role: str
) -> None:
    application = submit()
    client.force_login(roles[role])
    response = post_action(client, application, "advance", expected_stage="intake")
    application.refresh_from_db()
    assert response.status_code == 400
    assert application.current_stage == "intake"


@pytest.mark.parametrize("role", ["applicant_b", "staff_other"])
def test_outsiders_get_404_on_actions(
    client: Any, roles: dict[str, Any], submit: Any, role: str
) -> None:
    application = submit()
    client.force_login(roles[role])
    response = post_action(client, application, "advance", expected_stage="intake")
    assert response.status_code == 404


def test_an_unknown_action_is_404(client: Any, staff: Any, submit: Any) -> None:
    application = submit()
    client.force_login(staff)
    assert post_action(client, application, "teleport").status_code == 404


def test_the_applicant_confirms_the_three_zero_notice(
    client: Any, applicant_a: Any, submit: Any
) -> None:
    application = submit(requested_high_voltage=True)
    assert application.status == Status.AWAITING_CONSENT
    client.force_login(applicant_a)
    html = client.get(reverse("application_detail", args=[application.number])).content.decode()
    assert "“三零”服务政策告知（T1）" in html
    response = post_action(client, application, "consent", confirm="on")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.IN_PROGRESS
    assert application.informed_consent_at is not None


# --- lists -----------------------------------------------------------------------------------


def test_the_queue_puts_overdue_first_marks_paused_and_pending(
    client: Any, staff: Any, submit: Any
) -> None:
    overdue = submit(applied_on=dt.date(2026, 10, 9), actor=staff, property_scope="p1")
    fresh = submit(property_scope="p2")
    pending = submit(capacity_kw="500", customer_type="other", supply="dual", property_scope="p3")
    client.force_login(staff)
    html = client.get(reverse("queue")).content.decode()
    assert html.index(overdue.number) < html.index(fresh.number) < html.index(pending.number)
    assert 'class="overdue"' in html
    assert "超期" in html
    assert "待定" in html
    assert "1 件申请已超期" in html


def test_the_queue_filters_overdue_only(client: Any, staff: Any, submit: Any) -> None:
    overdue = submit(applied_on=dt.date(2026, 10, 9), actor=staff, property_scope="p1")
    fresh = submit(property_scope="p2")
    client.force_login(staff)
    html = client.get(reverse("queue"), {"overdue": "on"}).content.decode()
    assert overdue.number in html
    assert fresh.number not in html


def test_the_queue_does_not_show_another_companys_applications(
    client: Any, staff_other: Any, submit: Any
) -> None:
    application = submit()
    client.force_login(staff_other)
    assert application.number not in client.get(reverse("queue")).content.decode()


def test_the_queue_pages_by_fifty_with_a_bounded_number_of_queries(
    client: Any, staff: Any, submit: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(52):
        submit(property_scope=f"scope-{i}")
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("queue")).content.decode()
    assert first.count("/applications/") == 50
    assert 'rel="next"' in first
    second = client.get(reverse("queue"), {"page": 2}).content.decode()
    assert second.count("/applications/") == 2
    assert 'rel="next"' not in second


def test_my_applications_lists_only_mine_with_notifications(
    client: Any, applicant_a: Any, applicant_b: Any, submit: Any
) -> None:
    mine = submit()
    theirs = submit(applicant=applicant_b, property_scope="other")
    client.force_login(applicant_a)
    html = client.get(reverse("my_applications")).content.decode()
    assert mine.number in html
    assert theirs.number not in html
    assert "未读" in html


def test_marking_notifications_read(client: Any, applicant_a: Any, submit: Any) -> None:
    submit()
    client.force_login(applicant_a)
    client.post(reverse("notifications_read"))
    assert not Notification.objects.filter(user=applicant_a, read_at__isnull=True).exists()


def test_the_regulator_list_filters_by_company_and_county(
    client: Any, regulator: Any, submit: Any, shizuishan_company: Any
) -> None:
    yinchuan = submit()
    dawukou = submit(region="640202", property_scope="dwk", address="大武口区1号")
    client.force_login(regulator)
    html = client.get(reverse("regulator_list")).content.decode()
    assert yinchuan.number in html and dawukou.number in html
    html = client.get(reverse("regulator_list"), {"company": shizuishan_company.pk}).content
    assert dawukou.number in html.decode() and yinchuan.number not in html.decode()
    html = client.get(reverse("regulator_list"), {"county": "640104"}).content.decode()
    assert yinchuan.number in html and dawukou.number not in html


# --- public progress -------------------------------------------------------------------------


def lookup(client: Any, number: str, code: str) -> Any:
    return client.post(reverse("progress"), {"number": number, "verification_code": code})


def test_the_public_lookup_shows_progress_without_personal_data(
    client: Any, staff: Any, submit: Any
) -> None:
    application = submit()
    client.force_login(staff)
    post_action(client, application, "advance", expected_stage="intake")
    client.logout()
    response = lookup(client, application.number, application.verification_code)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="current-stage">供电方案答复<', html)
    for personal in ("张三", application.contact_phone, application.id_number, "解放东街"):
        assert personal not in html
    assert application.masked_phone not in html


def test_unknown_number_and_wrong_code_get_the_same_answer(client: Any, submit: Any) -> None:
    application = submit()
    wrong_code = lookup(client, application.number, "000000")
    unknown = lookup(client, "XX2026000000", application.verification_code)
    assert wrong_code.status_code == unknown.status_code == 404
    message = "申请编号或查询验证码不正确"
    assert message in wrong_code.content.decode() and message in unknown.content.decode()


def test_repeated_failed_lookups_are_slowed_down(client: Any, submit: Any, settings: Any) -> None:
    settings.PUBLIC_LOOKUP_MAX_FAILURES = 3
    application = submit()
    for _ in range(3):
        assert lookup(client, application.number, "bad").status_code == 404
    blocked = lookup(client, application.number, application.verification_code)
    assert blocked.status_code == 429
    assert "查询失败次数过多，请10分钟后再试" in blocked.content.decode()


def test_a_lookup_lock_covers_the_missed_number_and_client_only(
    client: Any, submit: Any, settings: Any, applicant_b: Any
) -> None:
    """A blocked client still looks up other numbers; other clients look up the missed one.

    A correct code for the missed number is refused too while the lock lasts: answering it
    would tell a blocked guesser which guess is right.
    """
    settings.PUBLIC_LOOKUP_MAX_FAILURES = 3
    target, other = submit(), submit(applicant=applicant_b)
    for _ in range(3):
        assert lookup(client, target.number, "bad").status_code == 404
    assert lookup(client, target.number, target.verification_code).status_code == 429
    assert lookup(client, other.number, other.verification_code).status_code == 200
    neighbour = Client(REMOTE_ADDR="198.51.100.20")
    assert lookup(neighbour, target.number, target.verification_code).status_code == 200


def test_the_lookup_budget_is_shared_by_every_worker_process(
    client: Any, submit: Any, settings: Any
) -> None:
    """Counted in the database: a per-process cache (one per worker) does not reset it."""
    from django.core.cache import cache

    settings.PUBLIC_LOOKUP_MAX_FAILURES = 4
    application = submit()
    for _ in range(4):
        assert lookup(client, application.number, "bad").status_code == 404
        cache.clear()  # another worker: its own empty LocMemCache
    assert lookup(client, application.number, application.verification_code).status_code == 429


def test_the_lookup_counts_the_forwarded_client_behind_the_documented_proxy(
    submit: Any, settings: Any
) -> None:
    settings.PUBLIC_LOOKUP_MAX_FAILURES = 2
    settings.TRUSTED_PROXY_COUNT = 1
    application = submit()
    guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(2):
        assert lookup(guesser, application.number, "bad").status_code == 404
    assert lookup(guesser, application.number, "bad").status_code == 429
    customer = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert lookup(customer, application.number, application.verification_code).status_code == 200


# --- security headers, markup, language ------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.I)


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("anonymous", "home"),
        ("anonymous", "progress"),
        ("anonymous", "login"),
        ("applicant_a", "apply"),
        ("applicant_a", "my_applications"),
        ("applicant_a", "detail"),
        ("staff", "queue"),
        ("staff", "detail"),
        ("regulator", "regulator_list"),
        ("admin", "home"),
    ],
)
def test_pages_carry_a_strict_csp_and_no_inline_script_or_style(
    client: Any, roles: dict[str, Any], submit: Any, role: str, page: str
) -> None:
    application = submit(requested_high_voltage=True)
    login(client, roles[role])
    url = (
        reverse("application_detail", args=[application.number])
        if page == "detail"
        else reverse(page)
    )
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
    assert "//cdn" not in html and "https://" not in html


def test_the_admin_sees_the_calendar_banner_for_next_year(
    client: Any, admin_user: Any, frozen_today: dt.date
) -> None:
    client.force_login(admin_user)
    html = client.get(reverse("home")).content.decode()
    assert "请导入2027年国务院办公厅节假日安排，否则跨年期限无法计算" in html
    assert reverse("admin:workcalendar_calendaryear_import") in html


def test_applicants_do_not_see_the_calendar_banner(
    client: Any, applicant_a: Any, regions: Any, frozen_today: dt.date
) -> None:
    client.force_login(applicant_a)
    assert "节假日安排" not in client.get(reverse("home")).content.decode()


def test_pages_render_in_english_by_accept_language(client: Any, frozen_today: dt.date) -> None:
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Getting Electricity Service Platform" in html
    assert "办电进度查询" not in html


def test_the_language_switch_is_a_post_that_sticks(client: Any, frozen_today: dt.date) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("progress")).content.decode()
    assert "Application number" in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "申请编号" in client.get(reverse("progress")).content.decode()


def test_form_errors_are_english_in_english(client: Any, applicant_a: Any, submit: Any) -> None:
    client.force_login(applicant_a)
    response = client.post(reverse("apply"), form_data(customer_name=""), HTTP_ACCEPT_LANGUAGE="en")
    assert "Please fill in “Customer name”." in response.content.decode()


def test_login_with_a_wrong_password_says_so_in_chinese(client: Any, applicant_a: Any) -> None:
    response = client.post(reverse("login"), {"username": "applicant_a", "password": "x"})
    assert "账号或密码不正确" in response.content.decode()


def test_login_sends_each_role_to_its_own_page(client: Any, staff: Any) -> None:
    response = client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert response["Location"] == reverse("queue")


def test_logout_is_a_post(client: Any, applicant_a: Any) -> None:
    client.force_login(applicant_a)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
