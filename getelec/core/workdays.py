"""Working-day clock on the official PRC calendar.

A year is known only when its schedule (statutory holidays and weekend make-up working days,
调休上班) is loaded: the shipped schedules come from the `chinese-calendar` package; later years
are imported (JSON, or through the admin site). A date in a year that is not loaded raises
CalendarYearNotLoaded: the clock never guesses from weekends alone.

Counting rule (PRC Civil Code art. 201; Administrative Licensing Law art. 82): the day of the event
does not count; a limit of N working days ends at the end of the Nth working day after it, whether
or not the starting day is itself a working day.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a msgid for scripts/compile_messages.py (the core imports no Django)."""
    return message


# The one text of a date the loaded calendar does not reach yet ("待2027年节假日安排导入后计算").
# Every page, export, notice and API field shows it through `pending_text` (templates through
# the `pending_text` filter of getelec.workcalendar.templatetags.workdays).
PENDING_MESSAGE = gettext_noop("待%(year)s年节假日安排导入后计算")

_translate: Callable[[str], str] = gettext_noop


def install_translation(translate: Callable[[str], str]) -> None:
    """Set the function translating core texts (Django's gettext, installed at app start-up)."""
    global _translate
    _translate = translate


def pending_text(year: int | None) -> str:
    """The text shown for a due date pending on `year`'s schedule; "" when nothing is pending."""
    if not year:
        return ""
    return _translate(PENDING_MESSAGE) % {"year": year}


