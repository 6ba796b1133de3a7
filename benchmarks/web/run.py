#!/usr/bin/env python3
"""Load benchmark of the web platform on PostgreSQL (docs/performance.md).

One command:  .venv/bin/python benchmarks/web/run.py

1. creates the database (default getelec_bench) on the local PostgreSQL if missing and loads
   `getelec demo --scale 200000` into it (idempotent: a second run only checks);
2. starts `getelec serve` (gunicorn, 2 sync workers, DEBUG off) on 127.0.0.1;
3. logs in as the Yinchuan staff demo account and measures with wrk (loopback only, bounded
   duration): the staff queue page and GET /api/v1/applications (p95 with 8 concurrent
   clients) and the public progress look-up GET /api/v1/progress/{number}?code=... (requests/s);
4. prints a table, writes benchmarks/web/results/<time>.json and stops the server.

Needs `wrk` (Debian: apt-get install -y wrk) and a PostgreSQL server (DATABASE_URL style base
URL via --pg, default postgres://postgres@127.0.0.1:5432). Targets: p95 < 100 ms (queue, API
list), >= 800 requests/s (public look-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from getelec.cli.web import getelec_command

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TARGET_P95_MS = 100.0
TARGET_LOOKUP_RPS = 800.0
STAFF = ("demo-staff-yinchuan", "demo-staff-2026")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    p.add_argument("--db", default="getelec_bench", help="database name (created if missing)")
    p.add_argument("--scale", type=int, default=200_000, help="bulk applications to load")
    p.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    p.add_argument("--skip-load", action="store_true", help="do not run `getelec demo --scale`")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per endpoint")
    p.add_argument("--connections", type=int, default=8, help="concurrent clients")
    p.add_argument("--lookup-connections", type=int, default=8, help="clients for look-ups")
    p.add_argument("--explain", action="store_true", help="also EXPLAIN ANALYZE the queries")
    p.add_argument("--only", nargs="*", help="measure only these (queue api_list lookup ...)")
    return p.parse_args()


def database_url(args: argparse.Namespace) -> str:
    return f"{args.pg.rstrip('/')}/{args.db}"


def ensure_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(f"{args.pg.rstrip('/')}/postgres", autocommit=True) as conn:
        if args.fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.db}"')
            print(f"created database {args.db}")


def server_env(args: argparse.Namespace, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(args),
            "GETELEC_DEBUG": "0",
            "GETELEC_SECRET_KEY": "benchmark-only-not-a-secret-" + "x" * 30,
            "GETELEC_SECURE_COOKIES": "0",  # plain http on loopback
            "GETELEC_VAR_DIR": str(var_dir),
            "GETELEC_LOG_LEVEL": "ERROR",
        }
    )
    return env


def load(args: argparse.Namespace, env: dict[str, str]) -> float:
    started = time.monotonic()
    command = getelec_command("demo", "--scale", str(args.scale))
    print("$ getelec", " ".join(command[3:]), flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True)
    return time.monotonic() - started


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = getelec_command(
        "serve", "--host", "127.0.0.1", "--port", str(args.port),
        "--workers", str(args.workers), "--no-access-log",
    )  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/", timeout=2).read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server exited during start-up") from None
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("the server did not answer within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # our own process group only
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def login(base: str) -> str:
    """The session cookie of the Yinchuan staff demo account (form login with CSRF)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    data = urllib.parse.urlencode(
        {"username": STAFF[0], "password": STAFF[1], "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    opener.open(request).read()
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if not session:
        raise SystemExit("log-in failed: no session cookie (is the demo data loaded?)")
    for path in ("/queue/", "/api/v1/applications"):
        check = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={session}"})
        with urllib.request.urlopen(check) as response:
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
    return session


def lookup_pairs(env: dict[str, str], path: Path, count: int = 5000) -> int:
    """Random (number, verification code) pairs for the public look-up, written for wrk."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT number, verification_code FROM connection_application "
            "ORDER BY md5(number) LIMIT %s",
            [count],
        ).fetchall()
    random.Random(1).shuffle(rows)
    path.write_text("".join(f"{n} {c}\n" for n, c in rows))
    return len(rows)


def wrk(
    url: str, seconds: int, connections: int, headers: list[str], env: dict[str, str]
) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(HERE / "report.lua")]  # fmt: skip
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], env=env, capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the process ended
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _server_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """gunicorn master and workers: every process of the server's own process group."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == server.pid:  # pgrp
                pids.append(int(entry.name))
    return pids


def _postgres_pids(env: dict[str, str], db: str) -> list[int]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db],
        ).fetchall()
    return [r[0] for r in rows]


