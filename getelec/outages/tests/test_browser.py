"""A regulator verifies and signs off a ledger entry; the public page shows it closed (real
browser: Debian chromium driven by Playwright against the live server)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from getelec.outages.tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture
def ticking() -> Iterator[None]:
    import time_machine

    start = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def observed(transactional_db: Any, ticking: None, grid: Any, users: dict[str, Any]) -> Any:
    """T1 rectified on 20 September: its 60-day observation ended on 19 November."""
    from getelec.outages import services
    from getelec.outages.models import LedgerEntry

    services.refresh(2026, dt.date(2026, 11, 25), data_dir=grid.data_dir)
    entry = LedgerEntry.objects.get(point_id="T1")
    entry = services.plan_rectification(
        users["staff_a"], entry, measures="整线成片改造", target_on=dt.date(2026, 12, 31),
        responsible_team="兴庆供电所", budget_wan=Decimal("30"),
    )  # fmt: skip
    return services.record_rectification(
        users["staff_a"], entry, rectified_on=dt.date(2026, 9, 20), note="完成"
    )


@pytest.fixture
def page(observed: Any, live_server: Any, settings: Any) -> Iterator[Any]:
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


def test_a_regulator_signs_off_an_entry_and_the_public_page_shows_it_closed(
    observed: Any, live_server: Any, page: Any
) -> None:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    url = f"/quality/ledger/{observed.number}/"
    page.goto(f"{live_server.url}/accounts/login/?next={url}")
    page.fill("#id_username", "regulator")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{url}")
    assert "已期满" in page.inner_text("#observation")
    page.select_option("#form-verify select[name=inspection_kind]", "both")
    page.fill("#form-verify textarea[name=inspection_record]", "现场检查改造完成，走访用户10户")
    page.click("#form-verify button[type=submit]")
    page.wait_for_selector("#form-close")
    assert page.inner_text("#entry-status") == "已现场核验"
    page.click("#form-close button[type=submit]")
    page.wait_for_selector("text=已闭环销号")
    assert page.inner_text("#entry-status") == "已销号"

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/quality/disclosure/?q=解放西街1号")
    row = page.locator("#disclosure tr[data-point=T1]")
    assert row.locator(".status").inner_text() == "已销号"
    assert "2026-11-26" in row.inner_text()
    assert errors == []


def test_hovering_the_quality_charts_breaks_no_content_security_policy(
    observed: Any, live_server: Any, page: Any
) -> None:
    """The tooltip (static/js/charts.js) has no inline styles and keeps its colour markers."""
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " function (e) { window.__csp.push(e.violatedDirective + ' ' + e.sourceFile); });"
    )
    page.goto(f"{live_server.url}/accounts/login/?next=/quality/dashboard/")
    page.fill("#id_username", "regulator")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/quality/dashboard/")
    chart = page.locator("#chart-month")
    page.wait_for_selector("#chart-month canvas")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.6)
    markers = page.locator("#chart-month .chart-tooltip .chart-marker")
    markers.first.wait_for()
    colours = {m.evaluate("e => getComputedStyle(e).backgroundColor") for m in markers.all()}
    assert len(colours) == 2, colours  # SAIDI and SAIFI, each in its series colour
    assert page.evaluate("window.__csp") == []
