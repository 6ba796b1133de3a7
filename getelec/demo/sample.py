"""~200 realistic sample applications, created through getelec.connection.services.

Each sample application is a *story*: submitted on a day in 2026, then consented, advanced,
paused and resumed, marked for grid upgrade, given a contracted date or a key-project level, or
cancelled, each step on its own (working) day. The steps of all stories are replayed in date
order with the clock set to that moment (time-machine when installed, else Django's
`timezone.now`), so audit rows, stage records, pauses and notifications carry their real
historical dates and the due dates are what the services compute.

Coverage (checked by getelec/demo/tests): every category at every one of its stages (open, on
time); completed and cancelled applications in every category; every open status (in progress,
paused with each customer-side reason, awaiting informed consent); overdue ones; grid-upgrade
marks (T2/L4) with committed dates, including open low-voltage ones in two companies for the
delay filings of the regulator's desk; key projects (L6); contracted dates (L8); due dates pending
on the 2027 calendar. Idempotent: each story has a submission key ("demo-sample-NNN"); a story
whose application exists is skipped entirely.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from getelec.accounts.models import Region, User
from getelec.audit.services import record
from getelec.connection import services
from getelec.connection.models import Application, GridUpgradeCause, KeyProject, PauseReason
from getelec.core.workdays import CalendarYearNotLoaded, WorkCalendar
from getelec.demo import identity, reference
from getelec.demo.accounts import DEMO_USERNAME_PREFIX
from getelec.demo.shapes import Decider, Shape, anchor_day
from getelec.workcalendar.source import current_calendar

SAMPLE_KEY_PREFIX = "demo-sample-"
CUSTOMER_PREFIX = f"{DEMO_USERNAME_PREFIX}customer-"
TARGET = 200
STAFF_BY_CITY = {
    "640100": "demo-staff-yinchuan",
    "640200": "demo-staff-shizuishan",
    "640300": "demo-staff-wuzhong",
    "640400": "demo-staff-guyuan",
    "640500": "demo-staff-zhongwei",
}
STAFF_PAUSE_REASONS = [r for r in PauseReason if r != PauseReason.AWAITING_CONSENT]
PAUSE_NOTES = {
    PauseReason.CUSTOMER_WORKS: "客户受电工程施工中，完工后通知供电企业",
    PauseReason.MISSING_DOCUMENTS: "客户需补充产权证明材料",
    PauseReason.CUSTOMER_REQUEST: "客户要求暂缓接电",
    PauseReason.CUSTOMER_UNREACHABLE: "现场不具备施工条件，客户暂无法配合",
}
NOTES = {
    "intake": "资料齐全，予以受理",
    "supply_scheme": "已现场勘察，答复供电方案",
    "external_works": "外线工程已完工",
    "design_review": "设计文件审核通过",
    "midway_inspection": "中间检查合格",
    "completion_inspection": "竣工检验合格",
    "energizing": "已装表接电",
}
# A tiny valid PDF: documents kept once and reused (L13).
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # noqa: E501

# Category shapes: (name, shape). The category itself always comes from the rules.
SHAPES: dict[str, Shape] = {
    "lv_residential": Shape("residential", 8.0),
    "lv_residential_works": Shape("residential", 12.0, external_works=True),
    "lv_three_zero": Shape("small_micro_enterprise", 50.0),
    "lv_three_zero_works": Shape("private_org", 120.0, external_works=True),
    "lv_non_residential": Shape("other", 63.0),
    "lv_ev_charging": Shape("residential", 7.0, purpose="ev_charging"),
    "lv_ebike_charging": Shape("other", 30.0, purpose="ebike_charging"),
    "hv_single": Shape("small_micro_enterprise", 630.0, external_works=True),
    "hv_dual": Shape("other", 4000.0, supply="dual", external_works=True),
    # special cases of T1
    "consent": Shape("small_micro_enterprise", 100.0, requested_high_voltage=True),
    "split": Shape("small_micro_enterprise", 80.0, property_existing_kw=120.0),
    "deregistration": Shape("private_org", 100.0, hv_to_lv_deregistration=True),
    "increase": Shape("small_micro_enterprise", 30.0, request_type="increase"),
    "temporary": Shape("private_org", 60.0, request_type="temporary"),
}
# Open LV applications blocked by a grid upgrade, an approval or obstructed works (T2/L4), for
# the delay filings of the regulator's desk: counties of two city companies, and their shapes.
LV_BLOCKED_REGIONS = ("640104", "640302")  # 兴庆区 (国网银川供电公司), 利通区 (国网吴忠供电公司)
LV_BLOCKED_SHAPES = (
    "lv_residential_works",
    "lv_three_zero_works",
    "lv_non_residential",
    "lv_residential_works",
)
CATEGORY_SHAPES = [
    "lv_residential",
    "lv_three_zero",
    "lv_non_residential",
    "lv_ev_charging",
    "lv_ebike_charging",
    "hv_single",
    "hv_dual",
]


@dataclass
class Step:
    offset: int  # working days after applied_on (0: the application day itself)
    kind: str  # consent advance pause resume grid contracted key cancel
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    key: str
    label: str  # what the story demonstrates (printed by --verbose, used by tests)
    shape: Shape
    region: str
    applicant: str  # username
    online: bool
    applied_on: dt.date
    steps: list[Step]


def customer_username(shape: Shape, n: int) -> str:
    """One account per sample story; its customer type is part of the name (ID kind)."""
    return f"{CUSTOMER_PREFIX}{shape.customer_type.replace('_', '-')}-{n:03d}"


class Clock:
    """Run service calls as if at a past moment (audit rows and stage dates in 2026)."""

    def __init__(self) -> None:
        try:
            import time_machine
        except ImportError:  # production installs: patch Django's clock only
            self._travel = None
        else:
            self._travel = time_machine.travel

    @contextlib.contextmanager
    def at(self, moment: dt.datetime) -> Iterator[None]:
        moment = min(moment, timezone.now())
        if self._travel is not None:
            with self._travel(moment, tick=False):
                yield
        else:
            with mock.patch("django.utils.timezone.now", return_value=moment):
                yield


class StoryBook:
    """Builds the stories (deterministic for a seed) relative to `today`."""

    def __init__(self, seed: int, today: dt.date, calendar: WorkCalendar):
        self.rng = random.Random(f"{seed}:sample")
        self.today = today
        self.calendar = calendar
        self.decider = Decider(calendar)
        self.counties = reference.county_codes()
        self.stories: list[Story] = []
        # Applications are spread over the year, from its first full working week on.
        self.max_elapsed = calendar.workdays_between(dt.date(today.year, 1, 5), today)

    # --- calendar helpers ---------------------------------------------------------------

    def back(self, n: int) -> dt.date:
        """The latest working day d with exactly n working days in (d, today]."""
        day = self.today
        while True:
            if (
                self.calendar.is_workday(day)
                and self.calendar.workdays_between(day, self.today) == n
            ):
                return day
            day -= dt.timedelta(days=1)

    def day(self, applied_on: dt.date, offset: int) -> dt.date:
        return self.calendar.add_workdays(applied_on, offset)

    # --- story building -----------------------------------------------------------------

    def stages(self, shape: Shape, region: str, applied_on: dt.date) -> list[tuple[str, int]]:
        return self.decider.plan(shape, region, applied_on).stages

    def add(
        self,
        label: str,
        shape_name: str,
        *,
        done: int,
        late: int = 0,
        pause: tuple[int, int | None, str] | None = None,
        extra: list[Step] | None = None,
        applied_on: dt.date | None = None,
        applicant: str | None = None,
        region: str | None = None,
        cancel: bool = False,
        consent: int | None = None,
    ) -> Story:
        """One story: `done` stages completed; the open one has run `late` wd past its limit
        (0: on time); `pause` = (stage index, wd or None for still paused, reason)."""
        rng = self.rng
        shape = SHAPES[shape_name]
        region = region or rng.choice(self.counties)
        probe = applied_on or dt.date(self.today.year, 3, 2)
        stage_limits = [limit for _, limit in self.stages(shape, region, probe)]
        n = len(stage_limits)
        done = min(done, n)
        actual = [max(1, round(limit * rng.uniform(0.4, 0.9))) for limit in stage_limits]
        steps: list[Step] = []
        offset = 0
        if consent is not None:
            offset = consent
            steps.append(Step(offset, "consent"))
        for k in range(done):
            if pause and pause[0] == k and pause[1] is not None:
                steps.append(Step(offset, "pause", {"reason": pause[2]}))
                offset += pause[1]
                steps.append(Step(offset, "resume"))
            offset += actual[k]
            steps.append(Step(offset, "advance"))
        open_pause = pause is not None and pause[1] is None
        if done < n:
            if open_pause:
                steps.append(Step(offset, "pause", {"reason": pause[2]}))  # type: ignore[index]
                elapsed = offset + rng.randrange(1, 6)
            elif late:
                elapsed = max(offset + 1, sum(stage_limits) + late)
            else:
                elapsed = offset + rng.randrange(0, max(1, stage_limits[done] // 2 + 1))
        else:
            elapsed = offset + rng.randrange(5, 200)  # spread over the year
        for step in extra or []:
            steps.append(step)
            elapsed = max(elapsed, step.offset)
        if cancel:
            offset += 1
            reason = rng.choice(CANCEL_REASONS)
            steps.append(
                Step(offset, "cancel", {"reason": reason, "by_applicant": rng.random() < 0.6})
            )
            elapsed = offset + rng.randrange(3, 150)
        if applied_on is None:
            applied_on = self.back(max(min(elapsed, self.max_elapsed), offset))
        story = Story(
            key=f"{SAMPLE_KEY_PREFIX}{len(self.stories) + 1:03d}",
            label=label,
            shape=shape,
            region=region,
            applicant=applicant or customer_username(shape, len(self.stories) + 1),
            online=rng.random() < 0.75,
            applied_on=applied_on,
            steps=sorted(steps, key=lambda s: s.offset),
        )
        self.stories.append(story)
        return story

    def build(self) -> list[Story]:
        """Every story, in a fixed order: the draws of the seeded generator follow it."""
        self._demo_accounts()
        self._every_stage()
        self._completed_and_cancelled()
        self._overdue()
        self._paused()
        self._grid_upgrades()
        self._lv_blocked_filings()
        self._consent()
        self._key_projects_and_contracted()
        self._pending_2027()
        self._t1_cases()
        self._ordinary_mix()
        return self.stories

    def _demo_accounts(self) -> None:
        # The two demo applicants' own applications (what they see after logging in).
        self.add(
            "demo applicant: residential, at supply scheme",
            "lv_residential",
            done=1,
            applicant="demo-applicant",
            region="640104",
        )
        self.add(
            "demo applicant: completed in spring",
            "lv_residential_works",
            done=4,
            applicant="demo-applicant",
            region="640104",
            pause=(2, 5, PauseReason.CUSTOMER_WORKS),
        )
        self.add(
            "demo applicant: EV charger, paused",
            "lv_ev_charging",
            done=1,
            applicant="demo-applicant",
            region="640104",
            pause=(1, None, PauseReason.CUSTOMER_REQUEST),
        )
        self.add(
            "demo enterprise: three-zero with works",
            "lv_three_zero_works",
            done=2,
            applicant="demo-enterprise",
            region="640106",
        )
        self.add(
            "demo enterprise: asked for HV, awaiting consent",
            "consent",
            done=0,
            applicant="demo-enterprise",
            region="640106",
            applied_on=self.back(1),
        )
        self.add(
            "demo enterprise: three-zero completed",
            "lv_three_zero",
            done=3,
            applicant="demo-enterprise",
            region="640106",
        )
        self.add(
            "demo enterprise: cancelled",
            "increase",
            done=1,
            cancel=True,
            applicant="demo-enterprise",
            region="640106",
        )

    def _every_stage(self) -> None:
        # Every category at every one of its stages, open and on time.
        for name in [*CATEGORY_SHAPES, "lv_residential_works", "lv_three_zero_works"]:
            n = len(self.stages(SHAPES[name], "640104", dt.date(self.today.year, 3, 2)))
            for done in range(n):
                self.add(f"open at stage {done + 1}: {name}", name, done=done)

    def _completed_and_cancelled(self) -> None:
        rng = self.rng
        # Completed (some after a customer-side pause) and cancelled in every category.
        for name in CATEGORY_SHAPES:
            for i in range(3):
                pause = (
                    (1, rng.choice((2, 3, 5, 8)), PauseReason.CUSTOMER_WORKS) if i == 0 else None
                )
                self.add(f"completed: {name}", name, done=99, pause=pause)
            self.add(f"cancelled: {name}", name, done=rng.randrange(0, 2), cancel=True)

    def _overdue(self) -> None:
        rng = self.rng
        # Overdue (open past the limit), across categories.
        for i, name in enumerate(CATEGORY_SHAPES * 2):
            n = len(self.stages(SHAPES[name], "640104", dt.date(self.today.year, 3, 2)))
            self.add(f"overdue: {name}", name, done=rng.randrange(0, n), late=2 + (i * 7) % 40)

    def _paused(self) -> None:
        # Paused now, for each customer-side reason.
        for i in range(12):
            name = CATEGORY_SHAPES[i % len(CATEGORY_SHAPES)]
            reason = STAFF_PAUSE_REASONS[i % len(STAFF_PAUSE_REASONS)]
            self.add(f"paused: {reason}", name, done=1, pause=(1, None, reason))

    def _grid_upgrades(self) -> None:
        rng = self.rng
        # Grid upgrade marked (T2/L4): the limit cannot be met; committed completion date.
        for i, name in enumerate(
            [
                "hv_single",
                "hv_single",
                "hv_dual",
                "hv_single",
                "lv_residential_works",
                "lv_three_zero_works",
            ]
        ):
            cause = list(GridUpgradeCause)[i % len(GridUpgradeCause)]
            committed = self.today + dt.timedelta(days=rng.randrange(20, 120))
            self.add(
                f"grid upgrade: {cause}",
                name,
                done=1,
                late=rng.randrange(1, 20),
                extra=[Step(2, "grid", {"cause": cause, "committed_on": committed})],
            )

    def _lv_blocked_filings(self) -> None:
        rng = self.rng
        # The regulator's desk files LV applications blocked this way (form A1, T2/L4): four
        # per company in two companies (银川 and 吴忠), applied before this month, so that the
        # demo shows a draft, a filing in last month's batch, a revised one and one past its
        # committed date for each.
        for region in LV_BLOCKED_REGIONS:
            for i, name in enumerate(LV_BLOCKED_SHAPES):
                cause = list(GridUpgradeCause)[i % len(GridUpgradeCause)]
                committed = self.today + dt.timedelta(days=rng.randrange(20, 90))
                self.add(
                    f"grid upgrade (LV, filed): {cause}",
                    name,
                    done=1,
                    region=region,
                    applied_on=self.back(min(38 - 4 * i, self.max_elapsed)),
                    extra=[Step(2, "grid", {"cause": cause, "committed_on": committed})],
                )

    def _consent(self) -> None:
        rng = self.rng
        # Informed consent (T1 c): waiting, and signed then proceeding.
        for i in range(4):
            self.add("awaiting consent", "consent", done=0, applied_on=self.back(i))
        for done in (1, 2, 4):
            self.add("consent signed", "consent", done=done, consent=rng.choice((1, 2)))

    def _key_projects_and_contracted(self) -> None:
        rng = self.rng
        # Key projects (L6) and contracted dates (L8).
        for level in (
            KeyProject.NATIONAL,
            KeyProject.NATIONAL,
            KeyProject.PROVINCIAL,
            KeyProject.PROVINCIAL,
            KeyProject.PROVINCIAL,
        ):
            name = rng.choice(("hv_single", "hv_dual"))
            self.add(
                f"key project: {level}",
                name,
                done=rng.randrange(1, 4),
                extra=[Step(1, "key", {"level": level})],
            )
        for i in range(6):
            name = ("hv_single", "lv_three_zero_works", "hv_dual")[i % 3]
            self.add("contracted date", name, done=1, extra=[Step(1, "contracted")])

    def _pending_2027(self) -> None:
        # Due dates in 2027: pending until that year's schedule is imported.
        for i in range(4):
            self.add(
                "due date pending (2027 calendar)", "hv_dual", done=i % 2, applied_on=self.back(i)
            )

    def _t1_cases(self) -> None:
        # T1 special cases.
        for name in ("split", "deregistration", "increase", "temporary"):
            self.add(f"T1 case: {name}", name, done=1)

    def _ordinary_mix(self) -> None:
        rng = self.rng
        # The rest: an ordinary year's mix, mostly completed.
        weights = [52, 14, 7, 8, 5, 11, 3]
        while len(self.stories) < TARGET:
            name = rng.choices(CATEGORY_SHAPES, weights=weights)[0]
            n = len(self.stages(SHAPES[name], "640104", dt.date(self.today.year, 3, 2)))
            if name in ("lv_residential", "lv_three_zero") and rng.random() < 0.35:
                name += "_works"
                n += 1
            if rng.random() < 0.85:
                self.add(f"ordinary: {name}", name, done=n)
            else:
                self.add(f"ordinary: {name}", name, done=rng.randrange(0, n))


CANCEL_REASONS = ("客户取消用电需求", "客户项目终止", "客户重复申请，已合并办理")


@dataclass
class SampleResult:
    created: int
    existing: int
    steps: int

    def __str__(self) -> str:
        return (
            f"{self.created} created ({self.existing} already there), "
            f"{self.steps} workflow steps replayed through the services"
        )


def _customer(username: str, story: Story, rng: random.Random) -> User:
    """The applicant account of a sample story (no usable password: not for logging in)."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    region = story.region
    city = reference.CITY_NAMES[region[:4] + "00"]
    county = reference.COUNTY_NAMES[region]
    customer_type = story.shape.customer_type
    if customer_type == "residential":
        name, number = identity.person_name(rng), identity.resident_id(rng, region)
    elif customer_type == "other":
        name, number = identity.institution(rng, county), identity.credit_code(rng, region, "52")
    else:
        name = identity.enterprise(rng, city)[0]
        number = identity.credit_code(rng, region, "93" if customer_type == "private_org" else "91")
    return User.objects.create(
        username=username,
        password=make_password(None),
        role=User.Role.APPLICANT,
        display_name=name,
        phone=identity.phone(rng),
        id_number=number,
        region_id=region,
    )


