"""Demo content for the regulator's desk, loaded by `getelec demo` after the connection demo.

    from getelec.demo.supervision import load_demo
    load_demo()   # after organisations, users and applications exist

Idempotent (a second run adds nothing). Goes through the services (audited), then moves a few
dates back so that every state shows: filings draft / submitted / revised / past their committed
date, October's batch already submitted, ledger reports accepted / returned / missing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from getelec.accounts.models import Organisation, User
from getelec.connection import services as connection
from getelec.connection.models import OPEN_STATUSES, Application, Voltage
from getelec.supervision import rules, services
from getelec.supervision.models import (
    DelayFiling,
    FilingRevision,
    LedgerAssignment,
    MonthlyBatch,
    ProgressReport,
)

DEMO = "demo"


def _staff_for(app: Application) -> User | None:
    for user in User.objects.filter(
        role=User.Role.STAFF, organisation_id=app.company_id, is_active=True
    ):
        if connection.can_work_on(user, app):
            return user
    return None


def _reviewer(exclude_org_id: int | None) -> User | None:
    reviewers = User.objects.filter(
        role=User.Role.REGULATOR, is_active=True, organisation__kind=Organisation.Kind.REGULATOR
    )
    if exclude_org_id is not None:  # (a reviewer always has an organisation)
        reviewers = reviewers.exclude(organisation_id=exclude_org_id)
    return reviewers.order_by("id").first()


def _filing_input(app: Application, today: dt.date, committed: dt.date) -> services.FilingInput:
    data = services.FilingInput.from_application(app)
    data.cause = data.cause or "public_grid_upgrade"
    data.upgrade_project = data.upgrade_project or "10千伏配套线路改造工程"
    data.cause_detail = "需新建10千伏配套线路并增容配电变压器，工期超出规定接电时限"
    data.measures = "同步建设配套电网；已列入本月施工计划；为用户提供临时电源过渡"
    data.customer_informed_on = min(max(app.applied_on, data.customer_informed_on or today), today)
    data.customer_informed_how = "书面告知书（用户签收）"
    data.contact = "客户经理 0951-6000000"
    data.committed_on = committed
    if app.due_on is not None and app.due_on < today:
        data.late_reason = "标记时已超过规定时限，补充备案"
    return data


def _demo_filings(today: dt.date, summary: dict[str, int]) -> None:
    blocked = (
        Application.objects.filter(voltage=Voltage.LOW, status__in=OPEN_STATUSES)
        .exclude(grid_upgrade_cause="")
        .filter(delay_filing__isnull=True)
        .order_by("company_id", "applied_on", "id")
    )
    # Four filings per company at most, counting those of an earlier run (idempotent): a fifth
    # blocked application stays unfiled, which the desk flags.
    per_company: dict[int, int] = dict(
        Counter(DelayFiling.objects.values_list("company_id", flat=True))
    )
    last_month = rules.month_start(rules.month_start(today) - dt.timedelta(days=1))
    for app in blocked:
        i = per_company.get(app.company_id, 0)
        if i >= 4:
            continue
        staff = _staff_for(app)
        if staff is None:
            continue
        per_company[app.company_id] = i + 1
        committed = max(app.applied_on + dt.timedelta(days=40), today + dt.timedelta(days=20))
        if i == 3:  # committed date already passed: follow-up flag
            committed = max(app.applied_on + dt.timedelta(days=1), today - dt.timedelta(days=5))
            if committed >= today:
                committed = today - dt.timedelta(days=1)
            if committed <= app.applied_on:
                per_company[app.company_id] = i
                continue
        filing = services.create_filing(staff, app, _filing_input(app, today, committed))
        summary["filings"] += 1
        if i == 0:
            continue  # stays a draft
        filing = services.submit_filing(staff, filing, filing.version)
        # Demo backdating: first submitted within last month, so it is in October's batch.
        back = max(app.applied_on, last_month + dt.timedelta(days=9))
        if back <= rules.month_end(last_month) and i != 3:
            FilingRevision.objects.filter(filing=filing, number=1).update(submitted_on=back)
            DelayFiling.objects.filter(pk=filing.pk).update(submitted_on=back, created_on=back)
            filing.refresh_from_db()
        if i == 2:
            data = _filing_input(app, today, committed + dt.timedelta(days=15))
            services.revise_filing(
                staff, filing, data, "配套线路路径调整，需补办占道审批", filing.version
            )


def _demo_batches(today: dt.date, summary: dict[str, int]) -> None:
    from getelec.supervision import selectors

    last_month = rules.month_start(rules.month_start(today) - dt.timedelta(days=1))
    companies = (
        DelayFiling.objects.filter(submitted_on__isnull=False)
        .values_list("company_id", flat=True)
        .distinct()
    )
    for company in Organisation.objects.filter(pk__in=list(companies)).order_by("id")[:1]:
        if MonthlyBatch.objects.filter(company=company, month=last_month).exists():
            continue
        staff = User.objects.filter(role=User.Role.STAFF, organisation=company).first()
        if staff is None or not selectors.batch_preview(company, last_month, today).rows:
            continue
        # Submitted on time: on the 3rd working day of this month (due by the 5th), with the
        # clock set to that morning so the batch and its audit row carry that date.
        with _clock_at(_on_time_day(today)):
            services.submit_batch(staff, company, last_month)
        summary["batches"] += 1


def _on_time_day(today: dt.date) -> dt.date:
    from getelec.core.workdays import CalendarYearNotLoaded
    from getelec.workcalendar.source import current_calendar

    month_before = rules.month_start(today) - dt.timedelta(days=1)
    try:
        day = current_calendar().add_workdays(month_before, 3)
    except CalendarYearNotLoaded:  # submit today instead (then flagged late)
        return today
    return min(day, today)


def _clock_at(day: dt.date) -> Any:
    from getelec.demo.sample import Clock

    tz = timezone.get_current_timezone()
    return Clock().at(dt.datetime(day.year, day.month, day.day, 10, 30, tzinfo=tz))


def _demo_reports(today: dt.date, summary: dict[str, int]) -> None:
    if ProgressReport.objects.exists():
        return
    last = rules.Quarter.of(rules.Quarter.of(today).first_day - dt.timedelta(days=1))
    plan = [  # (task number, review) per supply company; missing rows stay overdue
        (8, "accepted"),
        (14, "returned"),
        (28, "accepted"),
        (47, "accepted"),  # 2025年底前, completed
    ]
    for assignment in (
        LedgerAssignment.objects.filter(organisation__kind=Organisation.Kind.SUPPLY_COMPANY)
        .select_related("task", "organisation")
        .order_by("organisation_id", "task__number")
    ):
        review = dict(plan).get(assignment.task.number)
        if review is None:
            continue
        user = User.objects.filter(
            role=User.Role.STAFF, organisation=assignment.organisation
        ).first()
        reviewer = _reviewer(assignment.organisation_id)
        if user is None or reviewer is None:
            continue
        done = assignment.task.due_on is not None
        report = services.file_progress_report(
            user,
            assignment,
            last.year,
            last.q,
            "已完成用户视角的办电进度、抢修复电进度查询功能上线"
            if done
            else f"{last.label}推进情况：已按计划落实，详见附件清单",
            "completed" if done else "in_progress",
        )
        # Demo backdating: reported within the quarter's reporting window.
        ProgressReport.objects.filter(pk=report.pk).update(
            submitted_on=min(today, last.last_day + dt.timedelta(days=8))
        )
        report.refresh_from_db()
        services.review_report(
            reviewer,
            report,
            review,
            "请补充具体数量和完成时间" if review == "returned" else "",
        )
        summary["reports"] += 1
    # One regulator (自治区发展改革委, the unit of row 1) reports on its own row and awaits review.
    ndrc = (
        LedgerAssignment.objects.filter(task__number=1, unit_as_written="自治区发展改革委")
        .select_related("organisation")
        .first()
    )
    user = (
        User.objects.filter(role=User.Role.REGULATOR, organisation_id=ndrc.organisation_id)
        .order_by("id")
        .first()
        if ndrc
        else None
    )
    if ndrc and user:
        services.file_progress_report(
            user, ndrc, last.year, last.q, "召开“获得电力”工作协调会，督办重点任务"
        )
        summary["reports"] += 1


def load_demo(actor: Any = DEMO) -> dict[str, int]:
    """Load the desk's demo content; returns what was added."""
    today = timezone.localdate()
    summary = {"filings": 0, "batches": 0, "reports": 0}
    services.load_ledger(actor)
    with transaction.atomic():
        _demo_filings(today, summary)
        _demo_batches(today, summary)
        _demo_reports(today, summary)
    return summary
