"""The web fast paths (docs/performance.md) give exactly what the straightforward code gave.

Cached choice labels, the queue rows rendered in Python, the one-query public look-up and the
staff-scope index (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, models, transaction
from django.db.models.fields.json import KeyTransform
from django.template import Context, Template
from django.utils import timezone, translation

from getelec.connection import selectors, services
from getelec.connection.models import (
    Application,
    Document,
    Notification,
    Pause,
    StageRecord,
    Status,
    choice_label,
)
from getelec.connection.templatetags.connection_rows import queue_rows
from getelec.connection.views import _rows

pytestmark = pytest.mark.django_db

# The staff queue's row loop as it was in queue.html before {% queue_rows %} replaced it.
TEMPLATE_LOOP = (
    "{% load i18n %}"
    "{% for row in rows %}{% with app=row.application %}\n"
    '      <tr class="{% if row.overdue %}overdue{% endif %}'
    "{% if app.status == 'paused' %} paused{% endif %}\">\n"
    "        <td><a href=\"{% url 'application_detail' app.number %}\">{{ app.number }}</a>"
    '{% if app.key_project %} <span class="tag tag-key">{{ app.get_key_project_display }}'
    "</span>{% endif %}</td>\n"
    "        <td>{{ app.get_category_display }}</td>\n"
    "        <td>{{ app.region.name }}</td>\n"
    '        <td class="num">{{ app.capacity_kw|floatformat:"-2" }}</td>\n'
    '        <td>{{ app.applied_on|date:"Y-m-d" }}</td>\n'
    '        <td>{{ app.get_current_stage_display|default:"—" }}</td>\n'
    '        <td>{% include "connection/_due.html" %}</td>\n'
    "      </tr>\n"
    "    {% endwith %}{% endfor %}"
)


@pytest.fixture
def varied_queue(submit: Any, staff: Any) -> list[Any]:
    """Open applications in every state the due-date cell distinguishes."""
    overdue = submit(applied_on=dt.date(2026, 10, 9), actor=staff, property_scope="p-overdue")
    services.set_key_project(overdue, staff, "national", overdue.version)
    submit(property_scope="p-fresh", capacity_kw="12.5")
    submit(capacity_kw="500", customer_type="other", supply="dual", property_scope="p-pending")
    submit(requested_high_voltage=True, property_scope="p-consent")
    paused = submit(property_scope="p-paused")
    services.pause_clock(paused, staff, "customer_works", "施工中", paused.version)
    grid = submit(property_scope="p-grid")
    services.mark_grid_upgrade(
        grid,
        staff,
        "public_grid_upgrade",
        "10千伏线路改造",
        dt.date(2026, 12, 30),
        dt.date(2026, 11, 26),
        grid.version,
        "配套工程",
    )
    return _rows(list(selectors.list_columns(selectors.staff_queue(staff))))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_queue_rows_render_exactly_the_html_of_the_template_loop(
    varied_queue: list[Any], language: str
) -> None:
    assert len(varied_queue) == 6
    with translation.override(language):
        expected = Template(TEMPLATE_LOOP).render(Context({"rows": varied_queue}))
        rendered = queue_rows(varied_queue)
    assert rendered == expected
    for marker in ("tag-key", "tag-overdue", "tag-paused", "tag-pending", "tag-grid", "muted"):
        assert marker in rendered


def test_queue_rows_speak_english_when_the_language_is_english(varied_queue: list[Any]) -> None:
    with translation.override("en"):
        english = queue_rows(varied_queue)
    with translation.override("zh-hans"):
        chinese = queue_rows(varied_queue)
    assert "超期" in chinese and "超期" not in english


def test_the_queue_page_shows_its_rows_through_the_python_renderer(
    client: Any, staff: Any, varied_queue: list[Any]
) -> None:
    client.force_login(staff)
    html = client.get("/queue/").content.decode()
    with translation.override("zh-hans"):
        assert str(queue_rows(varied_queue)) in html


CHOICE_FIELDS = [
    (model, field)
    for model in (Application, StageRecord, Pause, Document, Notification)
    for field in model._meta.fields
    if field.choices
]


@pytest.mark.parametrize(
    ("model", "field"), CHOICE_FIELDS, ids=[f"{m.__name__}.{f.name}" for m, f in CHOICE_FIELDS]
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_cached_labels_equal_djangos_labels_for_every_choice(
    model: type[models.Model], field: Any, language: str
) -> None:
    with translation.override(language):
        for value in [key for key, _label in field.flatchoices] + ["not-a-choice", ""]:
            instance = model(**{field.attname: value})
            expected = models.Model._get_FIELD_display(instance, field)
            assert getattr(instance, f"get_{field.name}_display")() == expected
            assert choice_label(field, value) == expected


def test_cached_labels_follow_a_language_switch() -> None:
    app = Application(status=Status.COMPLETED, category="hv_dual")
    with translation.override("zh-hans"):
        assert app.get_status_display() == "已接电"
    with translation.override("en"):
        english = app.get_status_display()
        assert english != "已接电" and english.isascii()
    with translation.override("zh-hans"):
        assert app.get_status_display() == "已接电"


def _reference_public_progress(number: str) -> dict[str, Any]:
    """What the look-up returned before it became one query (three ORM reads)."""
    app = (
        Application.objects.filter(number=number)
        .annotate(
            time_limit_basis=KeyTransform("time_limit", KeyTransform("basis", "decision")),
            stages_basis=KeyTransform("stages", KeyTransform("basis", "decision")),
        )
        .get()
    )

    def label(obj: Any, name: str) -> Any:
        return models.Model._get_FIELD_display(obj, obj._meta.get_field(name))

    return {
        "number": app.number,
        "category": app.category,
        "category_label": label(app, "category"),
        "status": app.status,
        "status_label": label(app, "status"),
        "current_stage": app.current_stage,
        "current_stage_label": label(app, "current_stage") if app.current_stage else "",
        "applied_on": app.applied_on,
        "due_on": app.due_on,
        "due_pending_year": app.due_pending_year,
        "completed_on": app.completed_on,
        "contracted_on": app.contracted_on,
        "grid_upgrade_cause": app.grid_upgrade_cause,
        "grid_upgrade_cause_label": label(app, "grid_upgrade_cause")
        if app.grid_upgrade_cause
        else "",
        "grid_upgrade_committed_on": app.grid_upgrade_committed_on,
        "time_limit_wd": app.time_limit_wd,
        "time_limit_basis": selectors._citations(app.time_limit_basis),
        "stages_basis": selectors._citations(app.stages_basis),
        "stages": [
            {
                "stage": s.stage,
                "label": label(s, "stage"),
                "limit_wd": s.limit_wd,
                "due_on": s.due_on,
                "started_on": s.started_on,
                "completed_on": timezone.localdate(s.completed_at) if s.completed_at else None,
            }
            for s in StageRecord.objects.filter(application_id=app.pk).order_by("seq")
        ],
        "pauses": [
            {
                "reason": p.reason,
                "label": label(p, "reason"),
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "paused_wd": p.paused_wd,
            }
            for p in Pause.objects.filter(application_id=app.pk).order_by("started_on", "id")
        ],
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_one_query_lookup_returns_what_the_three_reads_returned(
    varied_queue: list[Any], staff: Any, language: str
) -> None:
    done = Application.objects.get(property_scope__iexact="p-fresh")
    services.advance_stage(done, staff, done.current_stage, done.version, "")
    paused = Application.objects.get(property_scope__iexact="p-paused")
    services.resume_clock(paused, staff, paused.version)
    with translation.override(language):
        for app in Application.objects.all():
            found = selectors.public_progress(app.number, app.verification_code)
            assert found is not None
            got = {key: getattr(found, key) for key in _reference_public_progress(app.number)}
            assert got == _reference_public_progress(app.number)
    assert Pause.objects.exists()
    assert StageRecord.objects.filter(completed_at__isnull=False).exists()


def test_the_lookup_costs_one_query_unless_there_are_pauses(
    varied_queue: list[Any], django_assert_num_queries: Any
) -> None:
    plain = Application.objects.get(property_scope__iexact="p-fresh")
    paused = Application.objects.get(property_scope__iexact="p-paused")
    with django_assert_num_queries(1):
        assert selectors.public_progress(plain.number, plain.verification_code) is not None
    with django_assert_num_queries(1):  # wrong code: the same single query
        assert selectors.public_progress(plain.number, "000000") is None
    with django_assert_num_queries(1):  # unknown number: the same single query
        assert selectors.public_progress("NOPE0000", plain.verification_code) is None
    with django_assert_num_queries(2):
        found = selectors.public_progress(paused.number, paused.verification_code)
    assert found is not None and found.pauses[0]["reason"] == "customer_works"


def test_the_api_list_does_not_load_the_stored_decision(
    client: Any, staff: Any, varied_queue: list[Any], django_assert_max_num_queries: Any
) -> None:
    client.force_login(staff)
    with django_assert_max_num_queries(8) as captured:
        response = client.get("/api/v1/applications")
    assert response.status_code == 200 and len(response.json()["items"]) == 6
    listing = [q["sql"] for q in captured.captured_queries if "connection_application" in q["sql"]]
    assert listing and not any('"decision"' in sql for sql in listing)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL operator classes")
def test_the_staff_scope_filter_is_an_index_condition_of_the_scope_index(
    staff: Any, submit: Any
) -> None:
    """company_id = ? AND region_id LIKE '6401%' both bound the scan of connection_scope_idx
    (varchar_pattern_ops: whatever the collation). The other indexes that start with either
    column are dropped inside a transaction that is rolled back, so the planner's choice on
    a tiny test table does not decide the outcome."""
    submit()
    sql, params = selectors.applications_for(staff).order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'connection_application' "
            "AND indexname <> 'connection_scope_idx' "
            "AND (indexdef LIKE '%%(company_id%%' OR indexdef LIKE '%%(region_id%%')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    assert "connection_scope_idx" in plan, plan
    condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "company_id" in condition and "~>=~ '6401'" in condition, plan


def test_the_session_user_arrives_with_organisation_and_region(
    client: Any, staff: Any, django_assert_num_queries: Any
) -> None:
    from django.contrib.auth import get_user

    client.force_login(staff)
    request = type("Request", (), {"session": client.session})()
    user = get_user(request)
    with django_assert_num_queries(0):
        assert user.organisation.name and user.region.code