def _input(story: Story, user: User, rng: random.Random) -> services.ApplicationInput:
    city = reference.CITY_NAMES[story.region[:4] + "00"]
    county = reference.COUNTY_NAMES[story.region]
    shape = story.shape
    return services.ApplicationInput(
        customer_type=shape.customer_type,
        customer_name=user.display_name,
        id_number=user.id_number,
        contact_phone=user.phone,
        address=identity.address(
            rng, city, county, residential=shape.customer_type == "residential"
        ),
        region=story.region,
        property_scope=identity.property_certificate(
            city, story.applied_on.year, 9_000_000 + int(story.key.rsplit("-", 1)[1])
        ),
        request_type=shape.request_type,
        purpose=shape.purpose,
        capacity_kw=Decimal(str(shape.capacity_kw)),
        voltage=shape.voltage,
        supply=shape.supply,
        external_works=shape.external_works,
        requested_high_voltage=shape.requested_high_voltage,
        hv_to_lv_deregistration=shape.hv_to_lv_deregistration,
        property_existing_kw=Decimal(str(shape.property_existing_kw)),
    )


def _documents(user: User) -> list[int]:
    """The demo applicants keep their ID card / licence once and reuse it (L13)."""
    if not user.username.startswith(DEMO_USERNAME_PREFIX) or user.username.startswith(
        CUSTOMER_PREFIX
    ):
        return []
    kind = "id_card" if user.username == "demo-applicant" else "business_licence"
    # the file name a person would give it (it is shown when the document is offered for reuse)
    name = "身份证.pdf" if kind == "id_card" else "营业执照.pdf"
    upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    valid = dt.date(2036, 12, 31)
    return [services.upload_document(user, kind, upload, valid).pk]


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime(
        day.year, day.month, day.day, 9 + rng.randrange(0, 8), rng.randrange(0, 60), tzinfo=tz
    )


