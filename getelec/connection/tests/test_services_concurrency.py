"""Two staff advancing the same stage at once: exactly one succeeds, nothing applied twice."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from getelec.audit.models import AuditEvent
from getelec.connection import services
from getelec.connection.models import Application, StageRecord


def _outcomes(app: Any, actor: Any, version: int, stage: str, barrier: Any) -> list[str]:
    results: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            stale = Application.objects.get(pk=app.pk)
            barrier.wait(timeout=10)
            services.advance_stage(stale, actor, stage, version, note="并发")
            outcome = "ok"
        except services.Conflict as exc:
            outcome = f"conflict: {exc.message}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(results)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks: PostgreSQL")
def test_two_threads_advancing_the_same_stage_on_postgresql_one_wins(
    submit: Any, staff: Any
) -> None:
    app = submit()
    results = _outcomes(app, staff, app.version, "intake", threading.Barrier(2))
    assert results[0] == "conflict: 该申请已被他人更新，请刷新页面后重试"
    assert results[1] == "ok"
    app.refresh_from_db()
    assert (app.current_stage, app.version) == ("supply_scheme", 2)
    assert StageRecord.objects.filter(application=app, completed_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(action="connection.advance_stage").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_who_read_the_same_version_one_wins_the_other_gets_a_conflict(
    submit: Any, staff: Any
) -> None:
    """Deterministic on every database: both read version 1, then both advance."""
    app = submit()
    first_view = Application.objects.get(pk=app.pk)
    second_view = Application.objects.get(pk=app.pk)
    services.advance_stage(first_view, staff, "intake", first_view.version)
    with pytest.raises(services.Conflict) as error:
        services.advance_stage(second_view, staff, "intake", second_view.version)
    assert "已被他人更新" in error.value.message
    assert StageRecord.objects.filter(application=app, completed_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_the_conditional_update_refuses_a_change_that_slipped_past_the_read(
    submit: Any, staff: Any, monkeypatch: Any
) -> None:
    """Even if a stale row passes the version check, the UPDATE on (id, version, stage,
    status) matches nothing and the whole transaction rolls back."""
    app = submit()
    stale = Application.objects.get(pk=app.pk)
    services.advance_stage(app, staff, "intake", 1)  # somebody else, first
    monkeypatch.setattr(services.workflow, "_fresh", lambda application: stale)
    before = AuditEvent.objects.count()
    with pytest.raises(services.Conflict):
        services.advance_stage(stale, staff, "intake", 1)
    assert AuditEvent.objects.count() == before
    assert StageRecord.objects.filter(application=app, completed_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency: PostgreSQL")
def test_parallel_submissions_in_one_property_scope_grant_three_zero_once(submit: Any) -> None:
    """T1 (a): the scope's capacity is read under a lock, so 20 parallel 100 kW submissions by a
    small enterprise on one property certificate get 三零 once (100 + 100 > the 160 kW cap)."""
    firm = {"customer_type": "small_micro_enterprise", "customer_name": "银川某商贸有限公司"}
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            submit(capacity_kw="100", **firm)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    apps = list(Application.objects.order_by("pk"))
    assert len(apps) == 20
    assert sum(a.three_zero for a in apps) == 1
    assert apps[0].three_zero and apps[0].property_existing_kw == 0
    assert [a.property_existing_kw for a in apps[1:]] == [100 * n for n in range(1, 20)]
