"""Imported calendar years: the service (atomic, audited, idempotent), the calendar in force, the
admin import page and the reminder banner (from 1 November until next year is loaded)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from getelec.audit.models import AuditEvent
from getelec.core.workdays import CalendarYearNotLoaded, parse_year, shipped_calendar
from getelec.workcalendar import source
from getelec.workcalendar.context import calendar_banner
from getelec.workcalendar.models import CalendarYear
from getelec.workcalendar.services import import_year
from getelec.workcalendar.signals import calendar_year_imported

pytestmark = pytest.mark.django_db

FAKE_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "workdays": [],
}
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_importing_a_year_stores_it_with_one_audit_row_naming_the_actor(admin_user: Any) -> None:
    result = import_year(parse_year(FAKE_2027), admin_user, source_label="2027.json")

    assert (result.changed, result.replacement) == (True, None)
    row = CalendarYear.objects.get(year=2027)
    assert (row.holidays, row.workdays, row.source) == (
        FAKE_2027["holidays"],
        [],
        "2027.json",
    )
    event = AuditEvent.objects.get(action="calendar.import_year")
    assert (event.actor, event.object_id, event.old) == (admin_user, "2027", {})
    assert event.new == {"holidays": FAKE_2027["holidays"], "workdays": []}


def test_importing_the_same_year_again_changes_nothing(admin_user: Any) -> None:
    import_year(parse_year(FAKE_2027), admin_user)

    assert import_year(parse_year(FAKE_2027), admin_user).changed is False
    assert AuditEvent.objects.filter(action="calendar.import_year").count() == 1


def test_an_import_is_visible_to_the_calendar_in_force_at_once(admin_user: Any) -> None:
    with pytest.raises(CalendarYearNotLoaded):
        source.current_calendar().schedule(2027)

    import_year(parse_year(FAKE_2027), admin_user)

    assert source.current_calendar().add_workdays(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)


def test_an_imported_year_overrides_the_shipped_one(admin_user: Any) -> None:
    corrected = {"year": 2026, "holidays": ["2026-11-27"], "workdays": []}

    import_year(parse_year(corrected), admin_user, confirm=True)

    calendar = source.load_calendar()
    assert not calendar.is_workday(dt.date(2026, 11, 27))
    assert calendar.is_workday(dt.date(2026, 10, 8))


def test_a_failing_recomputation_rolls_the_import_back(admin_user: Any) -> None:
    def fail(**kwargs: Any) -> None:
        raise RuntimeError("recompute failed")

    calendar_year_imported.connect(fail, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError):
            import_year(parse_year(FAKE_2027), admin_user)
    finally:
        calendar_year_imported.disconnect(dispatch_uid="test-fail")

    assert not CalendarYear.objects.exists()
    assert not AuditEvent.objects.filter(action="calendar.import_year").exists()


# --- admin ---------------------------------------------------------------------------------------


def upload(data: Any, name: str = "2027.json") -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


def test_an_admin_imports_a_year_through_the_admin_site(client: Any, admin_user: Any) -> None:
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:workcalendar_calendaryear_import"), {"file": upload(FAKE_2027)}
    )

    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()


def test_a_bad_file_in_the_admin_shows_the_field_and_stores_nothing(
    client: Any, admin_user: Any
) -> None:
    client.force_login(admin_user)
    bad = {**FAKE_2027, "holidays": ["2027-02-30"]}

    response = client.post(reverse("admin:workcalendar_calendaryear_import"), {"file": upload(bad)})

    assert response.status_code == 200
    assert "holidays[0]" in response.content.decode()
    assert not CalendarYear.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"year": 2027, "注": "元旦"}'.encode("gbk"), "not UTF-8"),
        (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        (
            b'{"year": ' + b"9" * 5000 + b', "holidays": ["2027-01-01"], "workdays": []}',
            "year: expected a year such as 2027, got a 5000-digit number",
        ),
        (
            b'{"year": 2026, "year": 2027, "holidays": ["2027-01-01"], "workdays": []}',
            "year: given twice",
        ),
    ],
    ids=["GBK", "nested", "5000-digit year", "year twice"],
)
def test_a_hostile_file_in_the_admin_is_a_form_error_naming_the_field(
    client: Any, admin_user: Any, content: bytes, message: str
) -> None:
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:workcalendar_calendaryear_import"), {"file": upload(content)}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_replacing_a_year_in_the_admin_shows_the_impact_until_confirmed(
    client: Any, admin_user: Any, submit: Any
) -> None:
    application = submit()  # due 2026-12-03
    client.force_login(admin_user)
    one_more_day_off = {
        **shipped_calendar().schedule(2026).as_json(),
        "holidays": sorted(
            [*shipped_calendar().schedule(2026).as_json()["holidays"], "2026-12-01"]
        ),
    }
    url = reverse("admin:workcalendar_calendaryear_import")

    shown = client.post(url, {"file": upload(one_more_day_off, "2026.json")})

    page = shown.content.decode()
    assert shown.status_code == 200 and not CalendarYear.objects.exists()
    assert "1 件在办申请" in page and application.number in page and "2026-12-04" in page

    done = client.post(url, {"file": upload(one_more_day_off, "2026.json"), "confirm": "on"})

    application.refresh_from_db()
    assert done.status_code == 302 and CalendarYear.objects.filter(year=2026).exists()
    assert application.due_on == dt.date(2026, 12, 4)


@pytest.mark.parametrize("who", ["applicant_a", "staff", "regulator"])
def test_only_an_admin_reaches_the_import_page(
    client: Any, roles: dict[str, Any], who: str
) -> None:
    client.force_login(roles[who])

    response = client.post(
        reverse("admin:workcalendar_calendaryear_import"), {"file": upload(FAKE_2027)}
    )

    assert response.status_code in (302, 403)
    assert not CalendarYear.objects.exists()


# --- the reminder banner -------------------------------------------------------------------------


def banner_for(user: Any) -> dict[str, Any]:
    request = RequestFactory().get("/")
    request.user = user
    return calendar_banner(request)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 10, 31, 23, 0, tzinfo=SHANGHAI), {}),
        (dt.datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI), {"calendar_missing_year": 2027}),
        (dt.datetime(2026, 12, 31, 12, 0, tzinfo=SHANGHAI), {"calendar_missing_year": 2027}),
    ],
    ids=["31 October: no banner", "1 November: ask for 2027", "31 December: still asking"],
)
def test_from_1_november_the_admin_is_asked_for_next_years_schedule(
    admin_user: Any, now: dt.datetime, expected: dict[str, Any]
) -> None:
    with time_machine.travel(now, tick=False):
        assert banner_for(admin_user) == expected


def test_the_banner_goes_away_once_next_year_is_imported(admin_user: Any) -> None:
    import_year(parse_year(FAKE_2027), admin_user)

    with time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert banner_for(admin_user) == {}


def test_the_banner_is_for_admins_only(applicant_a: Any, staff: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert banner_for(applicant_a) == {}
        assert banner_for(staff) == {}


def test_reading_the_calendar_never_creates_a_missing_sqlite_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    missing = tmp_path / "db.sqlite3"
    fresh_checkout = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(missing)}}
    monkeypatch.setattr(source, "settings", SimpleNamespace(DATABASES=fresh_checkout))

    assert source._database_absent() is True
    assert source.load_calendar().years[-1] == 2026
    assert not missing.exists()


def test_an_imported_year_cannot_be_deleted_in_the_admin(client: Any, admin_user: Any) -> None:
    # Deleting would change the calendar in force without showing or recomputing anything.
    import_year(parse_year(FAKE_2027), admin_user)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:workcalendar_calendaryear_delete", args=[2027]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert CalendarYear.objects.filter(year=2027).exists()