def load_sample(
    seed: int = 2026, out: TextIO = sys.stdout, today: dt.date | None = None
) -> SampleResult:
    """Create the sample stories that do not exist yet (idempotent)."""
    calendar = current_calendar()
    today = anchor_day(calendar, today or timezone.localdate())
    book = StoryBook(seed, today, calendar)
    stories = book.build()
    existing = set(
        Application.objects.filter(submission_key__startswith=SAMPLE_KEY_PREFIX).values_list(
            "submission_key", flat=True
        )
    )
    todo = [s for s in stories if s.key not in existing]
    staff = {city: User.objects.get(username=username) for city, username in STAFF_BY_CITY.items()}
    rng = random.Random(f"{seed}:sample-data")
    now = timezone.now()
    events: list[tuple[dt.datetime, int, int, Story, Step | None]] = []
    for i, story in enumerate(todo):
        last = min(_moment(story.applied_on, rng), now)
        events.append((last, i, -1, story, None))
        for j, step in enumerate(story.steps):
            try:
                day = book.day(story.applied_on, step.offset)
            except CalendarYearNotLoaded:
                continue
            if day > today:
                continue
            # Office hours on that day, after the story's previous step, never in the future.
            moment = max(_moment(day, rng), last + dt.timedelta(minutes=7))
            last = min(moment, now)
            events.append((last, i, j, story, step))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    clock = Clock()
    apps: dict[str, Application] = {}
    count = 0
    # One transaction: a failure leaves no half-told story behind (services nest as savepoints).
    with transaction.atomic():
        for moment, _, _, story, step in events:
            with clock.at(moment):
                if step is None:
                    apps[story.key] = _submit(story, staff, rng)
                else:
                    app = apps[story.key]
                    staff_user = staff[story.region[:4] + "00"]
                    apps[story.key] = _apply(step, app, staff_user, app.applicant)
                    count += 1
        if todo:
            province = Region.objects.get(code=reference.PROVINCE[0])
            record(
                "getelec demo",
                "demo.sample_loaded",
                province,
                {},
                {"stories": len(todo), "steps": count, "seed": seed},
                reason="演示数据：通过业务服务逐条创建的样例申请",
            )
    print(f"Sample: {len(todo)} stories replayed.", file=out, flush=True)
    return SampleResult(len(todo), len(stories) - len(todo), count)


