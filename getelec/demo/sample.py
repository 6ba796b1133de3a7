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
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from getelec.accounts.models import Region, User
from getelec.audit.services import record
from getelec.connection import services
from getelec.connection.models import Application, PauseReason
from getelec.core.workdays import CalendarYearNotLoaded
from getelec.demo import identity, reference
from getelec.demo.accounts import DEMO_USERNAME_PREFIX
from getelec.demo.shapes import anchor_day
from getelec.demo.stories import (
    CANCEL_REASONS,
    CATEGORY_SHAPES,
    CUSTOMER_PREFIX,
    SAMPLE_KEY_PREFIX,
    SHAPES,
    STAFF_PAUSE_REASONS,
    TARGET,
    Step,
    Story,
    StoryBook,
    customer_username,
)
from getelec.workcalendar.source import current_calendar

__all__ = [  # the stories live in getelec.demo.stories; their names stay importable here
    "CANCEL_REASONS",
    "CATEGORY_SHAPES",
    "CUSTOMER_PREFIX",
    "SAMPLE_KEY_PREFIX",
    "SHAPES",
    "STAFF_PAUSE_REASONS",
    "TARGET",
    "Clock",
    "SampleResult",
    "Step",
    "Story",
    "StoryBook",
    "customer_username",
    "load_sample",
]
STAFF_BY_CITY = {
    "640100": "demo-staff-yinchuan",
    "640200": "demo-staff-shizuishan",
    "640300": "demo-staff-wuzhong",
    "640400": "demo-staff-guyuan",
    "640500": "demo-staff-zhongwei",
}
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
