"""The working-day clock on the official PRC calendar (no database).

Legal basis of the counting rule: PRC Civil Code art. 201 (the day of the event does not count; a
limit of N working days ends at the end of the Nth working day after it). The 2026 schedule is the
State Council's of 2025-11-04 (PRACTICE.md "Working days — 2026"); 2027 is not published yet.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from getelec.core.workdays import (
    CalendarDataError,
    CalendarYearNotLoaded,
    WorkCalendar,
    YearSchedule,
    calendar_with,
    load_year_json,
    parse_year,
    read_year_file,
    shipped_calendar,
)

pytestmark = pytest.mark.pure

D = dt.date

# An invented 2027 schedule for tests only (the official one is not published yet): 元旦 1/1–1/3
# (Fri–Sun), 春节 2/6–2/14 (Sat–Sun), one make-up working day on Sat 2/20.
FAKE_2027 = {
    "year": 2027,
    "holidays": [
        "2027-01-01",
        "2027-01-02",
        "2027-01-03",
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-02-09",
        "2027-02-10",
        "2027-02-11",
        "2027-02-12",
        "2027-02-13",
        "2027-02-14",
    ],
    "workdays": ["2027-02-20"],
}


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return shipped_calendar()


# --- the 2026 schedule (国务院办公厅 2025-11-04, PRACTICE.md) ---

HOLIDAYS_2026 = [
    ("元旦", D(2026, 1, 1), D(2026, 1, 3)),
    ("春节", D(2026, 2, 15), D(2026, 2, 23)),
    ("清明", D(2026, 4, 4), D(2026, 4, 6)),
    ("劳动节", D(2026, 5, 1), D(2026, 5, 5)),
    ("端午", D(2026, 6, 19), D(2026, 6, 21)),
    ("中秋", D(2026, 9, 25), D(2026, 9, 27)),
    ("国庆", D(2026, 10, 1), D(2026, 10, 7)),
]
MAKE_UP_DAYS_2026 = [
    ("元旦", D(2026, 1, 4)),
    ("春节", D(2026, 2, 14)),
    ("春节", D(2026, 2, 28)),
    ("劳动节", D(2026, 5, 9)),
    ("国庆", D(2026, 9, 20)),
    ("国庆", D(2026, 10, 10)),
]


@pytest.mark.parametrize(
    ("holiday", "first", "last"), HOLIDAYS_2026, ids=[h[0] for h in HOLIDAYS_2026]
)
def test_every_day_of_a_2026_statutory_holiday_is_off(
    cal: WorkCalendar, holiday: str, first: dt.date, last: dt.date
) -> None:
    days = [first + dt.timedelta(i) for i in range((last - first).days + 1)]

    assert [cal.is_workday(d) for d in days] == [False] * len(days)
    assert cal.is_workday(first - dt.timedelta(1)) or (first - dt.timedelta(1)).weekday() >= 5


@pytest.mark.parametrize(
    ("holiday", "day"), MAKE_UP_DAYS_2026, ids=[f"{h}-{d}" for h, d in MAKE_UP_DAYS_2026]
)
def test_a_2026_make_up_weekend_day_is_a_working_day(
    cal: WorkCalendar, holiday: str, day: dt.date
) -> None:
    assert day.weekday() >= 5
    assert cal.is_workday(day)


def test_2026_has_248_working_days_and_exactly_the_published_schedule(cal: WorkCalendar) -> None:
    schedule = cal.schedule(2026)
    holidays = {
        first + dt.timedelta(i)
        for _, first, last in HOLIDAYS_2026
        for i in range((last - first).days + 1)
    }

    assert len(schedule.working_days()) == 248
    assert schedule.holidays == holidays
    assert schedule.workdays == {day for _, day in MAKE_UP_DAYS_2026}


def test_an_ordinary_weekend_is_off_and_an_ordinary_weekday_works(cal: WorkCalendar) -> None:
    assert not cal.is_workday(D(2026, 11, 28))  # Saturday
    assert not cal.is_workday(D(2026, 11, 29))  # Sunday
    assert cal.is_workday(D(2026, 11, 26))  # Thursday


def test_the_shipped_calendar_covers_2004_to_2026(cal: WorkCalendar) -> None:
    assert cal.years[0] == 2004
    assert cal.years[-1] == 2026


# --- the counting rule (Civil Code art. 201) ----------------------------------------------------

ADD_CASES = [
    # (start, n, end, why)
    (D(2026, 11, 26), 1, D(2026, 11, 27), "Thu + 1: the acceptance day itself never counts"),
    (D(2026, 11, 27), 1, D(2026, 11, 30), "Fri + 1 skips the weekend"),
    (D(2026, 11, 27), 5, D(2026, 12, 4), "Fri + 5 ends the next Friday"),
    (D(2026, 11, 28), 1, D(2026, 11, 30), "Sat (not a working day) + 1 is Monday"),
    (D(2026, 11, 28), 5, D(2026, 12, 4), "Sat + 5: the count starts the next working day"),
    (D(2026, 9, 30), 1, D(2026, 10, 8), "holiday eve + 1 jumps over 国庆 1–7 Oct"),
    (D(2026, 9, 30), 5, D(2026, 10, 13), "crossing 国庆: Sat 10/10 is a make-up working day"),
    (D(2026, 10, 3), 2, D(2026, 10, 9), "applied during 国庆: the count starts on 10/8"),
    (D(2026, 2, 13), 1, D(2026, 2, 14), "Fri before 春节 + 1 is the make-up Saturday 2/14"),
    (D(2026, 2, 14), 1, D(2026, 2, 24), "2/14 + 1 jumps the whole 春节 break"),
    (D(2026, 12, 31), 0, D(2026, 12, 31), "n = 0 returns the start day"),
    (D(2025, 12, 30), 3, D(2026, 1, 5), "across a year end: 12/31, then 1/4 (Sun, make-up), 1/5"),
    (D(2026, 11, 26), 22, D(2026, 12, 28), "HV single source limit from today (L3)"),
]


@pytest.mark.parametrize(("start", "n", "end", "why"), ADD_CASES, ids=[c[3] for c in ADD_CASES])
def test_add_workdays_ends_on_the_nth_working_day_after_the_start(
    cal: WorkCalendar, start: dt.date, n: int, end: dt.date, why: str
) -> None:
    assert cal.add_workdays(start, n) == end


@pytest.mark.parametrize(("start", "n", "end", "why"), ADD_CASES, ids=[c[3] for c in ADD_CASES])
def test_workdays_between_inverts_add_workdays(
    cal: WorkCalendar, start: dt.date, n: int, end: dt.date, why: str
) -> None:
    assert cal.workdays_between(start, end) == n
    assert cal.workdays_between(end, start) == -n


def test_a_negative_count_is_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        cal.add_workdays(D(2026, 1, 5), -1)


# --- a year that is not loaded --------------------------------------------------------------------


def test_a_limit_running_into_2027_raises_calendar_year_not_loaded_naming_2027(
    cal: WorkCalendar,
) -> None:
    with pytest.raises(CalendarYearNotLoaded) as caught:
        cal.add_workdays(D(2026, 12, 25), 5)

    assert caught.value.year == 2027
    assert str(caught.value) == "2027 calendar not loaded"
    assert caught.value.pending_text == "待2027年节假日安排导入后计算"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_workday(D(2027, 1, 4)),
        lambda c: c.add_workdays(D(2027, 1, 4), 0),
        lambda c: c.workdays_between(D(2026, 12, 1), D(2027, 1, 4)),
        lambda c: c.schedule(2027),
    ],
    ids=["is_workday", "add_workdays from 2027", "workdays_between", "schedule"],
)
def test_every_question_about_2027_is_an_error_never_a_weekends_only_guess(
    cal: WorkCalendar, call: Callable[[WorkCalendar], object]
) -> None:
    with pytest.raises(CalendarYearNotLoaded, match="2027 calendar not loaded"):
        call(cal)


def test_the_last_limit_that_fits_in_2026_still_answers(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D(2026, 12, 24), 5) == D(2026, 12, 31)


def test_after_importing_2027_a_limit_across_the_year_end_is_computed(cal: WorkCalendar) -> None:
    with_2027 = calendar_with([parse_year(FAKE_2027)])

    # 12/28–12/31 are 4 working days; 1/1–1/3 are off; 1/4 (Mon) is the 5th.
    assert with_2027.add_workdays(D(2026, 12, 25), 5) == D(2027, 1, 4)
    assert with_2027.add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 15)  # 春节 2/6–2/14 off
    assert with_2027.add_workdays(D(2027, 2, 19), 1) == D(2027, 2, 20)  # make-up Saturday
    assert (
        with_2027.workdays_between(D(2026, 12, 25), D(2027, 2, 20)) == 4 + 20 + 5 + 5 + 1
    )  # Dec, Jan, Feb 1–5, 15–19, 20
    assert with_2027.years[-1] == 2027
    with pytest.raises(CalendarYearNotLoaded):
        cal.schedule(2027)  # the shipped calendar itself is unchanged (immutable)


def test_an_imported_year_replaces_a_shipped_one_of_the_same_number(cal: WorkCalendar) -> None:
    replaced = cal.with_years([YearSchedule(2026, frozenset({D(2026, 11, 27)}), frozenset())])

    assert not replaced.is_workday(D(2026, 11, 27))
    assert replaced.is_workday(D(2026, 10, 1))  # the replacement has no 国庆
    assert cal.is_workday(D(2026, 11, 27))


# --- parsing an imported schedule: errors name the field -----------------------------------------

PARSE_ERRORS = [
    ([], "top level must be an object {year, holidays, workdays}"),
    ({**FAKE_2027, "notes": "x"}, "notes: unknown field"),
    ({**FAKE_2027, "year": "2027"}, "year: expected a year such as 2027, got '2027'"),
    ({**FAKE_2027, "year": True}, "year: expected a year such as 2027, got True"),
    ({**FAKE_2027, "year": 1900}, "year: expected a year such as 2027, got 1900"),
    ({k: v for k, v in FAKE_2027.items() if k != "workdays"}, "workdays: expected a list"),
    ({**FAKE_2027, "holidays": "2027-01-01"}, "holidays: expected a list"),
    ({**FAKE_2027, "holidays": []}, "holidays: empty; an official schedule always has holidays"),
    ({**FAKE_2027, "holidays": ["2027-02-30"]}, "holidays[0]: bad date '2027-02-30'"),
    ({**FAKE_2027, "holidays": ["2027-1-1"]}, "holidays[0]: bad date '2027-1-1'"),
    ({**FAKE_2027, "holidays": [20270101]}, "holidays[0]: bad date 20270101"),
    (
        {**FAKE_2027, "holidays": ["2027-01-01", "2027-01-01"]},
        "holidays[1]: 2027-01-01 listed twice",
    ),
    ({**FAKE_2027, "holidays": ["2026-12-31"]}, "holidays: 2026-12-31 is not in 2027"),
    (
        {**FAKE_2027, "workdays": ["2027-01-04"]},
        "workdays: 2027-01-04 is a weekday; list only make-up days on weekends",
    ),
    (
        {**FAKE_2027, "workdays": ["2027-01-02"]},
        "workdays: 2027-01-02 is also listed as a holiday",
    ),
]


@pytest.mark.parametrize(("data", "message"), PARSE_ERRORS, ids=[m for _, m in PARSE_ERRORS])
def test_a_malformed_schedule_is_rejected_naming_the_field(data: object, message: str) -> None:
    with pytest.raises(CalendarDataError) as caught:
        parse_year(data)

    assert str(caught.value).startswith(message)


def test_reading_a_file_names_the_file_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text('{"year": 2027, "holidays": ["2027-13-01"], "workdays": []}', "utf-8")

    with pytest.raises(CalendarDataError) as caught:
        read_year_file(path)

    assert str(caught.value) == f"{path}: holidays[0]: bad date '2027-13-01' (expected YYYY-MM-DD)"


def test_a_file_that_is_not_json_is_rejected_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text("year: 2027", "utf-8")

    with pytest.raises(CalendarDataError, match=str(path)):
        read_year_file(path)


LOAD_ERRORS = [
    ("GBK", '{"year": 2027, "注": "元旦"}'.encode("gbk"), "not UTF-8 (byte 0xb5 at offset 24)"),
    ("bad byte after a BOM", b'\xef\xbb\xbf{"a": "\xb9"}', "not UTF-8 (byte 0xb9 at offset 10)"),
    ("nested arrays", b"[" * 100_000, "nested too deeply"),
    ("nested objects", b'{"year": ' + b'{"a": ' * 2_000 + b"1" + b"}" * 2_001, "nested too deeply"),
    ("5,000-digit year", b'{"year": ' + b"9" * 5000 + b"}", "year: expected a year such as 2027"),
    ("year twice", b'{"year": 2026, "year": 2027}', "year: given twice"),
    ("too large", b" " * 200_001, "file too large"),
    ("unterminated string of escapes", b'"' + b'\\"' * 60_000, "not valid JSON: Unterminated"),
]  # fmt: skip


@pytest.mark.parametrize(("why", "raw", "message"), LOAD_ERRORS, ids=[e[0] for e in LOAD_ERRORS])
def test_loading_hostile_bytes_is_a_calendar_data_error(why: str, raw: bytes, message: str) -> None:
    with pytest.raises(CalendarDataError) as caught:
        load_year_json(raw)

    assert str(caught.value).startswith(message)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    raw = b'{"year": 2027, "holidays": ["2027-01-01"], "workdays": [], "x\\\\": "[[[[\\"[[[["}'

    with pytest.raises(CalendarDataError) as caught:
        load_year_json(raw)

    assert str(caught.value) == "x\\: unknown field"


def test_a_utf8_byte_order_mark_is_allowed() -> None:
    raw = b"\xef\xbb\xbf" + json.dumps(FAKE_2027).encode()

    assert load_year_json(raw, source="2027.json").year == 2027


def test_export_and_parse_round_trip(cal: WorkCalendar) -> None:
    schedule = cal.schedule(2026)

    assert parse_year(schedule.as_json()).working_days() == schedule.working_days()