def _submit(story: Story, staff: dict[str, User], rng: random.Random) -> Application:
    user = _customer(story.applicant, story, rng)
    data = _input(story, user, rng)
    docs = _documents(user)
    if story.online:
        return services.submit_application(
            user, data, reuse_document_ids=docs, submission_key=story.key
        )
    return services.submit_application(
        user,
        data,
        reuse_document_ids=docs,
        applied_on=story.applied_on,
        actor=staff[story.region[:4] + "00"],
        submission_key=story.key,
    )


def _apply(step: Step, app: Application, staff: User, applicant: User) -> Application:
    version = app.version
    if step.kind == "consent":
        return services.record_informed_consent(app, applicant, version)
    if step.kind == "advance":
        return services.advance_stage(
            app, staff, app.current_stage, version, NOTES.get(app.current_stage, "")
        )
    if step.kind == "pause":
        reason = step.args["reason"]
        return services.pause_clock(app, staff, reason, PAUSE_NOTES[reason], version)
    if step.kind == "resume":
        return services.resume_clock(app, staff, version)
    if step.kind == "grid":
        today = timezone.localdate()
        return services.mark_grid_upgrade(
            app,
            staff,
            step.args["cause"],
            f"{app.region.name}10千伏配套电网改造工程",
            step.args["committed_on"],
            today,
            version,
            reason="配套电网工程无法在规定时限内完成，已告知客户",
        )
    if step.kind == "contracted":
        if app.due_on is None:
            return app
        agreed = app.due_on - dt.timedelta(days=2)
        return services.set_contracted_date(app, staff, max(agreed, app.applied_on), version)
    if step.kind == "key":
        return services.set_key_project(app, staff, step.args["level"], version)
    if step.kind == "cancel":
        actor = applicant if step.args.get("by_applicant") else staff
        return services.cancel_application(app, actor, step.args["reason"], version)
    raise ValueError(step.kind)
