"""`getelec calendar`: import (idempotent, audited, recomputes pending deadlines), list, show,
export, check, add. Database cases run in-process on the test database (SQLite and PostgreSQL);
the no-database cases run as a subprocess on an empty GETELEC_VAR_DIR.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from getelec.cli import main

# An invented 2027 schedule (the official one is not published yet): 元旦 1/1–1/3 (Fri–Sun),
# 春节 2/6–2/14, one make-up working day on Sat 2/20.
FAKE_2027: dict[str, Any] = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"]
    + [f"2027-02-{d:02d}" for d in range(6, 15)],
    "workdays": ["2027-02-20"],
}


@pytest.fixture
def year_file(tmp_path: Path) -> Path:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(FAKE_2027), encoding="utf-8")
    return path


def getelec(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def audit_rows() -> int:
    from getelec.audit.models import AuditEvent

    return AuditEvent.objects.filter(action="calendar.import_year").count()


# --- import (database) ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_stores_the_year_and_a_second_import_changes_nothing_and_says_so(
    capsys: pytest.CaptureFixture[str], year_file: Path
) -> None:
    from getelec.workcalendar.models import CalendarYear

    first = getelec(capsys, "calendar", "import", str(year_file))
    second = getelec(capsys, "calendar", "import", str(year_file))

    assert first[0] == 0 and "2027: imported" in first[1]
    assert second[0] == 0 and "2027: unchanged" in second[1]
    row = CalendarYear.objects.get(year=2027)
    assert (row.holidays, row.workdays) == (FAKE_2027["holidays"], FAKE_2027["workdays"])
    assert audit_rows() == 1
    from getelec.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="calendar.import_year")
    assert event.actor_label.startswith("getelec calendar import (")
    assert event.reason == "2027.json"


@pytest.mark.django_db
def test_importing_a_changed_schedule_replaces_it_with_a_second_audit_row(
    capsys: pytest.CaptureFixture[str], year_file: Path, tmp_path: Path
) -> None:
    from getelec.workcalendar.models import CalendarYear

    getelec(capsys, "calendar", "import", str(year_file))
    changed = tmp_path / "2027-corrected.json"
    changed.write_text(json.dumps({**FAKE_2027, "workdays": ["2027-02-20", "2027-02-21"]}), "utf-8")

    refused = getelec(capsys, "calendar", "import", str(changed))
    code, out, _ = getelec(capsys, "calendar", "import", str(changed), "--confirm")

    assert refused[0] == 3 and "make-up working days added: 2027-02-21" in refused[1]
    assert (code, "2027: replaced" in out) == (0, True)
    assert CalendarYear.objects.get(year=2027).workdays == ["2027-02-20", "2027-02-21"]
    assert audit_rows() == 2


# (why, file content, the file/field the one-line error names)
BAD_FILES = [
    ("not JSON", "year: 2027", "Expecting value"),
    ("bad date", json.dumps({**FAKE_2027, "holidays": ["2027-02-30"]}), "holidays[0]: bad date"),
    ("unknown field", json.dumps({**FAKE_2027, "notes": ""}), "notes: unknown field"),
    ("year as text", json.dumps({**FAKE_2027, "year": "2027"}), "year: expected a year"),
    ("workday on a weekday", json.dumps({**FAKE_2027, "workdays": ["2027-01-04"]}), "workdays: "),
    ("date of another year", json.dumps({**FAKE_2027, "holidays": ["2026-10-01"]}), "holidays: "),
    (
        "GBK-encoded",
        json.dumps(
            {**FAKE_2027, "holidays": ["2027-01-01"], "备注": "元旦"}, ensure_ascii=False
        ).encode("gbk"),
        "not UTF-8 (byte 0xb1 at offset",
    ),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (
        "nested inside a field",
        json.dumps({**FAKE_2027, "holidays": [[[["2027-01-01"]]]]}),
        "nested too deeply",
    ),
    (
        "5,000-digit year",
        '{"year": ' + "9" * 5000 + ', "holidays": ["2027-01-01"], "workdays": []}',
        "year: expected a year such as 2027, got a 5000-digit number",
    ),
    (
        "year given twice",
        '{"year": 2026, "holidays": ["2027-01-01"], "workdays": [], "year": 2027}',
        "year: given twice",
    ),
    (
        "holidays given twice",
        '{"year": 2027, "holidays": ["2027-01-01"], "workdays": [], "holidays": []}',
        "holidays: given twice",
    ),
    ("too large", b" " * 200_001, "file too large"),
    ("not an object", "[2027]", "top level must be an object"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("why", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_exits_2_naming_the_file_and_field_and_stores_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    why: str,
    content: str | bytes,
    message: str,
) -> None:
    from getelec.workcalendar.models import CalendarYear

    path = tmp_path / "2027.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    code, out, err = getelec(capsys, "calendar", "import", str(path))

    assert (code, out) == (2, "")
    assert err.startswith(f"error: {path}: ")
    assert message in err
    assert err.count("\n") == 1
    assert not CalendarYear.objects.exists()
    assert audit_rows() == 0


@pytest.mark.django_db
def test_a_missing_file_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = getelec(capsys, "calendar", "import", str(tmp_path / "nope.json"))

    assert code == 2
    assert "nope.json" in err


@pytest.mark.django_db
def test_after_import_the_year_is_listed_shown_and_used_for_arithmetic(
    capsys: pytest.CaptureFixture[str], year_file: Path
) -> None:
    assert getelec(capsys, "calendar", "add", "2026-12-25", "5")[0] == 2
    getelec(capsys, "calendar", "import", str(year_file))

    listed = getelec(capsys, "calendar", "list")[1]
    shown = getelec(capsys, "calendar", "show", "2027")[1]
    added = getelec(capsys, "calendar", "add", "2026-12-25", "5")[1]

    assert "2004–2026: shipped" in listed and "2027: imported" in listed
    assert "2027-02-06 – 2027-02-14 (9 days)" in shown and "2027-02-20 (周六)" in shown
    assert added == "2027-01-04\n"  # 12/28–12/31, then 1/1–1/3 off


@pytest.mark.django_db
def test_export_prints_the_import_format_that_imports_back_unchanged(
    capsys: pytest.CaptureFixture[str], year_file: Path, tmp_path: Path
) -> None:
    getelec(capsys, "calendar", "import", str(year_file))

    code, out, _ = getelec(capsys, "calendar", "export", "2027")
    exported = tmp_path / "exported.json"
    exported.write_text(out, encoding="utf-8")

    assert code == 0 and json.loads(out) == FAKE_2027
    assert "unchanged" in getelec(capsys, "calendar", "import", str(exported))[1]


@pytest.mark.django_db
def test_import_recomputes_deadlines_pending_on_the_year(
    capsys: pytest.CaptureFixture[str], year_file: Path, submit: Any
) -> None:
    # HV dual source (32 wd, L3) applied on 2026-11-26 runs into 2027: pending until imported.
    application = submit(customer_type="other", capacity_kw="800", supply="dual", voltage="high")
    assert (application.due_on, application.due_pending_year) == (None, 2027)

    getelec(capsys, "calendar", "import", str(year_file))

    application.refresh_from_db()
    assert application.due_pending_year is None
    assert application.due_on == dt.date(2027, 1, 12)  # 2 in Nov, 23 in Dec, 7 in Jan


@pytest.mark.django_db
def test_a_file_with_a_utf8_byte_order_mark_is_imported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "2027.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(FAKE_2027).encode("utf-8"))

    code, out, _ = getelec(capsys, "calendar", "import", str(path))

    assert (code, "2027: imported" in out) == (0, True)


@pytest.mark.django_db
def test_replacing_the_shipped_year_needs_confirm_and_shows_the_moved_due_dates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, submit: Any
) -> None:
    from getelec.audit.models import AuditEvent
    from getelec.workcalendar.models import CalendarYear

    application = submit()  # 8 kW residential, 5 wd from 2026-11-26: due 2026-12-03
    one_holiday = tmp_path / "2026.json"
    one_holiday.write_text(
        json.dumps({"year": 2026, "holidays": ["2026-12-01"], "workdays": []}), "utf-8"
    )

    refused = getelec(capsys, "calendar", "import", str(one_holiday))

    assert refused[0] == 3
    assert "holidays removed: 2026-01-01" in refused[1]
    assert "make-up working days removed: 2026-01-04" in refused[1]
    assert "due dates that move: " in refused[1] and ", in 1 open application" in refused[1]
    assert f"{application.number}  due_on: 2026-12-03 -> 2026-12-04" in refused[1]
    assert refused[2].startswith(f"error: {one_holiday}: year: 2026 is already in force")
    assert "--confirm" in refused[2]
    assert (
        not CalendarYear.objects.exists()
        and not AuditEvent.objects.filter(action="calendar.import_year").exists()
    )
    application.refresh_from_db()
    assert application.due_on == dt.date(2026, 12, 3)

    code, out, _ = getelec(capsys, "calendar", "import", str(one_holiday), "--confirm")

    application.refresh_from_db()
    assert code == 0 and "2026: replaced from" in out
    assert "deadlines of 1 application recomputed" in out
    assert application.due_on == dt.date(2026, 12, 4)
    event = AuditEvent.objects.get(action="connection.recompute_deadline")
    assert (event.old["due_on"], event.new["due_on"]) == ("2026-12-03", "2026-12-04")
    assert getelec(capsys, "calendar", "import", str(one_holiday))[0] == 0  # now unchanged


# --- read-only subcommands -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", "2026-10-10"), "2026-10-10 周六: working day (make-up working day"),
        (("check", "2026-10-01"), "2026-10-01 周四: not a working day (statutory holiday)"),
        (("check", "2026-11-28"), "2026-11-28 周六: not a working day (weekend)"),
        (("check", "2026-11-26"), "2026-11-26 周四: working day\n"),
        (("add", "2026-09-30", "5"), "2026-10-13\n"),  # across 国庆 (T2 5 wd)
        (("add", "2026-11-27", "1"), "2026-11-30\n"),  # Friday + 1
        (("add", "2026-11-28", "0"), "2026-11-28\n"),
    ],
)
def test_check_and_add_answer_working_day_questions(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str
) -> None:
    code, out, _ = getelec(capsys, "calendar", *args)

    assert code == 0
    assert out.startswith(expected)


@pytest.mark.django_db
def test_show_2026_lists_the_published_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = getelec(capsys, "calendar", "show", "2026")

    assert code == 0
    assert "working days: 248" in out
    assert "2026-10-01 – 2026-10-07 (7 days)" in out
    assert "2026-09-20 (周日)" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "2027"), "error: year: 2027 calendar not loaded"),
        (("export", "2027"), "error: year: 2027 calendar not loaded"),
        (("check", "2027-01-04"), "error: date: 2027 calendar not loaded"),
        (("add", "2026-12-25", "5"), "error: date: 2027 calendar not loaded"),
    ],
)
def test_a_year_not_loaded_exits_2_naming_the_year(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = getelec(capsys, "calendar", *args)

    assert code == 2
    assert err.startswith(message)


@pytest.mark.parametrize(
    "args",
    [("check", "2026-13-01"), ("check", "26-11-2026"), ("add", "2026-11-26", "-1"),
     ("add", "2026-11-26", "x"), ("show", "MMXXVII")],
)  # fmt: skip
def test_malformed_arguments_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["calendar", *args])

    assert caught.value.code == 2
    assert "error: argument" in capsys.readouterr().err


# --- without a database (fresh checkout) ---------------------------------------------------------


def run_without_database(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    drop = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["GETELEC_VAR_DIR"] = str(var_dir)
    getelec_script = str(Path(sys.executable).with_name("getelec"))
    return subprocess.run(
        [getelec_script, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.mark.pure
def test_without_a_database_read_only_commands_use_the_shipped_years_and_create_nothing(
    tmp_path: Path, year_file: Path
) -> None:
    listed = run_without_database(tmp_path, "calendar", "list")
    added = run_without_database(tmp_path, "calendar", "add", "2026-09-30", "5")
    imported = run_without_database(tmp_path, "calendar", "import", str(year_file))

    assert (listed.returncode, listed.stdout.startswith("2004–2026: shipped")) == (0, True)
    assert (added.returncode, added.stdout) == (0, "2026-10-13\n")
    assert imported.returncode == 1
    assert imported.stderr.startswith("error: no database yet")
    assert not (tmp_path / "db.sqlite3").exists()
