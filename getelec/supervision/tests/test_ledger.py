"""Loading 附件2, progress reports and reviews, ledger states, scoping by unit."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from getelec.accounts.models import Organisation
from getelec.audit.models import AuditEvent
from getelec.connection.services import Conflict, InvalidInput, NotAllowed
from getelec.supervision import annex, rules, selectors, services
from getelec.supervision.models import LedgerAssignment, LedgerTask, ProgressReport

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def _ooxml(main_part: str) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", main_part: b"<x/>"})


@pytest.fixture
def ledger(orgs: dict[str, Organisation]) -> services.LoadResult:
    return services.load_ledger("test")


def assignment(number: int, org: Organisation) -> LedgerAssignment:
    return LedgerAssignment.objects.get(task__number=number, organisation=org)


class TestLoading:
    def test_all_53_rows_load_with_their_exact_text_and_deadlines(self, ledger: Any) -> None:
        rows = annex.read_ledger()
        tasks = list(LedgerTask.objects.order_by("number"))
        assert len(tasks) == 53
        for task, row in zip(tasks, rows, strict=True):
            assert (task.number, task.text, task.deadline_text) == (
                row.number,
                row.text,
                row.deadline_text,
            )
            assert task.due_on == annex.resolve_deadline(row.deadline_text)
            assert task.section == row.section

    def test_each_supply_company_reports_for_itself_on_every_row_for_all_companies(
        self, ledger: Any, orgs: dict[str, Organisation]
    ) -> None:
        rows = [r for r in annex.read_ledger() if annex.ALL_SUPPLY_COMPANIES in r.units]
        assert len(rows) == 43
        for company in (orgs["company_a"], orgs["company_b"]):
            numbers = set(
                LedgerAssignment.objects.filter(organisation=company).values_list(
                    "task__number", flat=True
                )
            )
            assert numbers == {r.number for r in rows}

    def test_units_map_to_one_organisation_each_creating_missing_ones(self, ledger: Any) -> None:
        task10 = LedgerTask.objects.get(number=10)
        names = set(task10.assignments.values_list("organisation__name", flat=True))
        assert names == {"住房和城乡建设厅", "自然资源厅", "水利厅", "交通运输厅", "公安厅"}
        assert Organisation.objects.get(name="自然资源厅").kind == Organisation.Kind.DEPARTMENT
        # A unit created from the text is typed by its name (the department type is required).
        assert dict(
            Organisation.objects.filter(name__in=names).values_list("name", "department_type")
        ) == {
            "住房和城乡建设厅": "housing",
            "自然资源厅": "natural_resources",
            "水利厅": "water",
            "交通运输厅": "transport",
            "公安厅": "public_security",
        }
        assert not Organisation.objects.filter(name="住房和城乡住建厅").exists()
        row9 = LedgerTask.objects.get(number=9).assignments.get(
            organisation__name="住房和城乡建设厅"
        )
        assert row9.unit_as_written == "住房和城乡住建厅"

    def test_loading_twice_changes_nothing_and_a_new_company_is_added_on_reload(
        self, ledger: Any, orgs: dict[str, Organisation]
    ) -> None:
        count = LedgerAssignment.objects.count()
        events = AuditEvent.objects.count()
        again = services.load_ledger("test")
        assert (again.tasks_created, again.assignments_created) == (0, 0)
        assert LedgerAssignment.objects.count() == count
        assert AuditEvent.objects.count() == events
        Organisation.objects.create(
            name="宁东供电公司",
            kind=Organisation.Kind.SUPPLY_COMPANY,
            region=orgs["company_a"].region,
        )
        assert services.load_ledger("test").assignments_created == 43

    def test_a_branch_of_a_supply_company_is_not_a_separate_unit(
        self, orgs: dict[str, Organisation]
    ) -> None:
        Organisation.objects.create(
            name="银川兴庆供电所",
            kind=Organisation.Kind.SUPPLY_COMPANY,
            region=orgs["company_a"].region,
            parent=orgs["company_a"],
        )
        services.load_ledger("test")
        assert not LedgerAssignment.objects.filter(organisation__name="银川兴庆供电所").exists()


@pytest.mark.usefixtures("frozen")
class TestReports:
    def test_a_unit_reports_on_its_own_row_and_the_report_is_audited(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        a = assignment(8, orgs["company_a"])
        upload = SimpleUploadedFile("进展.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        report = services.file_progress_report(
            users["staff_a"], a, 2026, 3, "已签订契约协议12份", attachments=[upload]
        )
        assert report.submitted_on == dt.date(2026, 11, 26)
        assert report.attachments.get().original_name == "进展.pdf"
        assert AuditEvent.objects.filter(action="supervision.file_progress_report").count() == 1

    def test_a_unit_cannot_report_on_another_units_row(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        with pytest.raises(NotAllowed):
            services.file_progress_report(
                users["staff_b"], assignment(8, orgs["company_a"]), 2026, 3, "x"
            )
        with pytest.raises(NotAllowed):
            services.file_progress_report(
                users["regulator_ndrc"], assignment(8, orgs["company_a"]), 2026, 3, "x"
            )

    @pytest.mark.parametrize(
        ("year", "quarter", "text", "progress", "field"),
        [
            (2026, 3, "  ", "in_progress", "text"),
            (2027, 1, "进展", "in_progress", "quarter"),
            (2026, 5, "进展", "in_progress", "quarter"),
            (2026, 3, "进展", "completed", "progress"),  # row 8 is ongoing
        ],
    )
    def test_bad_reports_are_refused_naming_the_field(
        self,
        ledger: Any,
        users: dict[str, Any],
        orgs: dict[str, Organisation],
        year: int,
        quarter: int,
        text: str,
        progress: str,
        field: str,
    ) -> None:
        with pytest.raises(InvalidInput) as exc:
            services.file_progress_report(
                users["staff_a"], assignment(8, orgs["company_a"]), year, quarter, text, progress
            )
        assert exc.value.field == field
        assert not ProgressReport.objects.exists()

    @pytest.mark.parametrize(
        ("name", "content", "declared"),
        [
            ("报告.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
            ("图.png", b"GIF89a\x01\x00", "image/png"),
            ("表.xlsx", b"PK\x03\x04 not a zip", XLSX),
            ("文档.docx", _zip({"a.txt": b"x"}), DOCX),  # a ZIP, but not a Word file
            ("空.pdf", b"", "application/pdf"),
        ],
    )
    def test_an_attachment_is_checked_by_its_content_not_its_declared_type(
        self,
        ledger: Any,
        users: dict[str, Any],
        orgs: dict[str, Organisation],
        name: str,
        content: bytes,
        declared: str,
    ) -> None:
        upload = SimpleUploadedFile(name, content, content_type=declared)
        with pytest.raises(InvalidInput) as exc:
            services.file_progress_report(
                users["staff_a"], assignment(8, orgs["company_a"]), 2026, 3, "进展",
                attachments=[upload],
            )  # fmt: skip
        assert exc.value.field == "attachments" and name in exc.value.message
        assert not ProgressReport.objects.exists()

    def test_attachments_are_stored_under_the_type_their_content_shows(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        uploads = [
            SimpleUploadedFile(
                "扫描件.pdf", b"\x89PNG\r\n\x1a\n....", content_type="application/pdf"
            ),
            SimpleUploadedFile("台账.xlsx", _ooxml("xl/workbook.xml"), content_type="text/html"),
            SimpleUploadedFile("说明.docx", _ooxml("word/document.xml"), content_type=""),
        ]
        report = services.file_progress_report(
            users["staff_a"], assignment(8, orgs["company_a"]), 2026, 3, "进展",
            attachments=uploads,
        )  # fmt: skip
        stored = {a.original_name: a for a in report.attachments.all()}
        assert {n: a.content_type for n, a in stored.items()} == {
            "扫描件.pdf": "image/png",
            "台账.xlsx": XLSX,
            "说明.docx": DOCX,
        }
        assert stored["台账.xlsx"].size == len(_ooxml("xl/workbook.xml"))
        with stored["说明.docx"].file.open("rb") as f:
            assert f.read() == _ooxml("word/document.xml")

    def test_an_attachment_of_the_wrong_type_saves_nothing(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        upload = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
        with pytest.raises(InvalidInput) as exc:
            services.file_progress_report(
                users["staff_a"],
                assignment(8, orgs["company_a"]),
                2026,
                3,
                "进展",
                attachments=[upload],
            )
        assert exc.value.field == "attachments"
        assert not ProgressReport.objects.exists()

    def test_only_one_report_per_quarter_awaits_review(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        a = assignment(8, orgs["company_a"])
        services.file_progress_report(users["staff_a"], a, 2026, 3, "第一次")
        with pytest.raises(Conflict):
            services.file_progress_report(users["staff_a"], a, 2026, 3, "第二次")

    def test_a_regulator_returns_with_a_comment_and_the_unit_resubmits(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        a = assignment(8, orgs["company_a"])
        first = services.file_progress_report(users["staff_a"], a, 2026, 3, "进展")
        with pytest.raises(InvalidInput) as exc:
            services.review_report(users["regulator_nea"], first, "returned", "")
        assert exc.value.field == "comment"
        services.review_report(users["regulator_nea"], first, "returned", "请补充签约数量")
        second = services.file_progress_report(users["staff_a"], a, 2026, 3, "已签约12份")
        services.review_report(users["regulator_nea"], second, "accepted")
        with pytest.raises(Conflict):
            services.review_report(users["regulator_ndrc"], second, "returned", "再看看")
        reviews = AuditEvent.objects.filter(action="supervision.review_report")
        assert reviews.count() == 2

    def test_a_regulator_does_not_review_its_own_organisations_report(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        report = services.file_progress_report(
            users["regulator_ndrc"], assignment(1, orgs["ndrc"]), 2026, 3, "协调会3次"
        )
        with pytest.raises(NotAllowed):
            services.review_report(users["regulator_ndrc"], report, "accepted")
        with pytest.raises(NotAllowed):
            services.review_report(users["staff_a"], report, "accepted")
        services.review_report(users["regulator_nea"], report, "accepted")

    def test_an_accepted_completion_report_marks_a_dated_unit_done(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        a = assignment(13, orgs["company_a"])  # 2026年底前
        report = services.file_progress_report(
            users["staff_a"], a, 2026, 4, "档案数字化完成", "completed"
        )
        services.review_report(users["regulator_ndrc"], report, "accepted")
        a.refresh_from_db()
        assert a.done_on == dt.date(2026, 11, 26)
        (status,) = selectors.ledger_status(
            users["staff_a"], tasks=LedgerTask.objects.filter(number=13)
        )
        assert status.state == rules.LedgerState.DONE


@pytest.mark.usefixtures("frozen")
class TestStatesAndScope:
    def test_ongoing_rows_without_accepted_q3_reports_are_overdue(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        statuses = {s.task.number: s for s in selectors.ledger_status(users["regulator_ndrc"])}
        assert statuses[8].state == rules.LedgerState.OVERDUE
        unit = next(u for u in statuses[8].units if u.assignment.organisation == orgs["company_a"])
        assert [str(q.quarter) for q in unit.overdue_quarters] == ["2026Q1", "2026Q2", "2026Q3"]
        # 2025年底前 rows nobody completed are overdue; 2027年底前 is still in progress.
        assert statuses[2].state == rules.LedgerState.OVERDUE
        assert statuses[21].state == rules.LedgerState.IN_PROGRESS

    def test_a_row_for_all_companies_is_done_only_when_every_company_is(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        report = services.file_progress_report(
            users["staff_a"], assignment(13, orgs["company_a"]), 2026, 4, "完成", "completed"
        )
        services.review_report(users["regulator_ndrc"], report, "accepted")
        (row,) = selectors.ledger_status(
            users["regulator_ndrc"], tasks=LedgerTask.objects.filter(number=13)
        )
        assert row.state == rules.LedgerState.IN_PROGRESS  # company B not done yet
        report = services.file_progress_report(
            users["staff_b"], assignment(13, orgs["company_b"]), 2026, 4, "完成", "completed"
        )
        services.review_report(users["regulator_ndrc"], report, "accepted")
        (row,) = selectors.ledger_status(
            users["regulator_ndrc"], tasks=LedgerTask.objects.filter(number=13)
        )
        assert row.state == rules.LedgerState.DONE

    @pytest.mark.parametrize(
        ("who", "visible"),
        [
            ("regulator_ndrc", 53),
            ("regulator_nea", 53),
            ("admin", 53),
            ("staff_a", 43),
            ("department", 5),  # 住房和城乡建设厅: rows 9, 10, 41, 42, 44
            ("applicant", 0),
        ],
    )
    def test_regulators_see_every_row_and_a_unit_only_its_own(
        self, ledger: Any, users: dict[str, Any], who: str, visible: int
    ) -> None:
        assert selectors.ledger_tasks_for(users[who]).count() == visible

    def test_a_unit_sees_only_its_own_units_on_a_shared_row(
        self, ledger: Any, users: dict[str, Any], orgs: dict[str, Organisation]
    ) -> None:
        (row,) = selectors.ledger_status(
            users["staff_a"], tasks=LedgerTask.objects.filter(number=4)
        )
        assert [u.assignment.organisation for u in row.units] == [orgs["company_a"]]
