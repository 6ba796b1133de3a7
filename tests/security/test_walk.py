"""The security walk: every URL pattern, as every role, on the whole demo (docs/security.md).

- Every role × organisation kind has a fixture; a role or kind without one fails the test, so a
  new role is covered the day it is added.
- Bad values (NUL, numbers beyond 64 bits, text where a number goes, impossible dates) in every
  path parameter and every query parameter never give a server error, as any role.
- An application outside the caller's scope is a 404 on the page and in the API.
- Full ID numbers, phone numbers, addresses, property certificates and natural persons' names
  reach nobody but the applicant and the staff who serve the application, on any page, API
  answer or export the role can open.

A route with a path parameter needs a sample here (ROUTE_SAMPLES): a new one fails the test
until it gets one. The demo is loaded once for the class (about 20 s), clock frozen.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import time_machine
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from getelec.accounts.masking import mask_address, mask_property_scope
from getelec.accounts.models import Organisation, User
from getelec.accounts.services import grant_acting
from getelec.connection.models import Application
from getelec.connection.selectors import can_work_on
from getelec.demo.loader import load_demo

FROZEN = "2026-11-26 10:00 +0800"
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ROOT = Path(__file__).resolve().parents[2]

# name → demo username (None: anonymous; "city_authority" and "staff_province_acting" are
# created below).
ROLE_FIXTURES: dict[str, str | None] = {
    "anonymous": None,
    "applicant": "demo-applicant",
    "applicant_enterprise": "demo-enterprise",
    "staff_yinchuan": "demo-staff-yinchuan",
    "staff_shizuishan": "demo-staff-shizuishan",
    "staff_province": "demo-staff-ningxia",  # reads its branches' applications, read-only
    "staff_province_acting": "security-province-acting",  # the same with an admin's grant
    "department": "demo-department",
    "property_manager": "demo-property-manager",
    "developer": "demo-developer",
    "energy_service": "demo-energy-service",
    "city_authority": "security-city-authority",
    "region_regulator": "demo-regulator-drc",
    "nea_office": "demo-regulator-nea",
    "admin": "demo-admin",
}
# The bad-value walk runs as one role of each kind (the scope walk uses every fixture).
BAD_VALUE_ROLES = [
    "anonymous",
    "applicant",
    "staff_yinchuan",
    "department",
    "property_manager",
    "city_authority",
    "region_regulator",
    "admin",
]
BAD_PATH_VALUES = ["%00", "abc", "9" * 30, "-1"]
BAD_QUERY_VALUES = ["9" * 30, "abc", "-1", "1900-01-01", "x" * 300]
# Query parameters read through forms or ninja are found automatically (see _query_keys).
KNOWN_QUERY_KEYS = ["page", "offset", "limit", "on", "format", "code", "area_m2", "dwellings"]


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def all_routes() -> list[str]:
    return sorted(
        r for r in set(_routes(get_resolver().url_patterns)) if not r.startswith("admin/")
    )


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def fill(route: str, values: dict[str, str]) -> str:
    return "/" + PARAM.sub(lambda m: values[m.group(2)], route)


def _query_keys() -> list[str]:
    """Every query parameter a view reads: the literal ones in views/selectors, the fields of
    the forms bound to request.GET, and the API's query parameters (from its OpenAPI schema)."""
    keys = set(KNOWN_QUERY_KEYS)
    for path in (ROOT / "getelec").rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"GET(?:\.get\(|\[)\"(\w+)\"", text))
        keys |= set(re.findall(r"params\.get\(\"(\w+)\"", text))
        keys |= set(re.findall(r"query_(?:int|year)\([^,]+, \"(\w+)\"", text))
    from getelec.connection import forms as connection_forms
    from getelec.supervision import forms as supervision_forms

    for module in (connection_forms, supervision_forms):
        for name in dir(module):
            form = getattr(module, name)
            if name.endswith("Form") and hasattr(form, "base_fields"):
                keys |= set(form.base_fields)
    schema = Client().get("/api/openapi.json").json()
    for operations in schema["paths"].values():
        for op in operations.values():
            keys |= {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}
    return sorted(keys)


