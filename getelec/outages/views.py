"""Web pages of the supply-quality desk. Thin: parse, call a selector or service, render.

Desk pages (ledger, warnings, planned outages, repairs, outbox, dashboards) are for supply-company
staff (their own grid) and regulators/admins (everything); anyone else gets a 404. The
disclosure (L29) and the outage/repair lookup (L47) are public and show no personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from getelec.kernel.errors import InvalidInput, ServiceError, add_to_form
from getelec.kernel.policy import param
from getelec.outages import exports, labels, selectors, services, throttle
from getelec.outages.dashboard import dashboard_context, reward_penalty_table
from getelec.outages.forms import (
    AdvanceRepairForm,
    CancelPlannedOutageForm,
    CloseForm,
    LookupForm,
    PlanForm,
    PlannedOutageForm,
    RectifyForm,
    RepairForm,
    VerifyForm,
)
from getelec.outages.localtime import aware
from getelec.outages.models import (
    OPEN_ENTRY_STATUSES,
    REPAIR_STAGE_ORDER,
    EntryStatus,
    LedgerEntry,
    PlannedOutage,
    RepairStage,
)
from getelec.webinput import page_number, query_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def desk_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_desk_user(request.user):
            raise Http404(_("页面不存在"))
        return view(request, *args, **kwargs)

    return wrapped


def regulator_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.sees_everything(request.user):
            raise Http404(_("页面不存在"))
        return view(request, *args, **kwargs)

    return wrapped


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page(request: HttpRequest, qs: Any, per_page: int = 50) -> Any:
    return Paginator(qs, per_page).get_page(page_number(request.GET))


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def index(request: HttpRequest) -> HttpResponse:
    if selectors.is_desk_user(request.user):
        return redirect("outages:ledger")
    return redirect("outages:disclosure")


# --------------------------------------------------------------------------------------------
# Ledger (L28, L30)
# --------------------------------------------------------------------------------------------


@desk_view
def ledger(request: HttpRequest) -> HttpResponse:
    qs = selectors.filter_entries(selectors.entries_for(request.user), request.GET)
    return render(
        request,
        "outages/ledger.html",
        {
            "page": _page(request, qs.order_by("-year", "identified_on", "point_id")),
            "query": _query_without_page(request),
            "statuses": EntryStatus.choices,
            "cities": selectors.cities(),
            "companies": selectors.supply_companies()
            if selectors.sees_everything(request.user)
            else [],
            "today": timezone.localdate(),
            "filters": request.GET,
        },
    )


@desk_view
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    qs = selectors.filter_entries(selectors.entries_for(request.user), request.GET)
    content = exports.regulator_xlsx(qs.order_by("company_id", "region_id", "point_id"))
    name = f"frequent-outage-ledger-{timezone.localdate():%Y%m%d}.xlsx"
    return _download(content, name, XLSX)


def _entry_context(request: HttpRequest, entry: LedgerEntry) -> dict[str, Any]:
    user = request.user
    can_work = selectors.can_work_on(user, entry.company_id, entry.region_id)
    can_verify = selectors.can_verify(user)
    today = timezone.localdate()
    end = selectors.observation_end(entry)
    passed = end is not None and today > end
    in_observation = entry.status == EntryStatus.OBSERVATION
    version = {"version": entry.version}
    return {
        "entry": entry,
        "rule_text": labels.entry_rule_text(entry),
        "interruptions": selectors.entry_interruptions(entry),
        "cause_labels": labels.CAUSE_LABELS,
        "observation_end": end,
        "observation_passed": passed,
        "today": today,
        "can_plan": can_work
        and entry.status in (EntryStatus.IDENTIFIED, EntryStatus.REOPENED, EntryStatus.PLANNED),
        "can_rectify": can_work and entry.status == EntryStatus.PLANNED,
        # L30: verification only once the observation period has passed; until then the
        # form is not offered, the page says from when it is.
        "can_verify": can_verify and in_observation and passed,
        "verify_from": end + dt.timedelta(days=1)
        if can_verify and in_observation and end is not None and not passed
        else None,
        "can_close": can_verify and entry.status == EntryStatus.VERIFIED,
        "plan_form": PlanForm(
            initial={
                **version,
                "measures": entry.measures,
                "budget_wan": entry.budget_wan,
                "target_on": entry.target_on,
                "responsible_team": entry.responsible_team,
            }
        ),
        "rectify_form": RectifyForm(initial={**version, "rectified_on": today}),
        "verify_form": VerifyForm(initial={**version, "verified_on": today}),
        "close_form": CloseForm(initial=version),
        "history": labels.with_action_labels(selectors.entry_history(entry)),
    }


@desk_view
def entry_detail(request: HttpRequest, number: str) -> HttpResponse:
    entry = selectors.get_entry_for(request.user, number)
    return render(request, "outages/entry_detail.html", _entry_context(request, entry))


ACTIONS: dict[str, tuple[type, Callable[..., Any], str]] = {
    "plan": (PlanForm, services.plan_rectification, "plan_form"),
    "rectify": (RectifyForm, services.record_rectification, "rectify_form"),
    "verify": (VerifyForm, services.verify_entry, "verify_form"),
    "close": (CloseForm, services.close_entry, "close_form"),
}
DONE = {
    "plan": gettext_lazy("整改计划已保存"),
    "rectify": gettext_lazy("已登记整改完成，进入观察期"),
    "verify": gettext_lazy("已登记核验记录"),
    "close": gettext_lazy("已闭环销号"),
}


@desk_view
@require_POST
def entry_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    entry = selectors.get_entry_for(request.user, number)
    form_class, service, form_name = ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(request.user, entry, **form.cleaned_data)
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, DONE[action])
            return redirect("outages:entry", number=entry.number)
    context = _entry_context(request, entry)
    context[form_name] = form
    context["open_form"] = action
    if not context.get(f"can_{action}"):  # the form is no longer offered: say why
        for error in form.non_field_errors():
            messages.error(request, error)
    return render(request, "outages/entry_detail.html", context, status=422)


@desk_view
def warnings(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year
    rows = selectors.warnings_for(request.user, year)
    return render(request, "outages/warnings.html", {"rows": rows[:500], "total": len(rows)})


@regulator_view
def regulator(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = selectors.entries_for(request.user)
    snapshot = selectors.latest_snapshot()  # L27: published yearly
    return render(
        request,
        "outages/regulator.html",
        {
            "groups": selectors.open_entry_groups(qs, today),
            "statuses": [s for s in EntryStatus if s in OPEN_ENTRY_STATUSES],
            "overdue": selectors.overdue_entries(qs, today).order_by("target_on")[:200],
            "reopened": selectors.reopened_entries(qs)[:200],
            "late": selectors.late_arrivals(selectors.repairs_for(request.user))[:200],
            "today": today,
            "snapshot": snapshot,
            "reward": reward_penalty_table(snapshot) if snapshot else None,
        },
    )


# --------------------------------------------------------------------------------------------
# Public disclosure (L29) and lookup (L47)
# --------------------------------------------------------------------------------------------


def _public_rows(request: HttpRequest) -> Any:
    return selectors.filter_public_entries(selectors.public_entries(), request.GET)


def disclosure(request: HttpRequest) -> HttpResponse:
    qs = _public_rows(request)
    return render(
        request,
        "outages/disclosure.html",
        {
            "page": _page(request, qs),
            "query": _query_without_page(request),
            "columns": exports.headers(exports.PUBLIC_COLUMNS),
            "regions": selectors.disclosure_regions(),
            "filters": request.GET,
        },
    )


def disclosure_csv(request: HttpRequest) -> HttpResponse:
    return _download(
        exports.public_csv(_public_rows(request)), "frequent-outage-rectification.csv", "text/csv"
    )


def disclosure_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(
        exports.public_xlsx(_public_rows(request)), "frequent-outage-rectification.xlsx", XLSX
    )


def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    results = []
    status = 200
    if form.is_valid():
        minutes = throttle.admit(request)
        if minutes is not None:
            form.add_error("q", _("查询次数过多，请%(n)s分钟后再试。") % {"n": minutes})
            status = 429
        else:
            now = timezone.now()
            for district in selectors.lookup_districts(form.cleaned_data["q"]):
                results.append({"district": district, **selectors.district_outages(district, now)})
    return render(
        request,
        "outages/lookup.html",
        {"form": form, "results": results, "searched": form.is_bound, "stages": RepairStage},
        status=status,
    )


@login_required
def my_power(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    meters = [
        {"meter": m, **selectors.district_outages(m.district, now)}
        for m in selectors.my_meters(request.user)
    ]
    notices = selectors.notices_for(request.user).filter(user=request.user, channel="outbox")
    return render(
        request,
        "outages/my_power.html",
        {"meters": meters, "notices": notices[:50], "stages": RepairStage},
    )


# --------------------------------------------------------------------------------------------
# Planned outages (L25) and repairs (L24, L47)
# --------------------------------------------------------------------------------------------


def _planned_inputs(request: HttpRequest, form: PlannedOutageForm) -> dict[str, Any]:
    data = form.cleaned_data
    feeder_obj = selectors.feeder_for(request.user, data["feeder"])
    if feeder_obj is None:
        raise InvalidInput(_("未找到该线路（或不属于本企业）"), "feeder")
    ids = [x.strip() for x in data["districts"].replace("，", ",").split(",") if x.strip()]
    districts = selectors.feeder_districts(feeder_obj, ids)
    if len(districts) != len(set(ids)):
        raise InvalidInput(_("有台区编号不存在或不在该线路上"), "districts")
    return {
        "feeder": feeder_obj,
        "districts": districts,
        "start": aware(data["start"]),
        "end": aware(data["end"]),
        "work": data["work"],
        "confirm_warning": data["confirm_warning"],
    }


@desk_view
def planned(request: HttpRequest) -> HttpResponse:
    qs = selectors.planned_for(request.user).order_by("-start")
    form = None
    check = None
    if selectors.is_company_staff(request.user):
        form = PlannedOutageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                inputs = _planned_inputs(request, form)
                check = services.check_planned(
                    inputs["feeder"], inputs["districts"], inputs["start"]
                )
                outage = services.create_planned_outage(request.user, **inputs)
            except ServiceError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("计划停电已公告：%(n)s") % {"n": outage.number})
                return redirect("outages:planned")
    return render(
        request,
        "outages/planned.html",
        {
            "page": _page(request, qs),
            "form": form,
            "check": check,
            "notice_days": param("quality_planned_notice_days"),
            "merge_days": param("quality_merge_lookahead_days"),
            "now": timezone.now(),  # an outage can be cancelled until it starts
        },
        status=422 if form is not None and form.errors else 200,
    )


@desk_view
def planned_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel an announced planned outage, with a reason; only the staff of the company that
    owns the feeder (anyone else: 404, like an outage outside their scope)."""
    outage = selectors.get_planned_for(request.user, number)
    if not selectors.can_work_on(request.user, outage.company_id, outage.feeder.region_id):
        raise Http404(_("未找到该计划停电"))
    form = CancelPlannedOutageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        already = outage.status == PlannedOutage.Status.CANCELLED
        try:
            services.cancel_planned_outage(request.user, outage, form.cleaned_data["reason"])
        except ServiceError as exc:
            add_to_form(form, exc)
        else:
            if already:
                messages.info(request, _("该计划停电已取消：%(n)s") % {"n": outage.number})
            else:
                messages.success(request, _("计划停电已取消：%(n)s") % {"n": outage.number})
            return redirect("outages:planned")
    return render(
        request,
        "outages/planned_cancel.html",
        {"outage": outage, "form": form},
        status=422 if form.errors else 200,
    )


