"""`getelec demo --scale N`: N applications for load tests, in minutes.

Decisions come from `getelec.core.assess` (memoised per distinct shape, see shapes.Decider);
rows are written with `bulk_create` in batches, bypassing the per-application services on
purpose: 200,000 service calls with their row locks would take hours. What the services would
otherwise guarantee is reproduced here:

- every application's category, three-zero decision, limit, stages and due dates are exactly what
  `assess.plan` + the one working-day schedule (`getelec.core.schedule`) give for its inputs on
  the calendar in force (a due date in a year not loaded is pending: due_on NULL,
  due_pending_year set);
- numbers come from the same `NumberSequence` counters the services use (reserved in blocks);
- audit: ONE summary row per run ("demo.bulk_import": how many, which numbers, seed), not one
  row per application — a bulk import is one act by one operator, and 200,000 synthetic rows
  would only bury the real audit trail. Notifications are not generated for bulk rows.

Each generated application i carries submission_key "bulk-<i>" (unique per applicant), so a
second run creates only the ones still missing and never duplicates.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from getelec.accounts.models import Organisation, Region, User
from getelec.audit.services import record
from getelec.connection import models as m
from getelec.core.assess import Plan
from getelec.core.schedule import PauseSpan
from getelec.demo import fastinsert, identity, numbering, reference
from getelec.demo.accounts import DEMO_USERNAME_PREFIX, staff_by_company
from getelec.demo.fastinsert import Row
from getelec.demo.shapes import Decider, Schedule, Shape, anchor_day, draw_shape
from getelec.demo.timeline import Timeline, simulate
from getelec.workcalendar.source import current_calendar

BULK_KEY_PREFIX = "bulk-"
BULK_USER_PREFIX = f"{DEMO_USERNAME_PREFIX}bulk-"
BATCH_SIZE = 5_000

# Applications per city roughly follow population (2023 yearbook, 10k people): 银川 289,
# 石嘴山 75, 吴忠 140, 固原 114, 中卫 107; within a city the urban districts weigh more.
CITY_WEIGHTS = {"640100": 289, "640200": 75, "640300": 140, "640400": 114, "640500": 107}
URBAN = {"640104", "640105", "640106", "640202", "640302", "640402", "640502"}

CUSTOMER_TYPES = ("residential", "small_micro_enterprise", "private_org", "other")
# Share of bulk applicant accounts per customer type.
APPLICANT_MIX = {"residential": 60, "small_micro_enterprise": 18, "private_org": 12, "other": 10}


@dataclass
class BulkResult:
    created: int
    existing: int
    seconds: float
    plan_calls: int
    schedule_calls: int

    def __str__(self) -> str:
        rate = self.created / self.seconds if self.seconds else 0.0
        return (
            f"{self.created:,} applications created ({self.existing:,} already there) in "
            f"{self.seconds:.1f} s ({rate:,.0f}/s); rules evaluated {self.plan_calls:,} times, "
            f"schedules {self.schedule_calls:,} times"
        )


def _region_weights(regions: list[str]) -> list[float]:
    weights = []
    for code in regions:
        siblings = [c for c in regions if c[:4] == code[:4]]
        urban = [c for c in siblings if c in URBAN]
        share = 0.55 / len(urban) if code in URBAN else 0.45 / (len(siblings) - len(urban))
        weights.append(CITY_WEIGHTS[code[:4] + "00"] * share)
    return weights


def _applied_dates(today: dt.date, calendar: Any) -> tuple[list[dt.date], list[float]]:
    """Every day of this year up to today (2026 in the demo); working days weigh 10, weekends
    and holidays 1 (online submissions)."""
    start = min(dt.date(today.year, 1, 4), today - dt.timedelta(days=60))
    end = today
    days = [start + dt.timedelta(d) for d in range((end - start).days + 1)]
    return days, [10.0 if calendar.is_workday(d) else 1.0 for d in days]


def applicant_type(i: int) -> str:
    """The customer type of bulk applicant account i (fixed, whatever the run's size)."""
    position, total = i % 100, 0
    for customer_type, share in APPLICANT_MIX.items():
        total += share
        if position < total:
            return customer_type
    return "other"


PAUSE_NOTES = {
    m.PauseReason.AWAITING_CONSENT: (
        "客户因自身原因要求高压供电：须告知三零服务政策并由客户签字确认（T1）"
    ),
    m.PauseReason.CUSTOMER_WORKS: "客户受电工程施工中，完工后通知供电企业",
    m.PauseReason.MISSING_DOCUMENTS: "客户补充产权证明材料",
    m.PauseReason.CUSTOMER_REQUEST: "客户要求暂缓接电",
    m.PauseReason.CUSTOMER_UNREACHABLE: "现场不具备施工条件，客户暂无法配合",
}


CANCEL_REASONS = ("客户取消用电需求", "客户项目终止", "客户重复申请，已合并办理")


class BulkGenerator:
    def __init__(self, seed: int, today: dt.date | None = None):
        self.seed = seed
        self.calendar = current_calendar()
        self.today = anchor_day(self.calendar, today or timezone.localdate())
        self.decider = Decider(self.calendar)
        self.regions = reference.county_codes()
        self.region_weights = _region_weights(self.regions)
        self.days, self.day_weights = _applied_dates(self.today, self.calendar)
        self.region_names = dict(Region.objects.values_list("code", "name"))
        self.companies = {
            city: Organisation.objects.get(name=reference.branch_for_region(city)).pk
            for city in CITY_WEIGHTS
        }
        self.staff = staff_by_company()
        missing = [c for c, pk in self.companies.items() if pk not in self.staff]
        if missing:
            raise RuntimeError(f"no demo staff account for the branch of {missing}")
        self.tz = timezone.get_current_timezone()
        self._decisions: dict[tuple[int, Decimal], dict[str, Any]] = {}

    # --- applicants ---------------------------------------------------------------------------

    def ensure_applicants(self, count: int) -> dict[str, list[int]]:
        """`count` bulk applicant accounts (no usable password), by customer type."""
        existing = set(
            User.objects.filter(username__startswith=BULK_USER_PREFIX).values_list(
                "username", flat=True
            )
        )
        unusable = make_password(None)
        rows = []
        for i in range(count):
            username = f"{BULK_USER_PREFIX}{i:05d}"
            if username in existing:
                continue
            rng = random.Random(f"{self.seed}:user:{i}")
            customer_type = applicant_type(i)
            region = rng.choices(self.regions, weights=self.region_weights)[0]
            city = self.region_names[region[:4] + "00"]
            if customer_type == "residential":
                name, number = identity.person_name(rng), identity.resident_id(rng, region)
            elif customer_type == "other":
                name = identity.institution(rng, self.region_names[region])
                number = identity.credit_code(rng, region, "52")
            else:
                name = identity.enterprise(rng, city)[0]
                number = identity.credit_code(
                    rng, region, "93" if customer_type == "private_org" else "91"
                )
            rows.append(
                User(
                    username=username,
                    password=unusable,
                    role=User.Role.APPLICANT,
                    display_name=name[:128],
                    phone=identity.phone(rng),
                    id_number=number,
                    region_id=region,
                )
            )
        User.objects.bulk_create(rows, batch_size=1000)
        pools: dict[str, list[int]] = {t: [] for t in CUSTOMER_TYPES}
        for pk, username in User.objects.filter(username__startswith=BULK_USER_PREFIX).values_list(
            "pk", "username"
        ):
            pools[applicant_type(int(username.removeprefix(BULK_USER_PREFIX)))].append(pk)
        return pools

    # --- applications -------------------------------------------------------------------------

    def place(self, index: int) -> tuple[random.Random, str, dt.date]:
        """Application i's random stream, county and application date (drawn first)."""
        rng = random.Random(f"{self.seed}:app:{index}")
        region = rng.choices(self.regions, weights=self.region_weights)[0]
        applied_on = rng.choices(self.days, weights=self.day_weights)[0]
        return rng, region, applied_on

    def generate(
        self, index: int, pools: dict[str, list[int]], users: dict[int, User]
    ) -> tuple[Row, list[Row], list[Row]]:
        rng, region, applied_on = self.place(index)
        shape = draw_shape(rng)
        decided = self.decider.plan(shape, region, applied_on)
        applicant = users[rng.choice(pools[shape.customer_type])]
        company = self.companies[region[:4] + "00"]
        return self._build(rng, index, shape, region, applied_on, decided, applicant, company)

    def decision(self, decided: Plan, existing_kw: Decimal) -> dict[str, Any]:
        key = (id(decided), existing_kw)
        found = self._decisions.get(key)
        if found is None:
            found = self._decisions[key] = numbering.decision_record(decided, existing_kw)
        return found

    def _build(
        self,
        rng: random.Random,
        index: int,
        shape: Shape,
        region: str,
        applied_on: dt.date,
        decided: Plan,
        applicant: User,
        company: int,
    ) -> tuple[Row, list[Row], list[Row]]:
        """Simulate the application's history up to today on the working-day clock.

        Offsets are working days after applied_on. Stage k takes `actual[k]` working days
        (usually within its limit, sometimes late); customer-side pauses stop the clock at the
        start of a stage. Due dates follow the services' rule: a stage counts the closed pauses
        that started before it was completed; the overall due date counts every closed pause
        (a pause closed by a cancellation shifts nothing, as in cancel_application). Stages on
        their own clocks (T2, charging) run each from the previous stage's completion.

        The steps draw from `rng` in a fixed order (timeline, stages, application, outcome):
        the same seed gives the same applications.
        """
        staff = self.staff[company]
        tl = simulate(rng, decided, applied_on, self.calendar, self.today)
        closed = [
            PauseSpan(tl.day(start), tl.day(end), end - start)
            for start, end, _, shifts in tl.pauses
            if end is not None and shifts
        ]
        overall = self.decider.schedule(decided, applied_on, closed, [tl.day(d) for d in tl.done])
        stages = self._stage_rows(rng, decided, tl, overall, staff)
        app = self._application_row(
            rng, index, shape, region, decided, applicant, company, tl, overall
        )
        app.created_at = self._at(applied_on, rng)
        app.updated_at = max([app.created_at] + [r.completed_at for r in stages if r.completed_at])
        self._outcome(rng, app, shape, region, decided, tl, overall)
        app.version = 1 + len(tl.done) + 2 * len(tl.pauses)
        pause_rows = [
            fastinsert.row(
                m.Pause,
                reason=reason,
                started_on=tl.day(start),
                ended_on=tl.day(end) if end is not None else None,
                paused_wd=end - start if end is not None else None,
                note=PAUSE_NOTES[reason],
                created_by_id=staff.pk,
            )
            for start, end, reason, _ in tl.pauses
        ]
        return app, stages, pause_rows

    def _stage_rows(
        self,
        rng: random.Random,
        decided: Plan,
        tl: Timeline,
        overall: Schedule,
        staff: User,
    ) -> list[Row]:
        """One stage record per stage: limits, due dates, and who completed it when."""
        stages = []
        cumulative = 0
        done = tl.done
        for k, (stage, limit) in enumerate(decided.stages):
            cumulative += limit
            row = fastinsert.row(
                m.StageRecord, seq=k + 1, stage=stage, limit_wd=limit, cumulative_wd=cumulative
            )
            done_on = tl.day(done[k]) if k < len(done) else None
            row.due_on = overall.stage_due(k)
            if k <= len(done):
                row.started_on = tl.day(done[k - 1]) if k else tl.applied_on
            if done_on is not None:
                row.completed_at = self._at(done_on, rng)
                row.completed_by_id = staff.pk
            stages.append(row)
        return stages

    def _application_row(
        self,
        rng: random.Random,
        index: int,
        shape: Shape,
        region: str,
        decided: Plan,
        applicant: User,
        company: int,
        tl: Timeline,
        overall: Schedule,
    ) -> Row:
        """The application as the rules decided it, with its due date and current stage."""
        city = self.region_names[region[:4] + "00"]
        existing_kw = Decimal(str(shape.property_existing_kw)).quantize(Decimal("0.01"))
        n = len(decided.stages)
        return fastinsert.row(
            m.Application,
            submission_key=f"{BULK_KEY_PREFIX}{index:07d}",
            verification_code=numbering.verification_code(rng),
            applicant_id=applicant.pk,
            company_id=company,
            region_id=region,
            customer_type=shape.customer_type,
            customer_name=applicant.display_name,
            id_number=applicant.id_number,
            contact_phone=applicant.phone,
            address=identity.address(
                rng,
                city,
                self.region_names[region],
                residential=shape.customer_type == "residential",
            ),
            property_scope=identity.property_certificate(city, 2026, index),
            request_type=shape.request_type,
            purpose=shape.purpose,
            capacity_kw=Decimal(str(shape.capacity_kw)).quantize(Decimal("0.01")),
            voltage=decided.voltage,
            supply=shape.supply,
            external_works=shape.external_works,
            requested_high_voltage=shape.requested_high_voltage,
            hv_to_lv_deregistration=shape.hv_to_lv_deregistration,
            property_existing_kw=existing_kw,
            category=decided.category,
            three_zero=decided.three_zero_eligible,
            informed_consent_required=decided.informed_consent_required,
            site_survey_required=decided.site_survey_required,
            time_limit_wd=decided.time_limit_wd,
            decision=self.decision(decided, existing_kw),
            applied_on=tl.applied_on,
            paused_wd=overall.paused_wd,
            due_on=overall.due_on,
            due_pending_year=overall.pending_year,
            current_stage="" if len(tl.done) == n else decided.stages[len(tl.done)][0],
        )

    def _outcome(
        self,
        rng: random.Random,
        app: Row,
        shape: Shape,
        region: str,
        decided: Plan,
        tl: Timeline,
        overall: Schedule,
    ) -> None:
        """Consent, status, key project (L6), contracted date (L8), grid-upgrade mark (T2/L4)."""
        applied_on, done = tl.applied_on, tl.done
        consent = next(
            (p for p in tl.pauses if p[2] == m.PauseReason.AWAITING_CONSENT and p[1] is not None),
            None,
        )
        if consent is not None and consent[3]:
            app.informed_consent_at = self._at(tl.day(consent[1]), rng)
        if tl.cancelled:
            app.status = m.Status.CANCELLED
            app.cancelled_reason = rng.choice(CANCEL_REASONS)
        elif len(done) == len(decided.stages):
            app.status = m.Status.COMPLETED
            app.completed_on = tl.day(done[-1])
        elif tl.open_pause is not None:
            app.status = (
                m.Status.AWAITING_CONSENT
                if tl.open_pause[2] == m.PauseReason.AWAITING_CONSENT
                else m.Status.PAUSED
            )
        if decided.voltage == "high":
            r = rng.random()
            app.key_project = (
                m.KeyProject.NATIONAL
                if r < 0.01
                else m.KeyProject.PROVINCIAL
                if r < 0.05
                else m.KeyProject.NONE
            )
            if rng.random() < 0.2 and overall.due_on is not None:
                # L8: agreed with the customer; never later than the statutory due date here.
                early = dt.timedelta(days=rng.randrange(0, 7))
                app.contracted_on = max(applied_on + dt.timedelta(days=1), overall.due_on - early)
        if tl.late and (decided.voltage == "high" or shape.external_works) and rng.random() < 0.5:
            # T2/L4: the company marked the limit as unreachable (kept for the A1 filing).
            marked = tl.day(min(tl.elapsed, 3))
            app.grid_upgrade_cause = rng.choice(list(m.GridUpgradeCause))
            app.grid_upgrade_project = f"{self.region_names[region]}10千伏配套电网改造工程"
            app.grid_upgrade_marked_on = marked
            app.customer_informed_on = marked
            app.grid_upgrade_committed_on = (
                app.completed_on
                if app.completed_on
                else self.today + dt.timedelta(rng.randrange(15, 90))
            )

    def _at(self, day: dt.date, rng: random.Random) -> dt.datetime:
        """A moment in office hours on `day` (Asia/Shanghai)."""
        return dt.datetime(
            day.year,
            day.month,
            day.day,
            9 + rng.randrange(0, 8),
            rng.randrange(0, 60),
            tzinfo=self.tz,
        )


def existing_bulk() -> set[str]:
    return set(
        m.Application.objects.filter(submission_key__startswith=BULK_KEY_PREFIX).values_list(
            "submission_key", flat=True
        )
    )


def _batches(indices: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(indices), size):
        yield indices[start : start + size]


def generate_bulk(
    count: int,
    seed: int = 2026,
    actor: Any = "getelec demo --scale",
    progress: bool | None = None,
    batch_size: int = BATCH_SIZE,
    today: dt.date | None = None,
) -> BulkResult:
    """Make sure `count` bulk applications exist (idempotent; resumable after an interrupt)."""
    started = time.monotonic()
    generator = BulkGenerator(seed, today)
    pools = generator.ensure_applicants(min(max(count // 100, 100), 5_000))
    users = {
        u.pk: u
        for u in User.objects.filter(username__startswith=BULK_USER_PREFIX).only(
            "pk", "display_name", "id_number", "phone"
        )
    }
    have = existing_bulk()
    todo = [i for i in range(count) if f"{BULK_KEY_PREFIX}{i:07d}" not in have]
    # Numbers for the whole run at once (one block per city and day), as the services number.
    with transaction.atomic():
        numbers = iter(numbering.reserve_numbers([generator.place(i)[1:] for i in todo]))
    bar = _progress(len(todo), progress)
    first_number = last_number = ""
    first_app: Row | None = None
    for batch in _batches(todo, batch_size):
        built = [generator.generate(i, pools, users) for i in batch]
        apps = [app for app, _, _ in built]
        stage_rows = [row for _, stages, _ in built for row in stages]
        pause_rows = [row for _, _, pauses in built for row in pauses]
        for app in apps:
            app.number = next(numbers)
        with transaction.atomic():
            for app, pk in zip(apps, fastinsert.reserve_ids(m.Application, len(apps)), strict=True):
                app.id = pk
            for app, stages, pauses in built:
                for row in (*stages, *pauses):
                    row.application_id = app.id
            for rows, model in ((stage_rows, m.StageRecord), (pause_rows, m.Pause)):
                for row, pk in zip(rows, fastinsert.reserve_ids(model, len(rows)), strict=True):
                    row.id = pk
            fastinsert.insert(m.Application, apps)
            fastinsert.insert(m.StageRecord, stage_rows)
            fastinsert.insert(m.Pause, pause_rows)
        first_app = first_app or apps[0]
        first_number = first_number or apps[0].number
        last_number = apps[-1].number
        if bar:
            bar.update(len(batch))
    if bar:
        bar.close()
    if todo:
        _analyze()
    if first_app is not None:
        with transaction.atomic():
            record(
                actor,
                "demo.bulk_import",
                m.Application.objects.get(pk=first_app.id),
                {},
                {
                    "created": len(todo),
                    "total": count,
                    "seed": seed,
                    "first_number": first_number,
                    "last_number": last_number,
                },
                reason="负载测试数据批量导入：每次导入记一条汇总审计记录，不逐条记录",
            )
    return BulkResult(
        len(todo),
        count - len(todo),
        time.monotonic() - started,
        generator.decider.plan_calls,
        generator.decider.schedule_calls,
    )


def _analyze() -> None:
    """After a bulk load, refresh the planner's statistics and the visibility map (index-only
    scans) at once instead of waiting for autovacuum. Outside a transaction only."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        tables = [model._meta.db_table for model in (m.Application, m.StageRecord, m.Pause)]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")


def _progress(total: int, wanted: bool | None) -> Any:
    show = sys.stderr.isatty() if wanted is None else wanted
    if not show or not total:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="件", desc="生成申请", file=sys.stderr, smoothing=0.1)