class CalendarYearNotLoaded(LookupError):
    """A date falls in a year whose official schedule has not been loaded."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(f"{year} calendar not loaded")

    @property
    def pending_text(self) -> str:
        return pending_text(self.year)


class CalendarDataError(ValueError):
    """An imported schedule is malformed; the message names the field."""


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: frozenset[dt.date]  # days off of statutory holidays (weekdays or weekend days)
    workdays: frozenset[dt.date]  # make-up working days that fall on a weekend
    source: str = ""

    def __post_init__(self) -> None:
        for name, days in (("holidays", self.holidays), ("workdays", self.workdays)):
            wrong = sorted(d for d in days if d.year != self.year)
            if wrong:
                raise CalendarDataError(f"{name}: {wrong[0]} is not in {self.year}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise CalendarDataError(f"workdays: {both[0]} is also listed as a holiday")
        weekday = sorted(d for d in self.workdays if d.weekday() < 5)
        if weekday:
            raise CalendarDataError(
                f"workdays: {weekday[0]} is a weekday; list only make-up days on weekends"
            )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def working_days(self) -> tuple[dt.date, ...]:
        first = dt.date(self.year, 1, 1)
        days = (first + dt.timedelta(i) for i in range(366))
        return tuple(d for d in days if d.year == self.year and self.is_workday(d))

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
        }


def parse_year(data: Any, source: str = "") -> YearSchedule:
    """Validate `{"year": 2027, "holidays": [...], "workdays": [...]}`; errors name the field."""
    if not isinstance(data, dict):
        raise CalendarDataError("top level must be an object {year, holidays, workdays}")
    unknown = sorted(set(data) - {"year", "holidays", "workdays"})
    if unknown:
        raise CalendarDataError(f"{unknown[0]}: unknown field")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1949 <= year <= 2200:
        raise CalendarDataError(f"year: expected a year such as 2027, got {year!r}")
    parsed: dict[str, frozenset[dt.date]] = {}
    for name in ("holidays", "workdays"):
        raw = data.get(name)
        if not isinstance(raw, list):
            raise CalendarDataError(f"{name}: expected a list of YYYY-MM-DD dates")
        days = set()
        for i, item in enumerate(raw):
            try:
                day = dt.date.fromisoformat(item) if isinstance(item, str) else None
            except ValueError:
                day = None
            if day is None or len(item) != 10:
                raise CalendarDataError(f"{name}[{i}]: bad date {item!r} (expected YYYY-MM-DD)")
            if day in days:
                raise CalendarDataError(f"{name}[{i}]: {item} listed twice")
            days.add(day)
        parsed[name] = frozenset(days)
    if not parsed["holidays"]:
        raise CalendarDataError("holidays: empty; an official schedule always has holidays")
    return YearSchedule(year, parsed["holidays"], parsed["workdays"], source)


# A year's schedule is a few kilobytes (at most 366 dates) two levels deep: anything much larger
# or deeper is not a schedule, and is refused before it reaches the JSON parser.
MAX_FILE_BYTES = 200_000
_MAX_DEPTH = 4
_MAX_INT_DIGITS = 20  # longer integers stay text: never a 5,000-digit int()
_SPECIAL = re.compile(r'[\[\]{}"\\]')


class _LongNumber:
    """A JSON integer too long to be a year, kept as text (its repr is short)."""

    def __init__(self, digits: str):
        self.digits = digits

    def __repr__(self) -> str:
        return f"a {len(self.digits.lstrip('-'))}-digit number"


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


def _parse_int(text: str) -> int | _LongNumber:
    return int(text) if len(text.lstrip("-")) <= _MAX_INT_DIGITS else _LongNumber(text)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _too_deep(text: str) -> bool:
    """Arrays/objects nested deeper than _MAX_DEPTH in `text`, strings skipped (linear scan)."""
    depth = 0
    in_string, escaped_at = False, -1
    for match in _SPECIAL.finditer(text):
        char, at = match.group(), match.start()
        if at == escaped_at:
            continue
        if in_string:
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def load_year_json(raw: bytes, source: str = "") -> YearSchedule:
    """Parse a schedule file's bytes: UTF-8 (a BOM is allowed), one JSON object, no repeated keys.

    Every failure is a CalendarDataError naming the field (or the encoding/JSON position), never
    another exception: the bytes come from an administrator's upload or command line.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise CalendarDataError(
            f"file too large (over {MAX_FILE_BYTES:,} bytes; a year's schedule is a few kilobytes)"
        )
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = bom + exc.start
        raise CalendarDataError(
            f"not UTF-8 (byte 0x{raw[at]:02x} at offset {at}); save the file as UTF-8"
        ) from None
    if _too_deep(text):
        raise CalendarDataError(
            f"nested too deeply (more than {_MAX_DEPTH} levels); "
            'expected {"year": …, "holidays": […], "workdays": […]}'
        )
    try:
        data = json.loads(text, parse_int=_parse_int, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise CalendarDataError(f"{exc.key}: given twice; each field may appear once") from None
    except json.JSONDecodeError as exc:
        raise CalendarDataError(f"not valid JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:  # e.g. a float too long to convert
        raise CalendarDataError(f"not valid JSON: {exc}") from None
    return parse_year(data, source=source)


def read_year_file(path: Path | str) -> YearSchedule:
    """Read and parse a schedule file; errors are CalendarDataError("<path>: <field>: …")."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CalendarDataError(f"{path}: {exc.strerror or exc}") from None
    try:
        return load_year_json(raw, source=path.name)
    except CalendarDataError as exc:
        raise CalendarDataError(f"{path}: {exc}") from None


class WorkCalendar:
    """Working-day arithmetic over the loaded years (immutable)."""

    def __init__(self, schedules: Iterable[YearSchedule]):
        self._schedules: dict[int, YearSchedule] = {s.year: s for s in schedules}
        self._working: dict[int, tuple[dt.date, ...]] = {}

    @property
    def years(self) -> list[int]:
        return sorted(self._schedules)

    def schedule(self, year: int) -> YearSchedule:
        try:
            return self._schedules[year]
        except KeyError:
            raise CalendarYearNotLoaded(year) from None

    def with_years(self, schedules: Iterable[YearSchedule]) -> WorkCalendar:
        """A calendar with `schedules` added (replacing any loaded year of the same number)."""
        merged = dict(self._schedules)
        merged.update({s.year: s for s in schedules})
        return WorkCalendar(merged.values())

    def _workdays_of(self, year: int) -> tuple[dt.date, ...]:
        if year not in self._working:
            self._working[year] = self.schedule(year).working_days()
        return self._working[year]

    def is_workday(self, day: dt.date) -> bool:
        return self.schedule(day.year).is_workday(day)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The Nth working day after `start` (start itself never counts); n = 0 gives start."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            self.schedule(start.year)
            return start
        year, after = start.year, start
        while True:
            days = self._workdays_of(year)
            index = bisect_right(days, after)
            available = len(days) - index
            if n <= available:
                return days[index + n - 1]
            n -= available
            year += 1
            after = dt.date(year, 1, 1) - dt.timedelta(days=1)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        for year in range(start.year, end.year + 1):
            days = self._workdays_of(year)
            count += bisect_right(days, end) - bisect_right(days, start)
        return count


def _shipped_schedules() -> list[YearSchedule]:
    import chinese_calendar  # the maintained package of State Council schedules

    holidays: dict[int, set[dt.date]] = {}
    workdays: dict[int, set[dt.date]] = {}
    for day in chinese_calendar.holidays:
        holidays.setdefault(day.year, set()).add(day)
    for day in chinese_calendar.workdays:
        if day.weekday() >= 5:  # the package also lists ordinary weekdays of some years
            workdays.setdefault(day.year, set()).add(day)
    source = f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()
    return [
        YearSchedule(y, frozenset(holidays[y]), frozenset(workdays.get(y, set())), source)
        for y in sorted(holidays)
    ]


@cache
def shipped_calendar() -> WorkCalendar:
    """The official schedules shipped with the platform (2004 up to the package's last year)."""
    return WorkCalendar(_shipped_schedules())


def calendar_with(extra: Mapping[int, YearSchedule] | Iterable[YearSchedule]) -> WorkCalendar:
    schedules = extra.values() if isinstance(extra, Mapping) else extra
    return shipped_calendar().with_years(schedules)
