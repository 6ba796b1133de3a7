"""`getelec demo`: accounts per role, ~200 applications covering every category, stage and
status through the services, and idempotence. The demo is loaded once per class (rolled back
after it) with the clock frozen on 26 November 2026."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import time_machine
from django.test import TestCase, override_settings
from stdnum.cn import ric, uscc

from getelec.accounts.models import Organisation, User
from getelec.audit.models import AuditEvent
from getelec.connection.models import (
    OPEN_STATUSES,
    Application,
    Pause,
    PauseReason,
    StageRecord,
    Status,
)
from getelec.core.assess import CATEGORIES
from getelec.core.policy import default_policy
from getelec.demo.accounts import DEMO_ACCOUNTS
from getelec.demo.loader import load_demo
from getelec.demo.sample import SAMPLE_KEY_PREFIX, TARGET

TODAY = dt.date(2026, 11, 26)
FROZEN = "2026-11-26 10:00 +0800"
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def stages_by_category() -> dict[str, set[str]]:
    """Each category's stages, read from the policy data (not restated here)."""
    policy = default_policy()

    def names(parameter: str) -> set[str]:
        return {s.stage for s in policy.value(parameter, TODAY, "640100")}

    three_zero = names("stages_lv_three_zero_no_works") | names("stages_lv_three_zero_with_works")
    return {
        "lv_residential": three_zero,
        "lv_three_zero": three_zero,
        "lv_non_residential": names("stages_lv_non_three_zero"),
        "lv_ev_charging": names("stages_lv_charging"),
        "lv_ebike_charging": names("stages_lv_charging"),
        "hv_single": names("stages_hv_single"),
        "hv_dual": names("stages_hv_dual"),
    }


