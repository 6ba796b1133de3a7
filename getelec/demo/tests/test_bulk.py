"""`getelec demo --scale N`: N applications whose decisions are exactly what
getelec.core.assess gives for the same inputs, written in bulk, idempotently."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter

import pytest
import time_machine
from django.test import TestCase, override_settings
from stdnum.cn import ric, uscc

from getelec.accounts.models import User
from getelec.audit.models import AuditEvent
from getelec.connection import services
from getelec.connection.models import Application, Status
from getelec.core.assess import CATEGORIES, AssessInput, plan, schedule
from getelec.core.workdays import CalendarYearNotLoaded
from getelec.demo import accounts, bulk, reference
from getelec.demo.identity import credit_code, resident_id
from getelec.workcalendar.source import current_calendar

FROZEN = "2026-11-26 10:00 +0800"
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
N = 1500


def assess_input(app: Application) -> AssessInput:
    return AssessInput(
        customer_type=app.customer_type,
        request_type=app.request_type,
        purpose=app.purpose,
        capacity_kw=float(app.capacity_kw),
        supply=app.supply,
        external_works=app.external_works,
        requested_high_voltage=app.requested_high_voltage,
        hv_to_lv_deregistration=app.hv_to_lv_deregistration,
        property_existing_kw=float(app.property_existing_kw),
        region=app.region_id,
        applied_on=app.applied_on,
    )


@time_machine.travel(FROZEN, tick=False)
class BulkTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with time_machine.travel(FROZEN, tick=False), override_settings(PASSWORD_HASHERS=MD5):
            reference.load_reference()
            accounts.ensure_accounts()
            cls.result = bulk.generate_bulk(N, seed=7, progress=False, batch_size=400)
        cls.apps = Application.objects.filter(submission_key__startswith=bulk.BULK_KEY_PREFIX)

    def test_it_creates_n_applications_with_their_stages(self):
        assert self.result.created == N
        assert self.apps.count() == N
        for app in self.apps.prefetch_related("stages")[:200]:
            assert len(app.stages.all()) == len(app.decision["stages"])

    def test_every_decision_is_what_assess_gives_for_the_same_inputs(self):
        calendar = current_calendar()
        for app in self.apps.prefetch_related("stages"):
            decided = plan(assess_input(app))
            stored = sorted(app.stages.all(), key=lambda s: s.seq)
            assert (app.category, app.voltage, app.three_zero) == (
                decided.category,
                decided.voltage,
                decided.three_zero_eligible,
            ), app.number
            assert app.informed_consent_required == decided.informed_consent_required
            assert app.site_survey_required == decided.site_survey_required
            assert app.time_limit_wd == decided.time_limit_wd
            assert [(s.stage, s.limit_wd) for s in stored] == decided.stages
            assert app.decision["category"] == decided.category
            assert app.decision["stage_clock"] == decided.stage_clock
            if decided.each_on_own_clock:
                # T2 own clocks: the dates depend on when each stage was completed; they are
                # checked against the services' recompute in the next test.
                continue
            try:
                _, due = schedule(
                    app.applied_on, decided.stages, decided.time_limit_wd, calendar, app.paused_wd
                )
            except CalendarYearNotLoaded as missing:
                assert (app.due_on, app.due_pending_year) == (None, missing.year), app.number
            else:
                assert (app.due_on, app.due_pending_year) == (due, None), app.number

    def test_every_due_date_is_what_the_services_would_recompute(self):
        # Open and completed rows must be indistinguishable from rows the services wrote.
        calendar = current_calendar()
        rows = self.apps.exclude(status=Status.CANCELLED).prefetch_related("stages", "pauses")
        for app in rows:
            stages = sorted(app.stages.all(), key=lambda s: s.seq)
            pauses = sorted(app.pauses.all(), key=lambda p: (p.started_on, p.pk))
            expected = services._compute_schedule(app, stages, pauses, calendar)
            assert {s.seq: s.due_on for s in stages} == expected.stage_due, app.number
            assert (app.due_on, app.due_pending_year, app.paused_wd) == (
                expected.due_on,
                expected.pending_year,
                expected.paused_wd,
            ), app.number

    def test_the_mix_covers_every_category_and_the_usual_statuses(self):
        categories = Counter(self.apps.values_list("category", flat=True))
        statuses = Counter(self.apps.values_list("status", flat=True))
        assert set(categories) == set(CATEGORIES)
        assert {Status.COMPLETED, Status.IN_PROGRESS, Status.CANCELLED} <= set(statuses)
        assert statuses[Status.COMPLETED] > N / 2
        assert categories["lv_residential"] == max(categories.values())

    def test_numbers_follow_the_services_format_and_a_later_submission_gets_a_new_one(self):
        numbers = list(self.apps.values_list("number", "region_id", "applied_on"))
        for number, region, applied_on in numbers:
            assert re.fullmatch(rf"{region[:4]}-{applied_on:%Y%m%d}-\d{{4}}", number), number
        app = self.apps.filter(applied_on=dt.date(2026, 11, 26)).first() or self.apps.first()
        user = User.objects.create(username="late-applicant", role=User.Role.APPLICANT)
        submitted = services.submit_application(
            user,
            services.ApplicationInput(
                customer_type="residential",
                customer_name="测试用户",
                id_number=resident_id(random.Random(1), "640121"),
                contact_phone="13800000009",
                address="银川市兴庆区测试路1号",
                region=app.region_id,
                property_scope="TEST-SCOPE-1",
                capacity_kw="8",
            ),
        )
        assert submitted.number not in {n for n, _, _ in numbers}

    def test_a_second_run_creates_nothing(self):
        again = bulk.generate_bulk(N, seed=7, progress=False)
        assert (again.created, again.existing) == (0, N)
        assert self.apps.count() == N

    def test_a_larger_run_adds_only_the_missing_ones(self):
        more = bulk.generate_bulk(N + 50, seed=7, progress=False)
        assert more.created == 50
        assert self.apps.count() == N + 50

    def test_a_bulk_import_writes_one_summary_audit_row(self):
        rows = AuditEvent.objects.filter(action="demo.bulk_import")
        assert rows.count() == 1
        assert rows.get().new["created"] == N
        assert not AuditEvent.objects.filter(action="connection.submit_application").exists()

    def test_rules_are_evaluated_once_per_distinct_shape_not_per_application(self):
        assert self.result.plan_calls < N / 2

    def test_bulk_customers_have_valid_identity_numbers(self):
        for customer_type, number in self.apps.values_list("customer_type", "id_number"):
            valid = ric.is_valid if customer_type == "residential" else uscc.is_valid
            assert valid(number), (customer_type, number)


@pytest.mark.pure
def test_generated_identity_numbers_are_valid_for_every_county():
    rng = random.Random(3)
    for county in reference.county_codes():
        assert ric.is_valid(resident_id(rng, county))
        assert uscc.is_valid(credit_code(rng, county))


@pytest.mark.pure
def test_histories_end_on_the_last_loaded_day_when_todays_year_is_not_loaded():
    from getelec.core.workdays import shipped_calendar
    from getelec.demo.shapes import anchor_day

    calendar = shipped_calendar()
    last = max(calendar.years)
    assert anchor_day(calendar, dt.date(last, 11, 26)) == dt.date(last, 11, 26)
    assert anchor_day(calendar, dt.date(last + 1, 1, 15)) == dt.date(last, 12, 31)
