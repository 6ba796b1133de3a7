"""Web pages of the connection service (办电). Thin: parse → service/selector → render.

Access: role checks here are UX only (which pages a role is offered); the authority is the
scoped selectors, so another applicant's application is a 404 whatever the role check says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from getelec.accounts.models import User
from getelec.accounts.powers import Power, powers_of
from getelec.accounts.views import landing_url
from getelec.connection import selectors, services, throttle
from getelec.connection.forms import (
    AdvanceForm,
    ApplicationForm,
    AssessFieldsForm,
    CancelForm,
    CapacitySuggestForm,
    ConsentForm,
    ContractedDateForm,
    GridUpgradeForm,
    KeyProjectForm,
    PauseForm,
    PublicLookupForm,
    QueueFilterForm,
    RegulatorFilterForm,
    ResumeForm,
)
from getelec.connection.models import (
    Application,
    Category,
    Document,
    Notification,
    StageCode,
    Status,
)
from getelec.connection.reason_text import rendered as rendered_reasons
from getelec.core.assess import AssessError, assess, parse_input, plan, suggest_capacity
from getelec.core.compliance import clock_overdue
from getelec.core.policy import ParameterValue
from getelec.core.workdays import CalendarYearNotLoaded, pending_text
from getelec.kernel.errors import add_to_form
from getelec.kernel.policy import param
from getelec.webinput import page_number
from getelec.workcalendar.source import current_calendar

PAGE_SIZE = 50
CONFLICT_MESSAGE = gettext_noop("该申请已被他人处理，请刷新后重试")  # translated where shown


# --- helpers ---------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


@dataclass
class Row:
    """One application in a list, with what the list shows about its clock."""

    application: Application
    remaining_wd: int | None
    overdue: bool
    pending_text: str

    @property
    def overdue_wd(self) -> int | None:
        return -self.remaining_wd if self.remaining_wd is not None else None


def _rows(applications: list[Application]) -> list[Row]:
    today = _today()
    remaining = selectors.remaining_workdays(applications, today, current_calendar())
    paused_since = selectors.open_pause_starts(applications)
    return [
        Row(
            application=app,
            remaining_wd=remaining.get(app.pk),
            overdue=app.is_open and clock_overdue(app.due_on, today, paused_since.get(app.pk)),
            pending_text=pending_text(app.due_pending_year),
        )
        for app in applications
    ]


@dataclass
class Page:
    """A page without counting the whole table: fetch one row more to know if there is a next."""

    rows: list[Row]
    number: int
    has_next: bool
    has_previous: bool
    start_index: int


def _page(request: HttpRequest, queryset: QuerySet[Application]) -> Page:
    number = page_number(request.GET)
    offset = (number - 1) * PAGE_SIZE
    fetched = list(queryset[offset : offset + PAGE_SIZE + 1])
    return Page(
        rows=_rows(fetched[:PAGE_SIZE]),
        number=number,
        has_next=len(fetched) > PAGE_SIZE,
        has_previous=number > 1,
        start_index=offset + 1,
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _three_zero_cap(region: str | None = None) -> ParameterValue:
    return param("three_zero_max_kw", _today(), region)


# --- home and public progress ----------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"lookup_form": PublicLookupForm()})


@require_http_methods(["GET", "POST"])
def public_progress(request: HttpRequest) -> HttpResponse:
    """No login, no personal data; unknown number and wrong code give the same answer.

    Failed look-ups are counted per number and client to slow down guessing (throttle.py).
    """
    progress = None
    status = 200
    if request.method == "POST":
        form = PublicLookupForm(request.POST)
        number = str(request.POST.get("number", ""))
        minutes = throttle.blocked(request, number)
        if minutes is not None:
            form.is_valid()
            form.add_error(None, _("查询失败次数过多，请%(n)s分钟后再试。") % {"n": minutes})
            status = 429
        elif form.is_valid():
            progress = selectors.public_progress(
                form.cleaned_data["number"], form.cleaned_data["verification_code"]
            )
            if progress is None:
                throttle.failed(request, form.cleaned_data["number"])
                form.add_error(None, _("申请编号或查询验证码不正确。"))
                status = 404
        else:
            status = 400
    else:
        form = PublicLookupForm()
    context: dict[str, Any] = {"form": form, "progress": progress}
    return render(request, "connection/public_progress.html", context, status=status)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


# --- apply -----------------------------------------------------------------------------------


def _reusable_documents(user: User) -> QuerySet[Document]:
    """The applicant's documents still valid today (L13: submitted once, reused)."""
    return selectors.reusable_documents(user, _today())


