"""Delay filings (form A1): lifecycle, revisions, monthly batches, unfiled-overdue detection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from getelec.accounts.models import Organisation
from getelec.audit.models import AuditEvent
from getelec.connection.models import Status
from getelec.connection.services import Conflict, InvalidInput, NotAllowed
from getelec.supervision import rules, selectors, services
from getelec.supervision.models import DelayFiling, FilingRevision, MonthlyBatch
from getelec.supervision.services import FilingInput

pytestmark = pytest.mark.usefixtures("frozen")
D = dt.date


def form(**overrides: Any) -> FilingInput:
    values: dict[str, Any] = {
        "project_name": "测试商贸有限公司用电报装",
        "cause": "public_grid_upgrade",
        "cause_detail": "需新建10千伏线路并更换配电变压器，工期超过15个工作日",
        "upgrade_project": "10千伏解放线改造工程",
        "committed_on": D(2026, 12, 15),
        "measures": "同步建设配套电网；临时电源过渡",
        "customer_informed_on": D(2026, 9, 11),
        "customer_informed_how": "书面告知书",
        "contact": "张工 0951-1234567",
    }
    values.update(overrides)
    return FilingInput(**values)


def filed(users: dict[str, Any], app: Any, on: str, **overrides: Any) -> DelayFiling:
    """Create and submit a filing as it stood on day `on`."""
    with time_machine.travel(f"{on} 10:00 +0800", tick=False):
        filing = services.create_filing(users["staff_a"], app, form(**overrides))
        return services.submit_filing(users["staff_a"], filing, filing.version)


class TestLifecycle:
    def test_draft_then_submitted_then_revised_keeps_every_revision(
        self, users: dict[str, Any], blocked: Any
    ) -> None:
        app = blocked(due_on=D(2026, 12, 1))
        filing = services.create_filing(users["staff_a"], app, form())
        assert filing.is_draft and filing.revisions.count() == 1
        filing = services.update_draft_filing(
            users["staff_a"], filing, form(measures="同步建设配套电网"), filing.version
        )
        filing = services.submit_filing(users["staff_a"], filing, filing.version)
        assert (filing.submitted_on, filing.late) == (D(2026, 11, 26), False)
        assert filing.first_committed_on == D(2026, 12, 15)
        with pytest.raises(Conflict):
            services.update_draft_filing(
                users["staff_a"], filing, form(measures="改"), filing.version
            )
        revision = services.revise_filing(
            users["staff_a"],
            filing,
            form(committed_on=D(2027, 1, 20)),
            "线路路径调整，审批延后",
            filing.version,
        )
        assert revision.number == 2 and revision.submitted_on == D(2026, 11, 26)
        first = FilingRevision.objects.get(filing=filing, number=1)
        assert (first.committed_on, first.measures) == (D(2026, 12, 15), "同步建设配套电网")
        actions = list(
            AuditEvent.objects.filter(object_type="supervision.delayfiling")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == [
            "supervision.create_filing",
            "supervision.update_draft_filing",
            "supervision.submit_filing",
            "supervision.revise_filing",
        ]

    def test_a_revision_needs_a_reason(self, users: dict[str, Any], blocked: Any) -> None:
        filing = filed(users, blocked(due_on=D(2026, 12, 1)), "2026-11-20")
        with pytest.raises(InvalidInput) as exc:
            services.revise_filing(users["staff_a"], filing, form(), " ", filing.version)
        assert exc.value.field == "reason"
        assert filing.revisions.count() == 1

    def test_a_stale_version_is_a_conflict(self, users: dict[str, Any], blocked: Any) -> None:
        filing = services.create_filing(users["staff_a"], blocked(), form())
        services.update_draft_filing(users["staff_a"], filing, form(), filing.version)
        with pytest.raises(Conflict):
            services.submit_filing(users["staff_a"], filing, filing.version)

    def test_only_a_blocked_low_voltage_application_is_filed(
        self, users: dict[str, Any], make_application: Any, blocked: Any
    ) -> None:
        with pytest.raises(InvalidInput, match="尚未标记"):
            services.create_filing(users["staff_a"], make_application(), form())
        hv = blocked(voltage="high", category="hv_single", time_limit_wd=22)
        with pytest.raises(InvalidInput, match="低压"):
            services.create_filing(users["staff_a"], hv, form())
        app = blocked()
        services.create_filing(users["staff_a"], app, form())
        with pytest.raises(Conflict):
            services.create_filing(users["staff_a"], app, form())

    def test_only_the_applications_own_company_files(
        self, users: dict[str, Any], blocked: Any
    ) -> None:
        app = blocked()
        for who in ("staff_b", "regulator_ndrc", "applicant"):
            with pytest.raises(NotAllowed):
                services.create_filing(users[who], app, form())
        assert not DelayFiling.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"cause": "weather"}, "cause"),
            ({"cause_detail": ""}, "cause_detail"),
            ({"upgrade_project": " "}, "upgrade_project"),
            ({"committed_on": None}, "committed_on"),
            ({"committed_on": D(2026, 8, 1)}, "committed_on"),
            ({"measures": ""}, "measures"),
            ({"customer_informed_on": D(2026, 12, 1)}, "customer_informed_on"),
            ({"customer_informed_on": D(2026, 8, 1)}, "customer_informed_on"),
            ({"customer_informed_how": ""}, "customer_informed_how"),
            ({"contact": ""}, "contact"),
        ],
    )
    def test_bad_input_names_the_field_and_saves_nothing(
        self, users: dict[str, Any], blocked: Any, overrides: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(InvalidInput) as exc:
            services.create_filing(users["staff_a"], blocked(), form(**overrides))
        assert exc.value.field == field
        assert not DelayFiling.objects.exists()

    def test_a_filing_after_the_statutory_due_date_is_late_and_must_say_why(
        self, users: dict[str, Any], blocked: Any
    ) -> None:
        app = blocked(due_on=D(2026, 11, 20))
        filing = services.create_filing(users["staff_a"], app, form())
        with pytest.raises(InvalidInput) as exc:
            services.submit_filing(users["staff_a"], filing, filing.version)
        assert exc.value.field == "late_reason"
        filing = services.update_draft_filing(
            users["staff_a"],
            filing,
            form(late_reason="审批部门答复延迟，未及时识别"),
            filing.version,
        )
        filing = services.submit_filing(users["staff_a"], filing, filing.version)
        assert filing.late


class TestOutcomes:
    @pytest.mark.parametrize(
        ("committed", "completed", "status", "outcome"),
        [
            (D(2026, 12, 15), None, Status.IN_PROGRESS, rules.FilingOutcome.OPEN),
            (D(2026, 11, 20), None, Status.IN_PROGRESS, rules.FilingOutcome.FOLLOW_UP),
            (D(2026, 11, 20), D(2026, 11, 20), Status.COMPLETED, rules.FilingOutcome.KEPT),
            (D(2026, 11, 20), D(2026, 11, 23), Status.COMPLETED, rules.FilingOutcome.MISSED),
            (D(2026, 11, 20), None, Status.CANCELLED, rules.FilingOutcome.CANCELLED),
        ],
    )
    def test_a_filing_is_judged_against_its_committed_date(
        self,
        users: dict[str, Any],
        blocked: Any,
        committed: dt.date,
        completed: dt.date | None,
        status: str,
        outcome: rules.FilingOutcome,
    ) -> None:
        app = blocked(due_on=D(2026, 12, 1))
        filing = filed(
            users, app, "2026-10-10", committed_on=committed, customer_informed_on=D(2026, 9, 11)
        )
        app.completed_on, app.status = completed, status
        app.save()
        filing.refresh_from_db()
        assert selectors.filing_outcome(filing, D(2026, 11, 26)) == outcome
        follow = [f.filing for f in selectors.follow_ups(users["regulator_ndrc"])]
        assert (filing in follow) == (outcome == rules.FilingOutcome.FOLLOW_UP)

    def test_postponing_the_committed_date_does_not_turn_a_miss_into_a_keep(
        self, users: dict[str, Any], blocked: Any
    ) -> None:
        app = blocked(due_on=D(2026, 12, 1))
        filing = filed(users, app, "2026-10-10", committed_on=D(2026, 11, 10))
        services.revise_filing(
            users["staff_a"], filing, form(committed_on=D(2026, 12, 10)), "工程延期", filing.version
        )
        app.completed_on, app.status = D(2026, 11, 25), Status.COMPLETED
        app.save()
        filing.refresh_from_db()
        assert selectors.filing_outcome(filing, D(2026, 11, 26)) == rules.FilingOutcome.MISSED


class TestUnfiledOverdue:
    def test_overdue_lv_applications_without_a_timely_filing_are_flagged(
        self, users: dict[str, Any], make_application: Any, blocked: Any, orgs: Any
    ) -> None:
        unfiled = make_application(due_on=D(2026, 11, 2))
        late_completed = make_application(
            due_on=D(2026, 10, 2), completed_on=D(2026, 10, 9), status=Status.COMPLETED
        )
        filed_in_time = blocked(due_on=D(2026, 11, 20))
        filed(users, filed_in_time, "2026-11-02")
        filed_late = blocked(due_on=D(2026, 11, 2))
        filed(users, filed_late, "2026-11-10", late_reason="迟报说明")
        on_time = make_application(
            due_on=D(2026, 10, 2), completed_on=D(2026, 10, 1), status=Status.COMPLETED
        )
        not_yet_due = make_application(due_on=D(2026, 12, 2))
        hv = make_application(due_on=D(2026, 11, 2), voltage="high", category="hv_single")
        found = {
            u.application.number: u.kind for u in selectors.unfiled_overdue(users["regulator_ndrc"])
        }
        assert found == {
            unfiled.number: "unfiled",
            late_completed.number: "unfiled",
            filed_late.number: "filed_late",
        }
        for app in (filed_in_time, on_time, not_yet_due, hv):
            assert app.number not in found
        (summary,) = selectors.filing_summary(users["regulator_ndrc"])
        assert (summary.company, summary.filed, summary.late_filed, summary.unfiled_overdue) == (
            orgs["company_a"],
            2,
            1,
            3,
        )

    def test_a_company_sees_only_its_own_flags(
        self, users: dict[str, Any], make_application: Any, orgs: Any
    ) -> None:
        make_application(due_on=D(2026, 11, 2))
        make_application(due_on=D(2026, 11, 2), company=orgs["company_b"])
        assert len(selectors.unfiled_overdue(users["staff_a"])) == 1
        assert len(selectors.unfiled_overdue(users["regulator_nea"])) == 2


class TestMonthlyBatch:
    def test_the_batch_holds_new_and_revised_filings_and_every_open_one(
        self, users: dict[str, Any], blocked: Any, orgs: Any
    ) -> None:
        carried = filed(users, blocked(due_on=D(2026, 10, 20)), "2026-09-15")
        new = filed(users, blocked(due_on=D(2026, 11, 20)), "2026-10-12")
        revised = filed(users, blocked(due_on=D(2026, 10, 20)), "2026-09-16")
        with time_machine.travel("2026-10-20 10:00 +0800", tick=False):
            services.revise_filing(
                users["staff_a"],
                revised,
                form(committed_on=D(2027, 1, 5)),
                "工程延期",
                revised.version,
            )
        closed_app = blocked(due_on=D(2026, 10, 20))
        closed = filed(users, closed_app, "2026-09-17")
        closed_app.completed_on, closed_app.status = D(2026, 9, 30), Status.COMPLETED
        closed_app.save()
        draft = services.create_filing(users["staff_a"], blocked(), form())
        app_b = blocked(company=orgs["company_b"], due_on=D(2026, 12, 20))
        other = services.create_filing(users["staff_b"], app_b, form())
        services.submit_filing(users["staff_b"], other, other.version)
        preview = selectors.batch_preview(orgs["company_a"], D(2026, 10, 1), D(2026, 11, 26))
        rows = {r["filing_id"]: r for r in preview.rows}
        assert set(rows) == {carried.pk, new.pk, revised.pk}
        assert (rows[carried.pk]["change"], rows[new.pk]["change"], rows[revised.pk]["change"]) == (
            "open",
            "new",
            "revised",
        )
        assert rows[revised.pk]["revision"] == 2 and rows[revised.pk]["reason"] == "工程延期"
        assert closed.pk not in rows and draft.pk not in rows
        assert preview.deadline.on == D(2026, 11, 6)
        assert preview.regions == ["640100", "640104"]  # who may read it; nobody is copied
        assert other.pk not in rows

    def test_submitting_freezes_the_contents_and_names_recipients(
        self, users: dict[str, Any], blocked: Any, orgs: Any
    ) -> None:
        filing = filed(users, blocked(due_on=D(2026, 11, 20)), "2026-10-12")
        with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
            batch = services.submit_batch(users["staff_a"], orgs["company_a"], D(2026, 10, 1))
        assert (batch.due_on, batch.late) == (D(2026, 11, 6), False)
        assert {o.name for o in batch.recipients.all()} == {
            "自治区发展改革委",
            "国家能源局西北监管局",
        }
        # T2 names the two region regulators; L4's 地方能源(电力)主管部门 is, in Ningxia,
        # 自治区发展改革委: the city energy authority reads the batch but does not receive it.
        assert not batch.recipients.filter(kind=Organisation.Kind.ENERGY_AUTHORITY).exists()
        assert sorted(r.code for r in batch.regions.all()) == ["640100", "640104"]
        services.revise_filing(
            users["staff_a"], filing, form(committed_on=D(2027, 2, 1)), "再延期", filing.version
        )
        batch.refresh_from_db()
        assert batch.rows[0]["committed_on"] == "2026-12-15"  # as submitted
        again = services.submit_batch(users["staff_a"], orgs["company_a"], D(2026, 10, 1))
        assert again.pk == batch.pk and MonthlyBatch.objects.count() == 1
        assert AuditEvent.objects.filter(action="supervision.submit_batch").count() == 1

    def test_a_month_not_ended_cannot_be_submitted_and_others_cannot_submit(
        self, users: dict[str, Any], blocked: Any, orgs: Any
    ) -> None:
        filed(users, blocked(due_on=D(2026, 11, 20)), "2026-11-12")
        with pytest.raises(InvalidInput) as exc:
            services.submit_batch(users["staff_a"], orgs["company_a"], D(2026, 11, 1))
        assert exc.value.field == "month"
        with pytest.raises(NotAllowed):
            services.submit_batch(users["staff_b"], orgs["company_a"], D(2026, 10, 1))
        with pytest.raises(NotAllowed):
            services.submit_batch(users["regulator_ndrc"], orgs["company_a"], D(2026, 10, 1))

    def test_late_and_missing_batches_are_flagged(
        self, users: dict[str, Any], blocked: Any, orgs: Any
    ) -> None:
        filed(users, blocked(due_on=D(2026, 12, 20)), "2026-09-15")
        with time_machine.travel("2026-10-20 10:00 +0800", tick=False):  # due 13 Oct
            late = services.submit_batch(users["staff_a"], orgs["company_a"], D(2026, 9, 1))
        assert late.late
        flags = {f.month: f.state for f in selectors.batch_flags(users["regulator_ndrc"])}
        assert flags == {D(2026, 9, 1): "late", D(2026, 10, 1): "missing"}
        assert {f.month: f.state for f in selectors.batch_flags(users["staff_b"])} == {}
        with time_machine.travel("2026-11-04 10:00 +0800", tick=False):
            flags = {f.month: f.state for f in selectors.batch_flags(users["staff_a"])}
        assert flags[D(2026, 10, 1)] == "due"

    def test_batches_are_visible_to_the_company_the_regulators_and_the_city_authority(
        self, users: dict[str, Any], blocked: Any, orgs: Any
    ) -> None:
        filed(users, blocked(due_on=D(2026, 11, 20)), "2026-10-12")
        batch = services.submit_batch(users["staff_a"], orgs["company_a"], D(2026, 10, 1))
        for who, sees in [
            ("staff_a", True),
            ("staff_b", False),
            ("regulator_ndrc", True),
            ("regulator_nea", True),
            ("energy_yinchuan", True),
            ("department", False),
            ("applicant", False),
        ]:
            assert selectors.batches_for(users[who]).filter(pk=batch.pk).exists() == sees, who


def _cover_due(batch: MonthlyBatch) -> Any:
    from io import BytesIO

    from openpyxl import load_workbook

    from getelec.supervision import exports

    cover = load_workbook(BytesIO(exports.batch_xlsx(batch))).worksheets[0]
    return next(row[1] for row in cover.iter_rows(values_only=True) if row[0] == "报送截止日")


def test_a_batch_pending_on_next_years_calendar_names_the_year_then_gets_its_date(
    users: dict[str, Any], blocked: Any, orgs: Any
) -> None:
    # The December batch is due on the 5th working day of January: pending while 2027 is not
    # loaded. The workbook said "待下一年度…" (its own text, no year); it now shows the one
    # pending text, and the date once the year is imported (as the batch list already did).
    from getelec.core.workdays import YearSchedule
    from getelec.workcalendar.services import import_year

    filed(users, blocked(due_on=D(2026, 12, 20)), "2026-12-10")
    with time_machine.travel("2027-01-04 10:00 +0800", tick=False):
        batch = services.submit_batch(users["staff_a"], orgs["company_a"], D(2026, 12, 1))
    assert batch.due_on is None
    assert _cover_due(batch) == "待2027年节假日安排导入后计算"
    holidays = frozenset({D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)})
    assert import_year(YearSchedule(2027, holidays, frozenset()), users["admin"], "test")
    with time_machine.travel("2027-01-11 10:00 +0800", tick=False):
        flags = {f.month: f.deadline for f in selectors.batch_flags(users["regulator_ndrc"])}
    assert flags[D(2026, 12, 1)].on == D(2027, 1, 8)  # 1/4–1/8: the 5th working day
    assert _cover_due(batch) == "2027-01-08"


def test_a_pending_batch_deadline_uses_the_parameter_the_preview_used(
    users: dict[str, Any], blocked: Any, orgs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two copies computed a month's batch deadline: the preview (and the stored date) with the
    # parameter in force at the month's end, the batch list with the one at its start. They
    # disagreed when the parameter changed within the month; the month's end is right (the
    # batch covers the month up to its last day). Both now use month_batch_deadline.
    real = selectors.batches.param

    def changed_mid_month(name: str, on: dt.date | None = None) -> Any:
        value = real(name, on)
        if name == "filing_batch_due_wd" and on is not None and on >= D(2026, 11, 15):
            return type(value)(**{**value.__dict__, "value": 3})
        return value

    monkeypatch.setattr(selectors.batches, "param", changed_mid_month)
    filed(users, blocked(due_on=D(2026, 12, 20)), "2026-11-10")
    preview = selectors.batch_preview(orgs["company_a"], D(2026, 11, 1), D(2026, 12, 1))
    stored_pending = MonthlyBatch(company=orgs["company_a"], month=D(2026, 11, 1), due_on=None)
    assert preview.deadline.on == D(2026, 12, 3)  # the 3rd working day, not the 5th (12/7)
    assert selectors.batch_deadline_of(stored_pending) == preview.deadline
