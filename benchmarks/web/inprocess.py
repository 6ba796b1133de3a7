#!/usr/bin/env python3
"""CPU time per request, in-process (docs/performance.md): far less sensitive to the other
work on a shared machine than the wrk figures of run.py.

    .venv/bin/python benchmarks/web/inprocess.py                 # best of 5 rounds
    .venv/bin/python benchmarks/web/inprocess.py --profile queue # cProfile of one endpoint

Same database as run.py (getelec_bench, loaded by it), DEBUG off, the Django test client
(the whole middleware stack, no HTTP server): for each endpoint, a warm-up, then `--rounds`
rounds of `--requests` requests; prints the best round's `time.process_time()` per request
(the database server's CPU is not included) and the number of SQL queries per request.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VAR_DIR = Path(os.environ.get("GETELEC_BENCH_VAR_DIR", "/tmp/getelec-bench-inprocess"))
STAFF = "demo-staff-yinchuan"


def setup(pg: str, db: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"{pg.rstrip('/')}/{db}",
            "GETELEC_DEBUG": "0",
            "GETELEC_SECRET_KEY": "benchmark-only-not-a-secret-" + "x" * 30,
            "GETELEC_SECURE_COOKIES": "0",
            "GETELEC_VAR_DIR": str(VAR_DIR),
            "GETELEC_LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "getelec.settings",
        }
    )
    if not (VAR_DIR / "static" / "staticfiles.json").exists():  # hashed names need the manifest
        subprocess.run(
            [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            check=True,
        )
    import django

    django.setup()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--db", default="getelec_bench")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--requests", type=int, default=40)
    p.add_argument("--profile", help="cProfile this endpoint instead (queue, api_list, lookup)")
    p.add_argument("--only", nargs="*")
    p.add_argument("--sort", default="cumulative", help="cProfile sort key (tottime, ...)")
    args = p.parse_args()
    setup(args.pg, args.db)

    from django.db import connection
    from django.test import Client

    from getelec.accounts.models import User
    from getelec.connection.models import Application

    staff = Client()
    staff.force_login(User.objects.get(username=STAFF))
    public = Client()
    pairs = list(Application.objects.order_by("?").values_list("number", "verification_code")[:400])
    counter = iter(range(10**9))

    def lookup() -> object:
        number, code = pairs[next(counter) % len(pairs)]
        return public.get(f"/api/v1/progress/{number}?code={code}")

    endpoints = {
        "queue": lambda: staff.get("/queue/"),
        "queue_page_3": lambda: staff.get("/queue/?page=3"),
        "api_list": lambda: staff.get("/api/v1/applications"),
        "lookup": lookup,
    }
    if args.profile:
        import cProfile
        import pstats

        call = endpoints[args.profile]
        for _ in range(10):
            call()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            call()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
        return 0
    print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    for name, call in endpoints.items():
        if args.only and name not in args.only:
            continue
        for _ in range(10):
            response = call()
            status = response.status_code  # type: ignore[attr-defined]
            if status != 200:
                raise SystemExit(f"{name}: HTTP {status}, not 200: nothing to measure")
        queries: list[str] = []

        def count(run: Any, sql: str, *rest: Any, seen: list[str] = queries) -> Any:
            seen.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count):
            call()
        best = float("inf")
        for _ in range(args.rounds):
            started = time.process_time()
            for _ in range(args.requests):
                call()
            best = min(best, (time.process_time() - started) / args.requests)
        print(f"{name:13} {best * 1000:6.2f} ms CPU/request (best of {args.rounds} rounds of "
              f"{args.requests})  {len(queries)} queries")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