def _notifications(user: User) -> QuerySet[Notification]:
    return selectors.notifications_for(user)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_applicant:
        messages.info(request, _("只有申请人账号可以在线提交用电报装申请。"))
        return redirect("home")
    reusable = _reusable_documents(user)
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, reusable=reusable)
        if form.is_valid():
            data = form.cleaned_data
            payload = services.ApplicationInput.from_form(data)
            try:
                application = services.submit_application(
                    user,
                    payload,
                    uploads=form.uploads(),
                    reuse_document_ids=[d.pk for d in data["reuse_documents"]],
                    submission_key=data["submission_key"],
                )
            except services.ServiceError as exc:
                add_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("申请已提交，申请编号%(number)s，查询验证码%(code)s。")
                    % {"number": application.number, "code": application.verification_code},
                )
                return redirect("application_detail", number=application.number)
        status = 400
    else:
        form = ApplicationForm(reusable=reusable)
        status = 200
    return render(
        request,
        "connection/apply.html",
        {
            "form": form,
            "three_zero_cap": _three_zero_cap(),
            "capacity_form": CapacitySuggestForm(),
            "has_reusable": form.fields["reuse_documents"].queryset.exists(),
            "max_mb": f"{settings.DOCUMENT_MAX_BYTES / 1024 / 1024:g}",
        },
        status=status,
    )


@login_required
@require_POST
def assess_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the rules' verdict for what is on the form so far (nothing is saved)."""
    form = AssessFieldsForm(request.POST)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        return render(request, "connection/_assess_preview.html", context)
    today = _today()
    try:
        parsed = parse_input(form.assess_payload(today))
    except AssessError as exc:
        context["error"] = str(exc)
        return render(request, "connection/_assess_preview.html", context)
    try:
        result = assess(parsed, calendar=current_calendar())
        decided: Any = result
        context["due_on"] = result.due_on
    except CalendarYearNotLoaded as exc:
        decided = plan(parsed)
        context["pending_text"] = exc.pending_text
    context.update(
        decided=decided,
        category_label=_label(Category, decided.category),
        stages=[
            {"label": _label(StageCode, stage), "limit": limit}
            for stage, limit in _stage_pairs(decided)
        ],
        time_limit_basis=decided.basis["time_limit"][0],
        stage_basis=decided.basis["stages"],
        reasons=rendered_reasons(decided.reasons),
        category_basis=decided.basis["category"],
        three_zero_cap=_three_zero_cap(parsed.region),
        applied_on=today,
    )
    return render(request, "connection/_assess_preview.html", context)


def _stage_pairs(decided: Any) -> list[tuple[str, int]]:
    stages = decided.stages
    if stages and not isinstance(stages[0], tuple):
        return [(s.stage, s.limit_wd) for s in stages]
    return list(stages)


@login_required
@require_GET
def capacity_suggest(request: HttpRequest) -> HttpResponse:
    """htmx: recommended capacity for a dwelling by floor area (L7 capacity standard)."""
    form = CapacitySuggestForm(request.GET)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        area = float(form.cleaned_data["floor_area_m2"])
        try:
            suggestion = suggest_capacity(_today(), area_m2=area)
        except AssessError as exc:  # the form's bounds make this unreachable; be explicit
            form.add_error("floor_area_m2", str(exc))
        else:
            bands, minimum = suggestion.basis[0], suggestion.basis[1]
            context.update(suggested_kw=suggestion.kw, bands=bands, minimum=minimum, area=area)
    return render(request, "connection/_capacity_suggest.html", context)