class CpuMeter:
    """CPU time used by the server, its PostgreSQL sessions and wrk during one measurement:
    a figure the other work on the machine hardly changes (unlike requests/s and latency)."""

    def __init__(self, server: subprocess.Popen[bytes], env: dict[str, str], db: str):
        self.server, self.env, self.db = server, env, db

    def __enter__(self) -> CpuMeter:
        self.pids = {
            "server": _server_pids(self.server),
            "postgres": _postgres_pids(self.env, self.db),
        }
        self.start = {k: {p: _cpu_seconds(p) for p in v} for k, v in self.pids.items()}
        self.children = _children_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        now = {"server": _server_pids(self.server), "postgres": _postgres_pids(self.env, self.db)}
        self.used = {}
        for kind, pids in now.items():
            before = self.start[kind]
            # Processes present at both ends: the difference; started meanwhile (PostgreSQL
            # sessions are renewed every GETELEC_DB_CONN_MAX_AGE seconds): all of their time.
            # Sessions that ended meanwhile are lost, so this slightly underestimates.
            self.used[kind] = sum(_cpu_seconds(p) - before.get(p, 0.0) for p in pids)
        self.used["wrk"] = _children_cpu() - self.children

    def per_request_ms(self, requests: int) -> dict[str, float]:
        result = {k: round(v * 1000 / max(requests, 1), 3) for k, v in self.used.items()}
        result["total"] = round(sum(result.values()), 3)
        return result


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def explain(env: dict[str, str]) -> dict[str, str]:
    """EXPLAIN ANALYZE of the queue page, the API list and the public look-up queries."""
    code = r"""
import json
from getelec.cli import django_setup
django_setup()
from django.db import connection
from getelec.accounts.models import User
from getelec.connection import selectors
from getelec.connection.models import Application
user = User.objects.get(username="demo-staff-yinchuan")
number = Application.objects.order_by("-id").values_list("number", flat=True).first()
queries = {
    "queue (first page)": selectors.staff_queue(user)[:50],
    "api list (first page)": selectors.applications_for(user)
        .select_related("region", "company")[:50],
    "api list count (capped)": selectors.applications_for(user).order_by().values("pk")[:10001],
    "public look-up": Application.objects.filter(number=number),
}
out = {}
with connection.cursor() as cursor:
    for name, qs in queries.items():
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        out[name] = "\n".join(r[0] for r in cursor.fetchall())
print(json.dumps(out))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    var_dir = Path(tempfile.mkdtemp(prefix="getelec-bench-"))
    env = server_env(args, var_dir)
    ensure_database(args)
    results: dict[str, object] = {
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": args.db,
        "scale": args.scale,
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
        "load_before": loadavg(),
    }
    if not args.skip_load:
        results["load_seconds"] = round(load(args, env), 1)
    else:  # `getelec demo` migrates; without it, still bring the schema (indexes) up to date
        subprocess.run(
            getelec_command("manage", "migrate", "--noinput", "-v0"), env=env, cwd=ROOT, check=True
        )
    server = start_server(args, env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        session = login(base)
        pairs_file = var_dir / "lookup_pairs.txt"
        results["lookup_pairs"] = lookup_pairs(env, pairs_file)
        cookie = [f"Cookie: sessionid={session}"]
        lookup_env = {
            **os.environ,
            "ROTATE_FILE": str(pairs_file),
            "WRK_PATH_TEMPLATE": "/api/v1/progress/{number}?code={code}",
        }
        scenarios = [
            ("queue", f"{base}/queue/", cookie, args.connections, os.environ),
            ("queue_page_3", f"{base}/queue/?page=3", cookie, args.connections, os.environ),
            ("api_list", f"{base}/api/v1/applications", cookie, args.connections, os.environ),
            ("lookup", f"{base}/", [], args.lookup_connections, lookup_env),
        ]
        measured: dict[str, dict[str, float]] = {}
        for name, url, headers, connections, wrk_env in scenarios:
            if args.only and name not in args.only:
                continue
            wrk(url, args.warmup, connections, headers, dict(wrk_env))  # warm caches
            with CpuMeter(server, env, args.db) as meter:
                m = wrk(url, args.duration, connections, headers, dict(wrk_env))
            cpu = meter.per_request_ms(int(m["requests"]))
            # What the 2 cores could serve if nothing else ran (server + PostgreSQL + wrk).
            m["cpu_ms_per_request"] = cpu  # type: ignore[assignment]
            m["capacity_rps_idle_machine"] = (
                round(1000 * (os.cpu_count() or 1) / cpu["total"], 1) if cpu["total"] else 0.0
            )
            measured[name] = m
            print(
                f"{name:13} {m['rps']:8.1f} req/s  p50 {m['p50_ms']:6.1f} ms  "
                f"p95 {m['p95_ms']:6.1f} ms  p99 {m['p99_ms']:6.1f} ms  "
                f"non-2xx {m['non_2xx']}  errors {m['socket_errors']}  "
                f"cpu/request {cpu['server']:.2f}+{cpu['postgres']:.2f}+{cpu['wrk']:.2f} ms "
                f"(server+postgres+wrk) -> {m['capacity_rps_idle_machine']:.0f} req/s on an "
                "idle machine",
                flush=True,
            )
        results["measured"] = measured
        if args.explain:
            results["explain"] = explain(env)
    finally:
        stop_server(server)
        results["load_after"] = loadavg()
    verdicts = []
    for name in ("queue", "api_list"):
        if name in measured:
            ok = measured[name]["p95_ms"] < TARGET_P95_MS
            verdicts.append(f"{name} p95 {measured[name]['p95_ms']:.1f} ms "
                            f"{'<' if ok else '>='} {TARGET_P95_MS:.0f} ms")  # fmt: skip
    if "lookup" in measured:
        ok = measured["lookup"]["rps"] >= TARGET_LOOKUP_RPS
        verdicts.append(f"lookup {measured['lookup']['rps']:.0f} req/s "
                        f"{'>=' if ok else '<'} {TARGET_LOOKUP_RPS:.0f}")  # fmt: skip
    results["verdicts"] = verdicts
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print("; ".join(verdicts))
    print(f"load average before {results['load_before']}, after {results['load_after']}")
    print(f"written {out.relative_to(ROOT)}")
    shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
