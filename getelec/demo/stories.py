"""The sample stories (getelec.demo.sample): which applications the demo tells, step by step,
deterministic for a seed. Building them needs the calendar and the rules, not the database."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from getelec.connection.models import GridUpgradeCause, KeyProject, PauseReason
from getelec.core.workdays import WorkCalendar
from getelec.demo import reference
from getelec.demo.accounts import DEMO_USERNAME_PREFIX
from getelec.demo.shapes import Decider, Shape

SAMPLE_KEY_PREFIX = "demo-sample-"
CUSTOMER_PREFIX = f"{DEMO_USERNAME_PREFIX}customer-"
TARGET = 200
STAFF_PAUSE_REASONS = [r for r in PauseReason if r != PauseReason.AWAITING_CONSENT]

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