# --- the applicant's pages -------------------------------------------------------------------


@login_required
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_applicant:
        return redirect(_landing_for(user))
    queryset = selectors.list_columns(selectors.applications_for(user)).order_by(
        "-applied_on", "-id"
    )
    notifications = _notifications(user).select_related("application")[:20]
    return render(
        request,
        "connection/my_applications.html",
        {
            "page": _page(request, queryset),
            "query": _query_without_page(request),
            "notifications": notifications,
        },
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    raw = request.POST.getlist("ids")
    ids = [int(i) for i in raw if i.isdigit()]
    if ids or not raw:  # no ids: "mark all read"; only malformed ids: mark nothing
        services.mark_notifications_read(user, ids)
    if request.htmx:  # type: ignore[attr-defined]
        notifications = _notifications(user).select_related("application")[:20]
        return render(request, "connection/_notifications.html", {"notifications": notifications})
    return redirect("my_applications")


def _landing_for(user: User) -> str:
    return landing_url(user)


# --- application detail and the actions on it ------------------------------------------------


ACTION_FORMS: dict[str, type] = {
    "advance": AdvanceForm,
    "consent": ConsentForm,
    "pause": PauseForm,
    "resume": ResumeForm,
    "grid_upgrade": GridUpgradeForm,
    "contracted": ContractedDateForm,
    "key_project": KeyProjectForm,
    "cancel": CancelForm,
}


def _load(user: User, number: str) -> Application:
    application = selectors.get_application_for(user, number)
    return application


def _decision_rows(application: Application) -> list[dict[str, Any]]:
    """Each decision next to the policy values (clause + quoted sentence) that produced it."""
    stored: dict[str, list[dict[str, Any]]] = (application.decision or {}).get("basis") or {}
    # Each quote once per decision, in the row that shows it first (the category's threshold is
    # also a 三零 condition).
    shown: set[tuple[Any, ...]] = set()
    basis: dict[str, list[dict[str, Any]]] = {}
    for key in ("category", "three_zero", "time_limit", "stages"):
        basis[key] = [v for v in _unique_citations(stored.get(key) or []) if _key(v) not in shown]
        shown.update(_key(v) for v in basis[key])
    rows = [
        {
            "label": _("办电类别"),
            "value": application.get_category_display(),
            "basis": basis.get("category", []),
        },
        {
            "label": _("三零服务"),
            "value": _("是") if application.three_zero else _("否"),
            "basis": basis.get("three_zero", []),
        },
        {
            "label": _("全过程时限"),
            "value": _time_limit_text(
                application.time_limit_wd, services.each_on_own_clock(application)
            ),
            "basis": basis.get("time_limit", []),
        },
        {
            "label": _("环节划分"),
            "value": _("%(n)s 个环节") % {"n": len(application.stages.all())},
            "basis": basis.get("stages", []),
        },
    ]
    return rows


def _time_limit_text(limit_wd: int, own_clock: bool) -> str:
    """The overall limit; on own clocks (T2, charging) a derived figure, said as such."""
    if own_clock:
        return _("%(n)s 个工作日（各环节时限之和，方案只规定各环节时限，逾期按各环节分别计算）") % {
            "n": limit_wd
        }
    return _("%(n)s 个工作日") % {"n": limit_wd}


def _key(value: dict[str, Any]) -> tuple[Any, ...]:
    return (value.get("clause"), value.get("quote"), value.get("reason"))


def _unique_citations(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Several parameters may cite the same sentence: show each quote once."""
    seen, unique = set(), []
    for value in values:
        key = _key(value)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def _basis(application: Application, key: str) -> list[dict[str, Any]]:
    """The stored citations behind one decision ("time_limit", "stages", ...), each quote once."""
    stored = ((application.decision or {}).get("basis") or {}).get(key) or []
    return _unique_citations(stored)


def _reasons(application: Application) -> list[dict[str, Any]]:
    stored = ((application.decision or {}).get("three_zero") or {}).get("reasons") or []
    return rendered_reasons(stored)


def _detail_context(
    request: HttpRequest, application: Application, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    is_owner = selectors.is_owner(user, application)
    can_work = selectors.can_work_on(user, application)
    calendar, today = current_calendar(), _today()
    stages = list(application.stages.all())
    current = next((s for s in stages if s.stage == application.current_stage), None)
    own_clock = services.each_on_own_clock(application)
    version = {"version": application.version}
    forms: dict[str, Any] = {}
    if can_work and application.is_open:
        forms = {
            "advance": AdvanceForm(
                initial={**version, "expected_stage": application.current_stage}
            ),
            "pause": PauseForm(initial=version),
            "resume": ResumeForm(initial=version),
            "grid_upgrade": GridUpgradeForm(
                initial={
                    **version,
                    "cause": application.grid_upgrade_cause or None,
                    "project": application.grid_upgrade_project,
                    "committed_on": application.grid_upgrade_committed_on,
                    "customer_informed_on": application.customer_informed_on,
                }
            ),
            "contracted": ContractedDateForm(
                initial={**version, "contracted_on": application.contracted_on}
            ),
            "key_project": KeyProjectForm(initial={**version, "level": application.key_project}),
            "cancel": CancelForm(initial=version),
        }
    if is_owner and application.status == Status.AWAITING_CONSENT:
        forms["consent"] = ConsentForm(initial=version)
    if bound:
        forms.update(bound)
    open_pause = next((p for p in application.pauses.all() if p.ended_on is None), None)
    return {
        "application": application,
        "is_owner": is_owner,
        "can_work": can_work,
        "read_only": not can_work,
        "show_personal": selectors.sees_personal_data(user, application),
        "stages": [
            {
                "record": s,
                "is_current": s.stage == application.current_stage and application.is_open,
                "overdue": s.completed_at is None
                and application.is_open
                and clock_overdue(s.due_on, today, open_pause.started_on if open_pause else None)
                # On own clocks (T2) only the current stage runs; later dates are projections.
                and (not own_clock or s.stage == application.current_stage),
                "late": own_clock
                and s.completed_at is not None
                and s.due_on is not None
                and timezone.localdate(s.completed_at) > s.due_on,
            }
            for s in stages
        ],
        "own_clock": own_clock,
        "current_stage": current,
        "pauses": list(application.pauses.all()),
        "open_pause": open_pause,
        "decisions": _decision_rows(application),
        # Each deadline next to its basis: the overall due date (time limit) and every stage
        # deadline (stage limits) show the clause and quoted sentence that produced them.
        "due_basis": _basis(application, "time_limit"),
        "stage_basis": _basis(application, "stages"),
        "reasons": _reasons(application),
        "remaining_wd": selectors.remaining_workdays([application], today, calendar)[
            application.pk
        ],
        "overdue": application.is_open
        and clock_overdue(application.due_on, today, open_pause.started_on if open_pause else None),
        "pending_text": pending_text(application.due_pending_year)
        if application.due_on is None
        else "",
        "forms": forms,
        "three_zero_cap": _three_zero_cap(application.region_id),
        "documents": list(application.documents.all()) if (is_owner or can_work) else [],
    }


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    application = selectors.with_timeline(_load(user, number))
    return render(request, "connection/detail.html", _detail_context(request, application))


@login_required
@require_POST
def action(request: HttpRequest, number: str, name: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    application = _load(user, number)  # 404 for anyone who may not see it
    form_class = ACTION_FORMS.get(name)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    if form.is_valid():
        try:
            _run_action(name, application, user, form.cleaned_data)
        except services.Conflict:
            messages.error(request, _(CONFLICT_MESSAGE))
            return redirect("application_detail", number=number)
        except services.ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _action_done(name))
            return redirect("application_detail", number=number)
    application = selectors.with_timeline(_load(user, number))
    context = _detail_context(request, application, bound={name: form})
    context["failed_action"] = name
    return render(request, "connection/detail.html", context, status=400)


def _run_action(name: str, application: Application, user: User, data: dict[str, Any]) -> None:
    version = data["version"]
    if name == "advance":
        services.advance_stage(application, user, data["expected_stage"], version, data["note"])
    elif name == "consent":
        services.record_informed_consent(application, user, version)
    elif name == "pause":
        services.pause_clock(application, user, data["reason"], data["note"], version)
    elif name == "resume":
        services.resume_clock(application, user, version)
    elif name == "grid_upgrade":
        services.mark_grid_upgrade(
            application,
            user,
            data["cause"],
            data["project"],
            data["committed_on"],
            data["customer_informed_on"],
            version,
            data["reason"],
        )
    elif name == "contracted":
        services.set_contracted_date(application, user, data["contracted_on"], version)
    elif name == "key_project":
        services.set_key_project(application, user, data["level"], version)
    elif name == "cancel":
        services.cancel_application(application, user, data["reason"], version)


def _action_done(name: str) -> str:
    return {
        "advance": _("已完成当前环节。"),
        "consent": _("已记录您的签字确认，申请进入办理。"),
        "pause": _("已暂停计时。"),
        "resume": _("已恢复计时。"),
        "grid_upgrade": _("已标记电网改造并记录承诺完成日期。"),
        "contracted": _("已保存约定接电日期。"),
        "key_project": _("已更新重大项目标记。"),
        "cancel": _("申请已撤销。"),
    }[name]


# --- staff queue and regulator list ----------------------------------------------------------


def _filtered(queryset: QuerySet[Application], form: Any, today: dt.date) -> QuerySet[Application]:
    if not form.is_valid():
        return queryset
    data = form.cleaned_data
    return selectors.filter_applications(
        queryset,
        status=data.get("status") or None,
        category=data.get("category") or None,
        overdue=True if data.get("overdue") else None,
        today=today,
        company=data.get("company"),
        county=data.get("county"),
    )


OVERDUE_COUNT_CAP = 1000


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Key projects first, then by due date (overdue on top), pending-calendar ones last."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_company_staff:
        return redirect(_landing_for(user))
    today = _today()
    form = QueueFilterForm(request.GET or None)
    queryset = _filtered(selectors.list_columns(selectors.staff_queue(user)), form, today)
    # The count on top is bounded: a huge backlog never makes the page count the whole table.
    overdue_count = selectors.overdue_in_queue(user, today, OVERDUE_COUNT_CAP + 1)
    return render(
        request,
        "connection/queue.html",
        {
            "form": form,
            "page": _page(request, queryset),
            "query": _query_without_page(request),
            "overdue_count": min(overdue_count, OVERDUE_COUNT_CAP),
            "overdue_more": overdue_count > OVERDUE_COUNT_CAP,
        },
    )


@login_required
@require_GET
def regulator(request: HttpRequest) -> HttpResponse:
    """Read-only list of every application in the region of an organisation that may read them
    (READ_APPLICATIONS)."""
    user: User = request.user  # type: ignore[assignment]
    if not powers_of(user).has(Power.READ_APPLICATIONS):
        return redirect(_landing_for(user))
    companies, counties = selectors.regulator_filter_choices(user)
    today = _today()
    form = RegulatorFilterForm(request.GET or None, companies=companies, counties=counties)
    queryset = _filtered(
        selectors.list_columns(selectors.applications_for(user)).order_by("-applied_on", "-id"),
        form,
        today,
    )
    return render(
        request,
        "connection/regulator.html",
        {"form": form, "page": _page(request, queryset), "query": _query_without_page(request)},
    )