@time_machine.travel(FROZEN, tick=False)
class DemoSampleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # The same fast hasher the suite's autouse fixture sets for each test (conftest.py).
        with time_machine.travel(FROZEN, tick=False), override_settings(PASSWORD_HASHERS=MD5):
            cls.report = load_demo(out=io.StringIO())
        cls.sample = Application.objects.filter(submission_key__startswith=SAMPLE_KEY_PREFIX)

    def test_it_creates_about_two_hundred_applications(self):
        assert self.sample.count() == TARGET

    def test_every_category_has_an_open_application_at_every_one_of_its_stages(self):
        seen = set(
            self.sample.filter(status=Status.IN_PROGRESS).values_list("category", "current_stage")
        )
        for category, stages in stages_by_category().items():
            missing = {s for s in stages if (category, s) not in seen}
            assert not missing, f"{category}: no open application at {sorted(missing)}"

    def test_every_category_has_completed_and_cancelled_applications(self):
        seen = set(self.sample.values_list("category", "status"))
        for category in CATEGORIES:
            assert (category, Status.COMPLETED) in seen, category
            assert (category, Status.CANCELLED) in seen, category

    def test_every_status_occurs(self):
        assert set(self.sample.values_list("status", flat=True)) == set(Status.values)

    def test_paused_applications_show_every_customer_side_reason(self):
        open_pauses = Pause.objects.filter(application__in=self.sample, ended_on__isnull=True)
        assert set(open_pauses.values_list("reason", flat=True)) == set(PauseReason.values)
        paused = self.sample.filter(status=Status.PAUSED)
        assert paused.count() >= 8
        assert all(a.pauses.filter(ended_on__isnull=True).exists() for a in paused)

    def test_some_customer_pauses_were_resumed_and_shift_the_due_date(self):
        resumed = Pause.objects.filter(
            application__in=self.sample, ended_on__isnull=False, paused_wd__gt=0
        ).exclude(reason=PauseReason.AWAITING_CONSENT)
        assert resumed.count() >= 5
        assert all(p.application.paused_wd >= p.paused_wd for p in resumed)

    def test_some_open_applications_are_overdue(self):
        overdue = self.sample.filter(status__in=OPEN_STATUSES, due_on__lt=TODAY)
        assert overdue.count() >= 10

    def test_grid_upgrade_marks_carry_a_cause_and_a_committed_date_after_today(self):
        marked = self.sample.exclude(grid_upgrade_cause="")
        assert marked.count() >= 3
        for app in marked:
            assert app.grid_upgrade_committed_on >= TODAY
            assert app.customer_informed_on is not None

    def test_high_voltage_requests_eligible_at_low_voltage_await_or_record_consent(self):
        consent = self.sample.filter(informed_consent_required=True)
        waiting = consent.filter(status=Status.AWAITING_CONSENT)
        signed = consent.filter(informed_consent_at__isnull=False)
        assert waiting.count() >= 3
        assert signed.count() >= 2

    def test_key_projects_of_both_levels_and_contracted_dates_exist(self):
        levels = set(self.sample.exclude(key_project="").values_list("key_project", flat=True))
        assert levels == {"national", "provincial"}
        assert self.sample.filter(contracted_on__isnull=False).count() >= 3

    def test_due_dates_falling_in_2027_are_pending_on_that_calendar(self):
        pending = self.sample.filter(due_pending_year=2027)
        assert pending.count() >= 1
        assert not pending.filter(due_on__isnull=False).exists()

    def test_application_dates_spread_over_2026(self):
        dates = list(self.sample.values_list("applied_on", flat=True))
        assert {d.year for d in dates} == {2026}
        assert len({d.month for d in dates}) >= 8
        assert max(dates) <= TODAY

    def test_every_id_number_carries_a_valid_checksum(self):
        for customer_type, number in self.sample.values_list("customer_type", "id_number"):
            valid = ric.is_valid if customer_type == "residential" else uscc.is_valid
            assert valid(number), (customer_type, number)

    def test_history_was_written_by_the_services_on_its_own_dates(self):
        submitted = AuditEvent.objects.filter(action="connection.submit_application")
        assert submitted.count() == TARGET
        advanced = AuditEvent.objects.filter(action="connection.advance_stage")
        assert advanced.filter(at__date__lt=dt.date(2026, 10, 1)).exists()
        done = StageRecord.objects.filter(application__in=self.sample, completed_at__isnull=False)
        assert done.count() == advanced.count()
        assert not done.filter(completed_by__isnull=True).exists()

    def test_every_role_has_a_demo_account_whose_printed_password_works(self):
        for spec in DEMO_ACCOUNTS:
            user = User.objects.get(username=spec.username)
            assert user.role == spec.role
            assert user.check_password(spec.password), spec.username
            assert spec.username in self.report and spec.password in self.report
        roles = Counter(spec.role for spec in DEMO_ACCOUNTS)
        # Two customers, and one account in each demo enterprise (property manager, developer,
        # energy-service company).
        assert roles[User.Role.APPLICANT] == 5
        enterprise_kinds = {
            User.objects.get(username=spec.username).organisation.kind
            for spec in DEMO_ACCOUNTS
            if spec.role == User.Role.APPLICANT and spec.organisation
        }
        assert enterprise_kinds == {"property_manager", "developer", "energy_service_company"}
        assert User.objects.get(username="demo-admin").is_superuser

    def test_staff_accounts_cover_every_supply_company_and_regulators_every_regulator(self):
        # The city branches work the applications; the provincial company reports on 附件2.
        staff_orgs = set(
            User.objects.filter(username__startswith="demo-staff-").values_list(
                "organisation__name", flat=True
            )
        )
        companies = set(
            Organisation.objects.filter(kind="supply_company").values_list("name", flat=True)
        )
        assert staff_orgs == companies
        regulator_orgs = set(
            User.objects.filter(role=User.Role.REGULATOR).values_list(
                "organisation__name", flat=True
            )
        )
        assert regulator_orgs == set(
            Organisation.objects.filter(kind="regulator").values_list("name", flat=True)
        )

    def test_running_it_again_changes_nothing(self):
        counts = (
            Application.objects.count(),
            StageRecord.objects.count(),
            Pause.objects.count(),
            User.objects.count(),
            AuditEvent.objects.count(),
        )
        load_demo(out=io.StringIO())
        assert counts == (
            Application.objects.count(),
            StageRecord.objects.count(),
            Pause.objects.count(),
            User.objects.count(),
            AuditEvent.objects.count(),
        )

    def test_reset_recreates_the_sample_and_keeps_the_audit_log(self):
        before = AuditEvent.objects.count()
        old_numbers = set(self.sample.values_list("number", flat=True))

        load_demo(reset=True, out=io.StringIO())

        assert self.sample.count() == TARGET
        assert not old_numbers & set(self.sample.values_list("number", flat=True))
        assert AuditEvent.objects.count() > before
        assert AuditEvent.objects.filter(action="demo.reset").count() == 1
