"""One real browser through the whole flow: apply → staff accept → public progress lookup.

Debian's chromium driven by Playwright for Python against pytest-django's live server.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, resident_id

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian chromium is not installed at /usr/bin/chromium "
        "(apt-get install -y chromium); .ci/run installs it",
    ),
]


@pytest.fixture
def browser_page(live_server: Any, settings: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # The live server speaks plain http: Secure cookies would never come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def frozen_ticking() -> Iterator[None]:
    """2026-11-26 10:00 Shanghai, with the clock running (the browser waits on real time)."""
    import time_machine

    start = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(start, tick=True):
        yield


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def sign_out(page: Any) -> None:
    page.click("header form[action$='/accounts/logout/'] button")
    page.wait_for_load_state()


def test_apply_then_staff_accepts_then_the_public_lookup_shows_the_new_stage(
    transactional_db: Any,
    applicant_a: Any,
    staff: Any,
    media_root: Any,
    frozen_ticking: None,
    live_server: Any,
    browser_page: Any,  # last: the database is set up before Playwright's event loop starts
) -> None:
    page, base = browser_page, live_server.url

    # The applicant signs in and fills in the one form; the live preview shows the rules.
    sign_in(page, base, "applicant_a")
    page.goto(f"{base}/apply/")
    page.select_option("#id_customer_type", "residential")
    page.fill("#id_customer_name", "张三")
    page.fill("#id_id_number", resident_id())
    page.fill("#id_contact_phone", "13800000001")
    page.select_option("#id_region", "640104")
    page.fill("#id_address", "银川市兴庆区解放东街1号")
    page.fill("#id_property_scope", "宁(2026)银川市不动产权第0000001号")
    page.fill("#id_capacity_kw", "8")
    page.locator("#id_capacity_kw").dispatch_event("change")
    preview = page.locator("#assess-preview")
    preview.locator("dd", has_text="低压居民").first.wait_for()
    assert "5 个工作日" in preview.inner_text()
    page.click("#apply-form button[type=submit]")
    page.wait_for_url(re.compile(r"/applications/[^/]+/$"))

    number = page.locator("h1").inner_text().split()[-1]
    code = page.locator("code.code").inner_text().strip()
    assert "业务受理" in page.locator("table.timeline").inner_text()
    sign_out(page)

    # The customer manager finds it in the queue and completes intake.
    sign_in(page, base, "staff")
    assert page.url.endswith("/queue/")
    page.click(f"text={number}")
    page.click("form[action$='/advance/'] button[type=submit]")
    page.wait_for_load_state()
    assert "已完成当前环节" in page.locator(".messages").inner_text()
    sign_out(page)

    # Anyone with the number and code sees the new stage, and nothing personal.
    page.goto(f"{base}/progress/")
    page.fill("#id_number", number)
    page.fill("#id_verification_code", code)
    page.click("main form.lookup-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#current-stage").inner_text() == "供电方案答复"
    body = page.locator("body").inner_text()
    assert "张三" not in body and "13800000001" not in body and "解放东街" not in body


def test_the_application_form_fits_a_phone_screen(
    transactional_db: Any,
    applicant_a: Any,
    live_server: Any,
    browser_page: Any,
) -> None:
    """At 390 px the page never scrolls sideways: the documents table scrolls inside its card."""
    page, base = browser_page, live_server.url
    sign_in(page, base, "applicant_a")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/apply/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
