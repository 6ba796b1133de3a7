"""Connection services: submission, workflow transitions, clock, documents, atomicity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import application_input, credit_code, resident_id
from getelec.audit.models import AuditEvent
from getelec.connection import services
from getelec.connection.models import (
    Application,
    Document,
    Notification,
    Pause,
    StageRecord,
    Status,
)
from getelec.core.workdays import YearSchedule
from getelec.workcalendar.services import import_year

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def shanghai(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(
        hour=hour, tzinfo=dt.timezone(dt.timedelta(hours=8))
    )


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def schedule_2027() -> YearSchedule:
    """The 2027 official schedule as an admin would import it (test data)."""
    holidays = {
        "2027-01-01",
        "2027-02-05",
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-02-09",
        "2027-02-10",
        "2027-02-11",
        "2027-04-05",
        "2027-05-01",
        "2027-05-02",
        "2027-05-03",
        "2027-06-09",
        "2027-09-15",
        "2027-10-01",
        "2027-10-02",
        "2027-10-03",
        "2027-10-04",
        "2027-10-05",
        "2027-10-06",
        "2027-10-07",
    }
    workdays = {"2027-02-13", "2027-02-14"}
    return YearSchedule(2027, frozenset(map(d, holidays)), frozenset(map(d, workdays)), "test")


def pdf(name: str = "id.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def rows() -> dict[str, int]:
    return {
        "applications": Application.objects.count(),
        "stages": StageRecord.objects.count(),
        "pauses": Pause.objects.count(),
        "documents": Document.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


# --- submission: categories and limits (T1, T2, L3, L33, L34) ---------------------------------

CATEGORY_CASES = [
    # clause, fields, category, three_zero, limit, stages with their cumulative due dates
    (
        "T2/L3 LV residential without external works: 5 wd",
        {},
        "lv_residential",
        True,
        5,
        [("intake", "2026-11-27"), ("supply_scheme", "2026-12-01"), ("energizing", "2026-12-03")],
    ),
    (
        "T2/L3 LV residential with external works: 15 wd",
        {"external_works": True},
        "lv_residential",
        True,
        15,
        [
            ("intake", "2026-11-27"),
            ("supply_scheme", "2026-12-01"),
            ("external_works", "2026-12-15"),
            ("energizing", "2026-12-17"),
        ],
    ),
    (
        "T1/L2 small enterprise ≤ 160 kW under 三零: 5 wd",
        {
            "customer_type": "small_micro_enterprise",
            "customer_name": "银川某商贸有限公司",
            "capacity_kw": "100",
        },
        "lv_three_zero",
        True,
        5,
        None,
    ),
    (
        "L3 LV non-residential not under 三零 (capacity increase): 6 wd",
        {
            "customer_type": "small_micro_enterprise",
            "customer_name": "银川某商贸有限公司",
            "request_type": "increase",
            "capacity_kw": "50",
        },
        "lv_non_residential",
        False,
        6,
        None,
    ),
    (
        "T1 above 160 kW: HV single source proposed, 22 wd",
        {
            "customer_type": "private_org",
            "customer_name": "宁夏某制造有限公司",
            "capacity_kw": "400",
        },
        "hv_single",
        False,
        22,
        None,
    ),
    (
        "L3 HV dual source: 32 wd (due in 2027: pending)",
        {
            "customer_type": "other",
            "customer_name": "银川市某医院",
            "capacity_kw": "2000",
            "supply": "dual",
        },
        "hv_dual",
        False,
        32,
        None,
    ),
    (
        "T2/L33 EV charging: 1 + 3 + 2 wd, site survey",
        {"purpose": "ev_charging", "capacity_kw": "7"},
        "lv_ev_charging",
        True,
        6,
        [("intake", "2026-11-27"), ("supply_scheme", "2026-12-02"), ("energizing", "2026-12-04")],
    ),
    (
        "T2/L34 e-bike charging gets 三零 without changing its limits",
        {
            "customer_type": "other",
            "customer_name": "某小区业主委员会",
            "purpose": "ebike_charging",
            "capacity_kw": "20",
        },
        "lv_ebike_charging",
        True,
        6,
        None,
    ),
]


@pytest.mark.parametrize(
    ("clause", "fields", "category", "three_zero", "limit", "stages"),
    CATEGORY_CASES,
    ids=[c[0] for c in CATEGORY_CASES],
)
def test_submission_decides_category_limit_and_stage_deadlines(
    submit: Any,
    clause: str,
    fields: dict,
    category: str,
    three_zero: bool,
    limit: int,
    stages: list | None,
) -> None:
    app = submit(**fields)
    assert (app.category, app.three_zero, app.time_limit_wd) == (category, three_zero, limit)
    records = list(app.stages.order_by("seq"))
    assert records[0].started_on == app.applied_on == d("2026-11-26")
    assert app.current_stage == records[0].stage
    assert records[-1].cumulative_wd == limit
    if stages is not None:
        assert [(s.stage, s.due_on) for s in records] == [(n, d(v)) for n, v in stages]
        # T2 charging: each stage on its own clock, the application due at its current stage's
        # own date (the others projected); otherwise at the last stage's (the overall limit).
        current = records[0] if app.decision["stage_clock"] == "each" else records[-1]
        assert app.due_on == current.due_on
    if category.startswith("lv_") and category.endswith("charging"):
        assert app.site_survey_required


def test_submission_stores_the_decision_basis_with_clause_and_quote(submit: Any) -> None:
    app = submit(customer_type="small_micro_enterprise")  # T1's cap (residents: PRACTICE)
    basis = app.decision["basis"]
    assert {"three_zero", "category", "time_limit", "stages"} <= set(basis)
    cap = next(b for b in basis["three_zero"] if b["parameter"] == "three_zero_max_kw")
    assert cap["clause"] == "T1" and "160千瓦" in cap["quote"]
    assert basis["time_limit"][0]["clause"] in ("T2", "L3")
    reasons = app.decision["three_zero"]["reasons"]
    # Reasons are stored as data; their sentences are rendered at display time.
    assert all(set(r) == {"rule", "clause", "met", "variant", "values"} for r in reasons)


def test_submission_numbers_are_readable_unique_and_codes_are_six_digits(submit: Any) -> None:
    first, second = submit(), submit(property_scope="宁(2026)银川市不动产权第0000002号")
    assert first.number == "6401-20261126-0001"
    assert second.number == "6401-20261126-0002"
    assert len(first.verification_code) == 6 and first.verification_code.isdigit()


def test_submission_in_another_city_goes_to_that_city_company(
    submit: Any, shizuishan_company: Any
) -> None:
    app = submit(region="640202", address="石嘴山市大武口区某路1号")
    assert app.company == shizuishan_company
    assert app.number.startswith("6402-")


def test_split_application_in_the_same_property_scope_loses_three_zero(submit: Any) -> None:
    """T1 (a): the same property scope counted with its existing and pending capacity."""
    firm = {"customer_type": "small_micro_enterprise", "customer_name": "银川某商贸有限公司"}
    first = submit(capacity_kw="100", property_scope="宁(2026)银川市不动产权第 0000009 号", **firm)
    # The same certificate typed with full-width characters and other spacing.
    second = submit(
        capacity_kw="100", property_scope="宁（２０２６）银川市不动产权第0000009号", **firm
    )
    assert first.three_zero
    assert second.property_scope == first.property_scope
    assert second.property_existing_kw == Decimal("100")
    assert not second.three_zero
    assert "property_scope_split" in {r["rule"] for r in second.decision["three_zero"]["reasons"]}


def test_cancelled_applications_do_not_count_towards_the_property_scope(
    submit: Any, applicant_a: Any
) -> None:
    firm = {"customer_type": "small_micro_enterprise", "customer_name": "银川某商贸有限公司"}
    first = submit(capacity_kw="100", **firm)
    services.cancel_application(first, applicant_a, "重复提交", first.version)
    assert submit(capacity_kw="100", **firm).three_zero


# --- submission: validation and atomicity -----------------------------------------------------

INVALID_CASES = [
    (
        "id_number",
        {"id_number": resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")},
        "校验位",
    ),
    ("id_number", {"id_number": "12345"}, "18位"),
    (
        "id_number",
        {
            "customer_type": "small_micro_enterprise",
            "customer_name": "某公司",
            "id_number": credit_code()[:-1] + ("0" if credit_code()[-1] != "0" else "1"),
        },
        "统一社会信用代码校验位",
    ),
    ("contact_phone", {"contact_phone": "12345"}, "联系电话"),
    ("region", {"region": "640100"}, "县"),  # a city, not a county
    ("region", {"region": "999999"}, "县"),
    ("region", {"region": "640302"}, "供电企业"),  # 吴忠: no supply company on the platform
    ("capacity_kw", {"capacity_kw": "0"}, "大于0"),
    ("capacity_kw", {"capacity_kw": "-5"}, "大于0"),
    ("capacity_kw", {"capacity_kw": "10000001"}, "10,000,000"),
    ("capacity_kw", {"capacity_kw": float("inf")}, "有限"),
    ("capacity_kw", {"capacity_kw": "NaN"}, "有限"),
    ("capacity_kw", {"capacity_kw": "abc"}, "数字"),
    ("customer_type", {"customer_type": "alien"}, "用户类型"),
    ("request_type", {"request_type": "upgrade"}, "业务类型"),
    ("purpose", {"purpose": "mining"}, "用电用途"),
    ("supply", {"supply": "dual", "voltage": "low"}, "双电源"),
    ("customer_name", {"customer_name": "  "}, "户名"),
    ("property_scope", {"property_scope": ""}, "产权"),
    ("external_works", {"external_works": "yes"}, "是/否"),
]


@pytest.mark.parametrize(
    ("field", "fields", "fragment"),
    INVALID_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(INVALID_CASES)],
)
def test_invalid_submission_names_the_field_in_chinese_and_saves_nothing(
    submit: Any, field: str, fields: dict, fragment: str
) -> None:
    before = rows()
    with pytest.raises(services.InvalidInput) as error:
        submit(**fields)
    assert error.value.field == field
    assert fragment in error.value.message
    assert rows() == before


def test_a_bad_upload_rolls_back_the_whole_submission(submit: Any) -> None:
    before = rows()
    good = ("id_card", pdf(), None)
    bad = ("property_certificate", SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary"), None)
    with pytest.raises(services.InvalidInput) as error:
        submit(uploads=[good, bad])
    assert error.value.field == "file"
    assert rows() == before


def test_only_applicant_accounts_submit_and_staff_may_enter_counter_applications(
    submit: Any, staff: Any, staff_other: Any, applicant_a: Any
) -> None:
    with pytest.raises(services.NotAllowed):
        services.submit_application(staff, application_input())
    with pytest.raises(services.NotAllowed):
        submit(actor=staff_other)  # 石嘴山 staff cannot enter a 银川 application
    counter = submit(actor=staff, applied_on=d("2026-11-25"))
    assert counter.applicant == applicant_a and counter.applied_on == d("2026-11-25")
    with pytest.raises(services.InvalidInput) as error:
        submit(applied_on=d("2026-11-20"))  # online: the application date is today
    assert error.value.field == "applied_on"


def test_resubmitting_with_the_same_submission_key_returns_the_first_application(
    frozen_today: Any, applicant_a: Any, yinchuan_company: Any
) -> None:
    first = services.submit_application(applicant_a, application_input(), submission_key="k1")
    again = services.submit_application(applicant_a, application_input(), submission_key="k1")
    assert again.pk == first.pk
    assert Application.objects.count() == 1


def test_submission_writes_one_audit_row_and_notifies_the_applicant(
    submit: Any, applicant_a: Any
) -> None:
    app = submit()
    events = AuditEvent.objects.filter(object_id=str(app.pk), action__startswith="connection.")
    assert [e.action for e in events] == ["connection.submit_application"]
    notice = Notification.objects.get(user=applicant_a, application=app, channel="outbox")
    assert app.number in notice.text and app.verification_code in notice.text


# --- calendar year not loaded (2027) ----------------------------------------------------------


def test_due_date_in_an_unloaded_year_is_pending_and_computed_when_the_year_is_imported(
    applicant_a: Any, yinchuan_company: Any, admin_user: Any, media_root: Any
) -> None:
    with time_machine.travel(shanghai("2026-12-24"), tick=False):
        app = services.submit_application(
            applicant_a,
            application_input(
                customer_type="private_org", customer_name="宁夏某制造有限公司", capacity_kw="400"
            ),
        )
    assert (app.due_on, app.due_pending_year) == (None, 2027)
    stages = list(app.stages.order_by("seq"))
    assert stages[0].due_on == d("2026-12-25")  # known stage dates are kept
    assert stages[-1].due_on is None

    with time_machine.travel(shanghai("2026-12-28"), tick=False):
        assert import_year(schedule_2027(), admin_user, "国办发明电〔2026〕test")
        app.refresh_from_db()
        assert app.due_pending_year is None
        # 22 wd after 2026-12-24: 5 in 2026 (25, 28-31) then 17 in 2027 (1 Jan is a holiday).
        assert app.due_on == d("2027-01-26")
        assert app.stages.order_by("seq").last().due_on == app.due_on
        assert Notification.objects.filter(application=app, kind="due_changed").count() == 1
        # Idempotent: nothing left to compute; a repeated import changes nothing.
        assert services.recompute_pending_deadlines(admin_user) == 0
        assert not import_year(schedule_2027(), admin_user).changed
        assert AuditEvent.objects.filter(action="connection.recompute_deadline").count() == 1


# --- workflow: advance ------------------------------------------------------------------------


def test_advancing_every_stage_completes_the_application(
    submit: Any, staff: Any, applicant_a: Any
) -> None:
    app = submit()
    for stage in [s.stage for s in app.stages.order_by("seq")]:
        app = services.advance_stage(app, staff, stage, app.version, note=f"{stage} 完成")
    assert app.status == Status.COMPLETED
    assert app.completed_on == d("2026-11-26")
    assert app.current_stage == ""
    assert all(s.completed_at and s.completed_by == staff for s in app.stages.all())
    kinds = list(
        Notification.objects.filter(user=applicant_a, channel="outbox")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["submitted", "stage_changed", "stage_changed", "completed"]
    assert AuditEvent.objects.filter(action="connection.advance_stage").count() == 3


def test_advancing_starts_the_next_stage_today(submit: Any, staff: Any) -> None:
    app = submit()
    with time_machine.travel(shanghai("2026-11-27"), tick=False):
        app = services.advance_stage(app, staff, "intake", app.version)
    assert app.stages.get(stage="supply_scheme").started_on == d("2026-11-27")
    assert app.current_stage == "supply_scheme" and app.version == 2


@pytest.mark.parametrize(
    ("make_stale", "error", "field"),
    [
        (lambda app: {"version": app.version + 5}, services.Conflict, "version"),
        (lambda app: {"expected_stage": "energizing"}, services.Conflict, "expected_stage"),
    ],
    ids=["stale version", "wrong stage"],
)
def test_advancing_with_stale_data_is_a_conflict_and_changes_nothing(
    submit: Any, staff: Any, make_stale: Any, error: type, field: str
) -> None:
    app = submit()
    args = {"expected_stage": "intake", "version": app.version, **make_stale(app)}
    with pytest.raises(error) as raised:
        services.advance_stage(app, staff, **args)
    assert raised.value.field == field
    app.refresh_from_db()
    assert (app.current_stage, app.version) == ("intake", 1)


def test_the_same_advance_twice_is_applied_once(submit: Any, staff: Any) -> None:
    app = submit()
    services.advance_stage(app, staff, "intake", 1)
    with pytest.raises(services.Conflict):
        services.advance_stage(app, staff, "intake", 1)
    assert StageRecord.objects.filter(application=app, completed_at__isnull=False).count() == 1


@pytest.mark.parametrize("who", ["staff_other", "regulator", "applicant_a", "admin"])
def test_only_the_company_staff_may_advance(submit: Any, roles: dict, who: str) -> None:
    app = submit()
    with pytest.raises(services.NotAllowed):
        services.advance_stage(app, roles[who], "intake", app.version)


# --- informed consent (T1) --------------------------------------------------------------------


def test_hv_request_of_an_lv_eligible_customer_waits_for_signed_consent(
    submit: Any, staff: Any, applicant_a: Any
) -> None:
    app = submit(
        customer_type="small_micro_enterprise",
        customer_name="银川某商贸有限公司",
        capacity_kw="50",
        requested_high_voltage=True,
    )
    assert app.informed_consent_required and app.status == Status.AWAITING_CONSENT
    assert app.pauses.get().reason == "awaiting_consent"
    with pytest.raises(services.InvalidState):
        services.advance_stage(app, staff, app.current_stage, app.version)
    with time_machine.travel(shanghai("2026-11-30"), tick=False):
        app = services.record_informed_consent(app, applicant_a, app.version)
    assert app.status == Status.IN_PROGRESS and app.informed_consent_at is not None
    # Waiting for the customer's signature is customer-side: 27th and 30th are paused.
    assert app.paused_wd == 2
    again = services.record_informed_consent(app, applicant_a, app.version)
    assert again.version == app.version  # idempotent
    app = services.advance_stage(app, staff, app.current_stage, app.version)
    assert app.current_stage == "supply_scheme"


# --- pause and resume -------------------------------------------------------------------------


def test_pause_and_resume_shift_the_open_stages_and_the_due_date(
    submit: Any, staff: Any, applicant_a: Any
) -> None:
    app = submit()  # due 2026-12-03; stages due 11-27, 12-01, 12-03
    app = services.advance_stage(app, staff, "intake", app.version)
    app = services.pause_clock(app, staff, "customer_works", "客户内部线路未完工", app.version)
    assert app.status == Status.PAUSED
    with pytest.raises(services.InvalidState):
        services.advance_stage(app, staff, "supply_scheme", app.version)
    with time_machine.travel(shanghai("2026-12-01"), tick=False):
        app = services.resume_clock(app, staff, app.version)
    pause = app.pauses.get()
    # Working days d with 11-26 < d <= 12-01: 27th (Fri), 30th (Mon), 1st (Tue).
    assert (pause.ended_on, pause.paused_wd, app.paused_wd) == (d("2026-12-01"), 3, 3)
    assert app.status == Status.IN_PROGRESS
    assert app.due_on == d("2026-12-08")
    dues = dict(app.stages.values_list("stage", "due_on"))
    assert dues == {
        "intake": d("2026-11-27"),
        "supply_scheme": d("2026-12-04"),
        "energizing": d("2026-12-08"),
    }
    kinds = set(Notification.objects.filter(user=applicant_a).values_list("kind", flat=True))
    assert {"paused", "resumed", "due_changed"} <= kinds


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "company_backlog"}, "reason"),  # the company's own delay never pauses
        ({"reason": "awaiting_consent"}, "reason"),  # set by the system only
        ({"on": dt.date(2026, 11, 27)}, "on"),  # future
        ({"on": dt.date(2026, 11, 1)}, "on"),  # before the application date
    ],
)
def test_pausing_accepts_only_customer_reasons_and_sensible_dates(
    submit: Any, staff: Any, kwargs: dict, field: str
) -> None:
    app = submit()
    args = {"reason": "customer_works", "note": "", **kwargs}
    with pytest.raises(services.InvalidInput) as error:
        services.pause_clock(app, staff, version=app.version, **args)
    assert error.value.field == field


def test_pausing_twice_for_the_same_reason_is_idempotent_and_resume_needs_a_pause(
    submit: Any, staff: Any
) -> None:
    app = submit()
    with pytest.raises(services.InvalidState):
        services.resume_clock(app, staff, app.version)
    paused = services.pause_clock(app, staff, "missing_documents", "", app.version)
    again = services.pause_clock(paused, staff, "missing_documents", "", app.version)
    assert again.version == paused.version
    assert Pause.objects.filter(application=app).count() == 1


# --- grid upgrade, contracted date, key project, cancellation ---------------------------------


def test_grid_upgrade_mark_keeps_the_statutory_due_date_and_tells_the_customer(
    submit: Any, staff: Any, applicant_a: Any
) -> None:
    app = submit(customer_type="private_org", customer_name="宁夏某制造有限公司", capacity_kw="400")
    due = app.due_on
    app = services.mark_grid_upgrade(
        app,
        staff,
        "public_grid_upgrade",
        "110千伏某变电站扩建",
        d("2027-03-31"),
        d("2026-11-26"),
        app.version,
        reason="主变容量不足",
    )
    assert (app.grid_upgrade_cause, app.grid_upgrade_committed_on) == (
        "public_grid_upgrade",
        d("2027-03-31"),
    )
    assert app.grid_upgrade_marked_on == d("2026-11-26") and app.due_on == due
    notice = Notification.objects.get(application=app, kind="grid_upgrade", channel="outbox")
    assert "2027-03-31" in notice.text
    version = app.version
    same = services.mark_grid_upgrade(
        app,
        staff,
        "public_grid_upgrade",
        "110千伏某变电站扩建",
        d("2027-03-31"),
        d("2026-11-26"),
        version,
    )
    assert same.version == version
    assert AuditEvent.objects.filter(action="connection.mark_grid_upgrade").count() == 1


@pytest.mark.parametrize(
    ("committed", "informed", "field"),
    [
        ("2026-11-25", "2026-11-26", "committed_on"),
        ("2027-01-31", "2026-11-27", "customer_informed_on"),
    ],
)
def test_grid_upgrade_dates_are_checked(
    submit: Any, staff: Any, committed: str, informed: str, field: str
) -> None:
    app = submit()
    with pytest.raises(services.InvalidInput) as error:
        services.mark_grid_upgrade(
            app,
            staff,
            "administrative_approval",
            "道路开挖审批",
            d(committed),
            d(informed),
            app.version,
        )
    assert error.value.field == field


def test_contracted_date_is_tracked_without_extending_the_statutory_due_date(
    submit: Any, staff: Any
) -> None:
    """L8: a contracted date later than the due date leaves the due date as it was."""
    app = submit()
    due = app.due_on
    app = services.set_contracted_date(app, staff, d("2026-12-20"), app.version)
    assert (app.contracted_on, app.due_on) == (d("2026-12-20"), due)
    app = services.set_contracted_date(app, staff, None, app.version)
    assert app.contracted_on is None and app.due_on == due


def test_key_projects_go_first_in_the_queue(submit: Any, staff: Any) -> None:
    from getelec.connection.selectors import staff_queue

    ordinary = submit()
    key = submit(property_scope="P-2", external_works=True)  # due later
    services.set_key_project(key, staff, "provincial", key.version)
    assert [a.pk for a in staff_queue(staff)] == [key.pk, ordinary.pk]


def test_cancelling_closes_the_open_pause_and_is_idempotent(
    submit: Any, staff: Any, applicant_a: Any
) -> None:
    app = submit()
    app = services.pause_clock(app, staff, "customer_request", "", app.version)
    app = services.cancel_application(app, applicant_a, "不再需要", app.version)
    assert app.status == Status.CANCELLED and app.cancelled_reason == "不再需要"
    assert app.pauses.get().ended_on == d("2026-11-26")
    assert services.cancel_application(app, applicant_a, "不再需要", 1).version == app.version
    with pytest.raises(services.InvalidState):
        services.advance_stage(app, staff, "intake", app.version)


def test_another_applicant_cannot_cancel(submit: Any, applicant_b: Any) -> None:
    app = submit()
    with pytest.raises(services.NotAllowed):
        services.cancel_application(app, applicant_b, "恶意撤销", app.version)


# --- documents (L13) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("licence.pdf", PDF, True),
        ("photo.png", PNG, True),
        ("photo.jpg", JPEG, True),
        ("fake.pdf", b"<html><script>alert(1)</script>", False),  # name says PDF, content not
        ("virus.exe", b"MZ\x90\x00", False),
        ("empty.pdf", b"", False),
    ],
)
def test_documents_are_accepted_by_content_not_by_name(
    frozen_today: Any, applicant_a: Any, media_root: Any, name: str, content: bytes, ok: bool
) -> None:
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    if ok:
        doc = services.upload_document(applicant_a, "id_card", upload, None)
        assert doc.size == len(content) and doc.content_type.startswith(("image/", "application/"))
    else:
        with pytest.raises(services.InvalidInput) as error:
            services.upload_document(applicant_a, "id_card", upload, None)
        assert error.value.field == "file"
        assert Document.objects.count() == 0


def test_oversize_documents_are_refused(
    frozen_today: Any, applicant_a: Any, media_root: Any, settings: Any
) -> None:
    settings.DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(services.InvalidInput) as error:
        services.upload_document(applicant_a, "id_card", pdf(content=PDF + b"0" * 2000), None)
    assert "过大" in error.value.message


def test_the_same_document_is_stored_once_and_reused_while_valid(
    submit: Any, applicant_a: Any, applicant_b: Any
) -> None:
    doc = services.upload_document(applicant_a, "id_card", pdf(), d("2030-01-01"))
    again = services.upload_document(applicant_a, "id_card", pdf("copy.pdf"), d("2030-01-01"))
    assert again.pk == doc.pk
    app = submit(reuse_document_ids=[doc.pk])
    assert list(app.documents.all()) == [doc]
    theirs = services.upload_document(applicant_b, "id_card", pdf(), None)
    with pytest.raises(services.InvalidInput) as error:
        submit(reuse_document_ids=[theirs.pk], property_scope="P-3")
    assert error.value.field == "reuse_document_ids"


def test_expired_documents_are_not_reused(submit: Any, applicant_a: Any) -> None:
    doc = services.upload_document(applicant_a, "id_card", pdf(), d("2026-12-31"))
    Document.objects.filter(pk=doc.pk).update(valid_until=d("2026-11-01"))
    with pytest.raises(services.InvalidInput) as error:
        submit(reuse_document_ids=[doc.pk])
    assert "有效期" in error.value.message


# --- notification channels --------------------------------------------------------------------


def test_a_configured_email_channel_gets_an_outbox_row_delivered_after_commit(
    submit: Any,
    staff: Any,
    applicant_a: Any,
    settings: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.NOTIFICATION_CHANNELS = ["outbox", "email"]
    app = submit()
    with django_capture_on_commit_callbacks(execute=True):
        services.advance_stage(app, staff, "intake", app.version)
    email_row = Notification.objects.get(application=app, kind="stage_changed", channel="email")
    assert email_row.sent_at is not None and email_row.error == ""
    assert [m.to for m in mailoutbox] == [[applicant_a.email]]
    assert "供电方案答复" in mailoutbox[0].body


def test_a_failing_channel_keeps_the_row_with_its_error_and_the_change_stands(
    submit: Any, staff: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFICATION_CHANNELS = ["outbox", "sms"]  # no SMS gateway configured
    app = submit()
    with django_capture_on_commit_callbacks(execute=True):
        app = services.advance_stage(app, staff, "intake", app.version)
    sms = Notification.objects.get(application=app, kind="stage_changed", channel="sms")
    assert sms.sent_at is None and "gateway" in sms.error
    assert app.current_stage == "supply_scheme"
