"""A fresh `getelec demo` gives every desk content: the regulator's desk (delay filings in every
state, a month already submitted, ledger reports accepted / returned / missing), the supply-quality
desk and the connection desks, seen by logging in as each demo account.

The whole demo is loaded once for the class (about 20 s), with the clock frozen on 26 November 2026.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import time_machine
from django.test import Client, TestCase, override_settings

from getelec.accounts.models import Organisation, User
from getelec.demo.accounts import DEMO_ACCOUNTS
from getelec.demo.loader import load_demo
from getelec.outages.models import EntryStatus, LedgerEntry
from getelec.supervision import rules, selectors
from getelec.supervision.models import (
    DelayFiling,
    LedgerAssignment,
    LedgerTask,
    MonthlyBatch,
    ProgressReport,
)

TODAY = dt.date(2026, 11, 26)
LAST_MONTH = dt.date(2026, 10, 1)
FROZEN = "2026-11-26 10:00 +0800"
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# What a page says when its list is empty (the templates' {% empty %} texts).
EMPTY_STATES = [
    "暂无备案",
    "暂无数据",
    "暂无需要报送的月份",
    "没有任务。",
    "没有台账条目。",
    "没有抢修工单。",
    "没有计划停电。",
    "暂无预警。",
    "没有办电申请。",
    "没有符合条件的待办申请。",
    "没有符合条件的申请。",
    "没有符合条件的线路或台区。",
    "没有未销号条目。",
    "期间内没有申请",
]
REGULATOR_PAGES = [
    "/regulator/",
    "/supervision/",
    "/supervision/dashboard/",
    "/supervision/ledger/",
    "/supervision/filings/",
    "/supervision/batches/",
    "/quality/",
    "/quality/ledger/",
    "/quality/regulator/",
    "/quality/dashboard/",
    "/quality/planned/",
    "/quality/repairs/",
]
# A page that is a summary (no table of its own) shows a count > 0 instead: url → pattern.
SUMMARY_PAGES = {
    "/": r"办电进度查询",
    "/supervision/": r"(可见任务\s*[1-9]|超过承诺日期未接电\s*[1-9])",
    "/quality/my/": r"电能表 M\d+.*工单 QX\d+",
}


@time_machine.travel(FROZEN, tick=False)
class DesksHaveContentTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with time_machine.travel(FROZEN, tick=False), override_settings(PASSWORD_HASHERS=MD5):
            cls.report = load_demo(out=io.StringIO())

    # --- helpers ------------------------------------------------------------------------------

    def client_for(self, username: str | None) -> Client:
        client = Client()
        if username is not None:
            client.force_login(User.objects.get(username=username))
        return client

    def assert_has_content(self, username: str | None, url: str) -> None:
        response = self.client_for(username).get(url, follow=True)
        who = username or "anonymous"
        assert response.status_code == 200, (who, url, response.status_code)
        body = response.content.decode()
        found = re.search(r"<main.*?</main>", body, re.S)
        assert found, (who, url, "no <main>")
        main = found.group(0)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))
        empty = [m for m in EMPTY_STATES if m in text]
        assert not empty, (who, url, empty)
        path = response.request["PATH_INFO"]
        if path in SUMMARY_PAGES:
            assert re.search(SUMMARY_PAGES[path], text), (who, url, text[:300])
        else:
            data_cells = re.findall(r"<td(?![^>]*colspan)[^>]*>\s*[^<\s]", main)
            assert data_cells, (who, url, "no data row", text[:300])

    def assert_pages(self, username: str | None, urls: list[str]) -> None:
        for url in urls:
            with self.subTest(user=username, url=url):
                self.assert_has_content(username, url)

    # --- what the desks hold -----------------------------------------------------------------

    def test_filings_exist_in_every_state_in_two_companies(self):
        regulator = User.objects.get(username="demo-regulator-drc")
        states: Counter[tuple[int, str]] = Counter()
        for filing in DelayFiling.objects.all():
            if filing.is_draft:
                states[(filing.company_id, "draft")] += 1
            elif filing.revisions.count() > 1:
                states[(filing.company_id, "revised")] += 1
            else:
                states[(filing.company_id, "submitted")] += 1
        follow_ups = Counter(f.filing.company_id for f in selectors.follow_ups(regulator, TODAY))
        complete = [
            company
            for company in {c for c, _ in states}
            if all(states[(company, s)] for s in ("draft", "submitted", "revised"))
            and follow_ups[company]
        ]
        assert len(complete) >= 2, (states, follow_ups)

    def test_last_month_is_submitted_on_time_and_another_company_is_flagged(self):
        batch = MonthlyBatch.objects.get(month=LAST_MONTH)
        assert batch.rows and not batch.late
        assert batch.submitted_on < TODAY
        regulator = User.objects.get(username="demo-regulator-drc")
        flags = {
            (f.company.pk, f.state)
            for f in selectors.batch_flags(regulator, TODAY)
            if f.month == LAST_MONTH
        }
        assert (batch.company_id, "submitted") in flags
        assert any(state == "missing" for _, state in flags)
        assert batch.recipients.count() == 2
        assert {o.name for o in batch.recipients.all()} == {
            "宁夏回族自治区发展和改革委员会",
            "国家能源局西北监管局",
        }

    def test_ledger_reports_are_accepted_returned_pending_and_missing(self):
        reviews = Counter(ProgressReport.objects.values_list("review", flat=True))
        assert set(reviews) == {"accepted", "returned", "pending"}
        regulator = User.objects.get(username="demo-regulator-drc")
        states = Counter(s.state for s in selectors.ledger_status(regulator))
        assert states[rules.LedgerState.OVERDUE] > 0  # rows with reports missing
        assert LedgerTask.objects.count() == 53

    def test_every_ledger_unit_is_one_organisation_of_the_reference_data(self):
        names = set(LedgerAssignment.objects.values_list("organisation__name", flat=True))
        assert names == {
            "宁夏回族自治区发展和改革委员会",
            "国家能源局西北监管局",
            "宁夏回族自治区住房和城乡建设厅",
            "宁夏回族自治区自然资源厅",
            "宁夏回族自治区水利厅",
            "宁夏回族自治区交通运输厅",
            "宁夏回族自治区公安厅",
            "国网宁夏电力有限公司",
        }
        # 18 from the reference data, 3 demo enterprises.
        assert Organisation.objects.count() == 21

    def test_the_quality_ledger_has_entries_in_every_state(self):
        statuses = set(LedgerEntry.objects.values_list("status", flat=True))
        assert statuses == set(EntryStatus.values)

    def test_every_demo_account_is_printed(self):
        for spec in DEMO_ACCOUNTS:
            assert spec.username in self.report

    # --- what each account sees --------------------------------------------------------------

    def test_applicants_see_their_applications(self):
        for username in ("demo-applicant", "demo-enterprise"):
            self.assert_pages(username, ["/", "/my/"])
        self.assert_pages("demo-applicant", ["/quality/my/"])

    def test_every_city_branch_sees_its_queue(self):
        for spec in DEMO_ACCOUNTS:
            if spec.username.startswith("demo-staff-") and spec.username != "demo-staff-ningxia":
                self.assert_pages(spec.username, ["/", "/queue/"])

    def test_companies_with_filings_see_their_filings_and_batches(self):
        for username in ("demo-staff-yinchuan", "demo-staff-wuzhong"):
            self.assert_pages(
                username, ["/supervision/", "/supervision/filings/", "/supervision/batches/"]
            )

    def test_the_provincial_company_sees_its_ledger_rows(self):
        self.assert_pages("demo-staff-ningxia", ["/", "/supervision/", "/supervision/ledger/"])

    def test_a_supply_company_sees_its_quality_desk(self):
        self.assert_pages(
            "demo-staff-yinchuan",
            [
                "/quality/",
                "/quality/ledger/",
                "/quality/warnings/",
                "/quality/planned/",
                "/quality/repairs/",
                "/quality/dashboard/",
            ],
        )

    def test_regulators_and_the_admin_see_every_desk(self):
        for username in ("demo-regulator-drc", "demo-regulator-nea", "demo-admin"):
            self.assert_pages(username, ["/", *REGULATOR_PAGES])

    def test_the_department_sees_its_ledger_rows(self):
        self.assert_pages("demo-department", ["/", "/supervision/", "/supervision/ledger/"])

    def test_the_public_sees_the_disclosure_page(self):
        self.assert_pages(None, ["/", "/quality/disclosure/"])