def _personal_fields(app: Application) -> list[tuple[str, str]]:
    """The values that must not reach a role outside the application's scope, where the masked
    form differs from the full one (short values are skipped: they match unrelated text)."""
    fields = [("id_number", app.id_number), ("contact_phone", app.contact_phone)]
    fields = [(f, v) for f, v in fields if len(v) >= 11]
    if mask_address(app.address) != app.address:
        fields.append(("address", app.address))
    if mask_property_scope(app.property_scope) != app.property_scope:
        fields.append(("property_scope", app.property_scope))
    if app.customer_type == "residential" and len(app.customer_name) >= 3:
        fields.append(("customer_name", app.customer_name))
    return fields


def body_text(response: Any) -> str:
    """What a person could read in the answer: HTML/JSON/CSV text, or every cell of an .xlsx."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join(str(c) for c in row if c is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    text = content.decode("utf-8", errors="replace")
    if "json" in kind:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


class _Readable(HTMLParser):
    """The text of a page a person can read: text nodes (not scripts or styles) and the
    attributes shown to them (title, placeholder, aria-label, alt, value of buttons)."""

    SHOWN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in self.SHOWN and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def readable_text(html: str) -> str:
    parser = _Readable()
    parser.feed(html)
    return "\n".join(parser.parts)


# Developer text: file paths, snake_case names (parameters, rule codes, enum values), dotted
# audit action codes, the pseudo-clause ids, English sentences (four words or more).
DEVELOPER_TEXT = [
    re.compile(r"[\w/]*\.(?:ya?ml|md|py|json)\b"),
    re.compile(r"\bpolicy/\S*"),
    re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"),
    re.compile(r"\b[a-z]+\.[a-z]+_[a-z_]+\b"),
    re.compile(r"\b(?:PRACTICE|DEFAULT|LOCAL)\b"),
    re.compile(r"\b[A-Za-z]+(?:[ ,]+[A-Za-z]+){3,}\b"),
]
# English a Chinese page may carry: proper names and standards.
ALLOWED_ENGLISH = re.compile(r"IEEE Std|Getting Electricity|World Bank")


def developer_text(text: str) -> set[str]:
    hits = set()
    for pattern in DEVELOPER_TEXT:
        for match in pattern.finditer(text):
            if not ALLOWED_ENGLISH.search(match.group(0)):
                hits.add(match.group(0))
    return hits


@time_machine.travel(FROZEN, tick=False)
@override_settings(PASSWORD_HASHERS=MD5)
class SecurityWalkTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with time_machine.travel(FROZEN, tick=False), override_settings(PASSWORD_HASHERS=MD5):
            load_demo(out=io.StringIO())
            authority = Organisation.objects.get(
                kind=Organisation.Kind.ENERGY_AUTHORITY, region__code="640100"
            )
            User.objects.create_user(
                "security-city-authority",
                password="unused-Password-1",
                role=User.Role.REGULATOR,
                organisation=authority,
                region=authority.region,
                display_name="银川市发改委工作人员",
            )
            province = User.objects.get(username="demo-staff-ningxia").organisation
            acting = User.objects.create_user(
                "security-province-acting",
                password="unused-Password-1",
                role=User.Role.STAFF,
                organisation=province,
                region=province.region,
                display_name="省公司营销部代办人员",
            )
            grant_acting(User.objects.get(username="demo-admin"), acting, "安全走查（测试）")

    # --- helpers ------------------------------------------------------------------------------

    def user(self, role: str) -> User | None:
        username = ROLE_FIXTURES[role]
        return None if username is None else User.objects.get(username=username)

    def client_for(self, role: str) -> Client:
        client = Client()
        user = self.user(role)
        if user is not None:
            client.force_login(user)
        return client

    def sample_applications(self) -> list[Application]:
        """Two per company, and every application of the two demo applicants."""
        picked: dict[int, Application] = {}
        for company_id in Application.objects.values_list("company_id", flat=True).distinct():
            for app in Application.objects.filter(company_id=company_id).order_by("pk")[:2]:
                picked[app.pk] = app
        for username in ("demo-applicant", "demo-enterprise"):
            for app in Application.objects.filter(applicant__username=username):
                picked[app.pk] = app
        return sorted(picked.values(), key=lambda a: a.pk)

    def route_samples(self) -> dict[str, Callable[[], list[dict[str, str]]]]:
        from getelec.outages.models import LedgerEntry, PlannedOutage, RepairTicket
        from getelec.supervision.models import (
            DelayFiling,
            LedgerTask,
            MonthlyBatch,
            ProgressReport,
            ReportAttachment,
        )

        def numbers(qs: Any, field: str = "number", n: int = 3) -> list[dict[str, str]]:
            return [{field: str(v)} for v in qs.values_list(field, flat=True)[:n]]

        def pks(model: Any, n: int = 3) -> list[dict[str, str]]:
            return [
                {"pk": str(v)}
                for v in model.objects.order_by("pk").values_list("pk", flat=True)[:n]
            ]

        apps = lambda: [{"number": a.number} for a in self.sample_applications()[:6]]  # noqa: E731
        entries = lambda: numbers(LedgerEntry.objects.order_by("pk"))  # noqa: E731
        tasks = lambda: numbers(LedgerTask.objects.order_by("number"))  # noqa: E731
        filings = lambda: pks(DelayFiling)  # noqa: E731
        batches = lambda: pks(MonthlyBatch)  # noqa: E731
        return {
            "api/v1/applications/<number>": apps,
            **{f"api/v1/applications/<number>/{a}": apps for a in _API_ACTIONS},
            "api/v1/progress/<number>": apps,
            "api/v1/supervision/ledger/<number>": tasks,
            "api/v1/supervision/filings/<pk>": filings,
            "api/v1/supervision/batches/<pk>": batches,
            "api/v1/quality/ledger/<number>": entries,
            "supervision/ledger/<int:number>/": tasks,
            "supervision/ledger/<int:number>/report/": tasks,
            "supervision/reports/<int:pk>/review/": lambda: pks(ProgressReport),
            "supervision/attachments/<int:pk>/": lambda: pks(ReportAttachment),
            "supervision/filings/new/<str:number>/": apps,
            "supervision/filings/<int:pk>/": filings,
            "supervision/filings/<int:pk>/edit/": filings,
            "supervision/filings/<int:pk>/submit/": filings,
            "supervision/batches/<int:pk>/": batches,
            "supervision/batches/<int:pk>/export.xlsx": batches,
            "quality/ledger/<str:number>/": entries,
            "quality/ledger/<str:number>/<str:action>/": lambda: [
                {**e, "action": "verify"} for e in entries()
            ],
            "quality/repairs/<str:number>/": lambda: numbers(RepairTicket.objects.order_by("pk")),
            "quality/planned/<str:number>/cancel/": lambda: numbers(
                PlannedOutage.objects.order_by("pk")
            ),
            "applications/<str:number>/": apps,
            "applications/<str:number>/<slug:name>/": lambda: [
                {**a, "name": "advance"} for a in apps()
            ],
        }

    def concrete_urls(self) -> list[str]:
        """Every route once per sample (the param-less ones as they are)."""
        samples = self.route_samples()
        urls = []
        for route in all_routes():
            if "<" not in route:
                urls.append(fill(route, {}))
                continue
            assert route in samples, f"add a sample for the new route {route!r} to ROUTE_SAMPLES"
            urls += [fill(route, values) for values in samples[route]()]
        return urls

    # --- the tests ----------------------------------------------------------------------------

    def test_every_role_and_organisation_kind_has_a_fixture(self) -> None:
        roles, kinds = set(), set()
        for name in ROLE_FIXTURES:
            user = self.user(name)
            if user is None:
                continue
            roles.add(user.role)
            if user.organisation_id:
                kinds.add(user.organisation.kind)
        assert set(User.Role.values) <= roles, set(User.Role.values) - roles
        assert set(Organisation.Kind.values) <= kinds, set(Organisation.Kind.values) - kinds
        assert set(BAD_VALUE_ROLES) <= set(ROLE_FIXTURES)

    def test_bad_values_in_paths_and_queries_never_give_a_server_error(self) -> None:
        keys = _query_keys()
        assert {"page", "company", "q", "offset", "on", "month"} <= set(keys)
        routes = all_routes()
        samples = self.route_samples()
        failures: list[str] = []
        for role in BAD_VALUE_ROLES:
            client = self.client_for(role)

            def get(url: str, role: str = role, client: Client = client) -> int:
                status = client.get(url).status_code
                if status >= 500:
                    failures.append(f"{role} GET {url} → {status}")
                return status

            for route in routes:
                params = PARAM.findall(route)
                if params:
                    for bad in BAD_PATH_VALUES:
                        get(fill(route, {name: bad for _, name in params}))
                    base = fill(route, samples[route]()[0]) if samples[route]() else None
                    if base is None:
                        continue
                else:
                    base = fill(route, {})
                get(base + "?" + urlencode({k: "\x00" for k in keys[:3]}))
                for bad in BAD_QUERY_VALUES:
                    # Every key at once; where a key is refused (400) before the others are
                    # read, halve the set until each refused key stands alone.
                    groups = [keys]
                    while groups:
                        group = groups.pop()
                        url = base + "?" + urlencode({k: bad for k in group})
                        if get(url) == 400 and len(group) > 1:
                            groups += [group[: len(group) // 2], group[len(group) // 2 :]]
        assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"

    def test_nul_bytes_are_a_400_naming_the_field(self) -> None:
        client = self.client_for("applicant")
        response = client.get("/api/v1/progress/%00")
        assert response.status_code == 400
        assert response.json()["field"] == "path"
        response = client.get("/quality/disclosure/?q=%00")
        assert response.status_code == 400 and "参数“查询内容”" in response.content.decode()
        response = client.post(
            "/api/v1/applications", '{"customer_name": "a\\u0000"}', content_type="application/json"
        )
        assert response.status_code == 400 and response.json()["field"] == "body"

    def expected_visible(self, role: str, app: Application) -> bool:
        """An oracle written from the access rules (docs/security.md), independent of the
        selectors."""
        user = self.user(role)
        if user is None:
            return False
        if user.role == User.Role.ADMIN:
            return True
        if user.role == User.Role.APPLICANT:
            return app.applicant_id == user.pk
        region = user.region or (user.organisation.region if user.organisation_id else None)
        inside = region is not None and app.region_id.startswith(region.scope_prefix)
        if user.role == User.Role.STAFF:
            # Their company's, and for a province-level company its branches' (the companies
            # whose parent chain leads to it): read-only, or worked with an admin's grant.
            above, company = set(), app.company
            while company is not None and company.pk not in above:
                above.add(company.pk)
                company = company.parent
            province = user.organisation.region.level == "province"
            return inside and (
                user.organisation_id == app.company_id
                or (province and user.organisation_id in above)
            )
        if user.role == User.Role.REGULATOR:  # region regulators; an energy authority: no
            return inside and user.organisation.kind == Organisation.Kind.REGULATOR
        return False

    def test_applications_outside_the_scope_are_404_on_pages_and_api(self) -> None:
        apps = self.sample_applications()
        assert len({a.company_id for a in apps}) >= 3 and len(apps) >= 10
        wrong: list[str] = []
        for role in ROLE_FIXTURES:
            client = self.client_for(role)
            for app in apps:
                visible = self.expected_visible(role, app)
                page = client.get(f"/applications/{app.number}/")
                api = client.get(f"/api/v1/applications/{app.number}")
                page_ok = page.status_code == 200 if visible else page.status_code in (302, 404)
                api_ok = api.status_code == 200 if visible else api.status_code in (401, 404)
                if not (page_ok and api_ok):
                    wrong.append(
                        f"{role} {app.number}: page {page.status_code}, api {api.status_code}"
                    )
        assert not wrong, "\n".join(wrong)

    def test_personal_data_reaches_only_the_applicant_and_the_serving_staff(self) -> None:
        """Per field: the full ID number, phone, address (below the building) and a natural
        person's name appear in no page, API answer or export of any other role."""
        apps = list(Application.objects.all())
        urls = self.concrete_urls()
        staff_names = list(  # shown as who handled a stage: not the customer's data
            User.objects.exclude(role=User.Role.APPLICANT).values_list("display_name", flat=True)
        )
        leaks: list[str] = []
        for role in ROLE_FIXTURES:
            user = self.user(role)
            entitled = {
                a.pk
                for a in apps
                if user is not None and (a.applicant_id == user.pk or can_work_on(user, a))
            }
            secrets: dict[str, tuple[str, str]] = {}  # value → (field, application number)
            for a in apps:
                if a.pk in entitled:
                    continue
                for field, value in _personal_fields(a):
                    if field == "customer_name" and any(value in n for n in staff_names):
                        continue  # the demo gives a customer the name of a staff member
                    secrets[value] = (field, a.number)
            client = self.client_for(role)
            for url in urls:
                response = client.get(url)
                if response.status_code != 200:
                    continue
                text = body_text(response)
                found = sorted({hit for value, hit in secrets.items() if value in text})
                if found:
                    leaks.append(f"{role} {url}: {found[:3]}")
        assert not leaks, "\n".join(leaks)

    def test_pages_show_no_developer_text(self) -> None:
        """What a person reads on a Chinese page (text, tooltips, labels) carries no file paths,
        parameter names, rule or audit action codes, pseudo-clause ids or English sentences."""
        urls = [u for u in self.concrete_urls() if not u.startswith("/api/")]
        found: dict[str, str] = {}  # "pattern: hit" → the first role and URL showing it
        for role in ROLE_FIXTURES:
            client = self.client_for(role)
            for url in urls:
                response = client.get(url)
                if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                    continue
                for hit in developer_text(readable_text(response.content.decode())):
                    found.setdefault(hit, f"{role} {url}")
        assert not found, "\n".join(f"{hit}  ({where})" for hit, where in sorted(found.items()))

    def test_the_province_company_acts_on_its_branches_only_with_a_grant(self) -> None:
        province = self.user("staff_province").organisation
        app = (
            Application.objects.filter(company__parent=province, status="in_progress")
            .order_by("pk")
            .first()
        )
        assert app is not None
        url = f"/api/v1/applications/{app.number}/advance"
        for role, status in (("staff_province", 403), ("staff_province_acting", 200)):
            body = {"version": app.version, "expected_stage": app.current_stage, "note": ""}
            response = self.client_for(role).post(
                url, json.dumps(body), content_type="application/json"
            )
            assert response.status_code == status, (role, response.content[:300])
            app.refresh_from_db()

    def test_pages_and_answers_are_not_stored_by_caches(self) -> None:
        client = self.client_for("applicant")
        for url in ("/my/", "/api/v1/applications", "/progress/", "/quality/disclosure/"):
            response = client.get(url)
            assert "no-store" in response["Cache-Control"], url


_API_ACTIONS = ["advance", "pause", "resume", "grid-upgrade", "contracted-date", "key-project",
                "consent", "cancel"]  # fmt: skip
