"""A regulator opens the compliance dashboard and drills down to one application (real browser).

Debian's chromium driven by Playwright for Python against pytest-django's live server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "pw-For-tests-1"  # conftest.users

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture
def frozen_ticking() -> Iterator[None]:
    import time_machine

    start = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def overdue(
    transactional_db: Any, frozen_ticking: None, users: dict[str, Any], make_application: Any
) -> Any:
    """Created before the browser starts (Playwright's sync API runs an event loop)."""
    make_application(
        due_on=dt.date(2026, 9, 22), completed_on=dt.date(2026, 9, 18), status="completed"
    )
    return make_application(due_on=dt.date(2026, 11, 2))


@pytest.fixture
def page(overdue: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def test_a_regulator_opens_the_dashboard_and_drills_down_to_one_application(
    overdue: Any, live_server: Any, page: Any
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/?next=/supervision/dashboard/")
    page.fill("#id_username", "regulator_ndrc")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/supervision/dashboard/")
    page.wait_for_selector("#compliance-chart canvas")  # ECharts drew (self-hosted, CSP-clean)
    page.click("a[data-metric=overdue]")
    page.wait_for_url("**/supervision/dashboard/applications/**")
    assert "当前逾期" in page.inner_text("h1")
    page.click(f"text={overdue.number}")
    page.wait_for_url(f"**/applications/{overdue.number}/")
    assert overdue.number in page.content()
    assert not [e for e in errors if "Content Security Policy" in e or "echarts" in e]


# Counts every CSP violation the page reports (the event fires for inline style attributes,
# which a nonce never covers), from the first script on.
_RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.sample || "") + " " + e.sourceFile);
});
"""


def test_hovering_the_dashboard_charts_breaks_no_content_security_policy(
    overdue: Any, live_server: Any, page: Any
) -> None:
    """The tooltips draw without inline styles (CSP style-src 'self', no 'unsafe-inline') and
    keep a colour marker per series."""
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.add_init_script(_RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/accounts/login/?next=/supervision/dashboard/")
    page.fill("#id_username", "regulator_ndrc")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/supervision/dashboard/")
    csp = page.evaluate("document.querySelector('meta[http-equiv]') === null")
    assert csp  # the policy comes from the header, unchanged
    for chart in ("#compliance-chart", "#taken-chart"):
        page.wait_for_selector(f"{chart} canvas")
        page.locator(chart).scroll_into_view_if_needed()
        box = page.locator(chart).bounding_box()
        page.evaluate(
            "(sel) => { window.__tip = 0; echarts.getInstanceByDom(document.querySelector(sel))"
            ".on('showtip', function () { window.__tip += 1; }); }",
            chart,
        )
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.6)
        markers = page.locator(f"{chart} .chart-tooltip .chart-marker")
        markers.first.wait_for()
        assert page.evaluate("window.__tip") > 0
        colours = {m.evaluate("e => getComputedStyle(e).backgroundColor") for m in markers.all()}
        assert len(colours) == 2, colours  # one colour per series, as on the chart
        page.mouse.move(0, 0)
    assert page.evaluate("window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m]