@desk_view
def repairs(request: HttpRequest) -> HttpResponse:
    qs = selectors.repairs_for(request.user).order_by("-accepted_at")
    form = None
    if selectors.is_company_staff(request.user):
        form = RepairForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            district = selectors.district_for(request.user, form.cleaned_data["district"])
            try:
                if district is None:
                    raise InvalidInput(_("未找到该台区（或不属于本企业）"), "district")
                ticket = services.open_repair(
                    request.user, district=district, description=form.cleaned_data["description"]
                )
            except ServiceError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("抢修工单已受理：%(n)s") % {"n": ticket.number})
                return redirect("outages:repair", number=ticket.number)
    return render(
        request,
        "outages/repairs.html",
        {
            "page": _page(request, qs),
            "form": form,
            "commitment": param("quality_repair_arrival_minutes"),
        },
        status=422 if form is not None and form.errors else 200,
    )


def _next_stage(stage: str) -> str | None:
    i = REPAIR_STAGE_ORDER.index(stage)
    return REPAIR_STAGE_ORDER[i + 1] if i + 1 < len(REPAIR_STAGE_ORDER) else None


@desk_view
def repair_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.get_repair_for(request.user, number)
    can_work = selectors.can_work_on(request.user, ticket.company_id, ticket.district.region_id)
    nxt = _next_stage(ticket.stage)
    form = AdvanceRepairForm(request.POST or None, initial={"stage": nxt})
    if request.method == "POST":
        if not can_work:
            raise Http404
        if form.is_valid():
            try:
                services.advance_repair(
                    request.user,
                    ticket,
                    stage=form.cleaned_data["stage"],
                    at=aware(form.cleaned_data["at"]),
                )
            except ServiceError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("抢修进度已更新"))
                return redirect("outages:repair", number=ticket.number)
    return render(
        request,
        "outages/repair_detail.html",
        {
            "ticket": ticket,
            "form": form if can_work and nxt else None,
            "stages": [(s, getattr(ticket, services.STAGE_FIELD[s])) for s in RepairStage],
        },
        status=422 if form.errors else 200,
    )


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    qs = selectors.notices_for(request.user)
    if not selectors.is_desk_user(request.user):
        qs = qs.filter(user=request.user)
    return render(request, "outages/notices.html", {"page": _page(request, qs)})


# --------------------------------------------------------------------------------------------
# Reliability dashboards (L21, L22, L27)
# --------------------------------------------------------------------------------------------


@desk_view
def dashboard(request: HttpRequest) -> HttpResponse:
    year = query_year(request.GET)
    context = dashboard_context(
        year, request.GET.get("level") or "mv", request.GET.get("index") or "SAIDI"
    )
    return render(request, "outages/dashboard.html", context)
