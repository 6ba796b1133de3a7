"""`getelec serve`, `getelec demo`, `getelec manage`.

serve   collectstatic (quiet), then gunicorn running getelec.wsgi (WhiteNoise serves /static/).
        Settings come from the environment (see docs/performance.md and README): DATABASE_URL,
        GETELEC_SECRET_KEY, GETELEC_DEBUG, GETELEC_ALLOWED_HOSTS, GETELEC_SECURE_COOKIES,
        GETELEC_DB_CONN_MAX_AGE, GETELEC_VAR_DIR ...
demo    migrate if needed, load the Ningxia reference data, the demo accounts (printed, with
        their DEMO-ONLY passwords) and ~200 sample applications; --scale N adds N bulk
        applications for load tests; --serve then serves the demo on localhost over plain http.
manage  any Django management command: `getelec manage migrate`, `getelec manage createsuperuser`.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import sys
from pathlib import Path

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve the platform with gunicorn (production-like; static files by WhiteNoise)",
        description="Run collectstatic, then gunicorn (getelec.wsgi). Configuration comes from "
        "the environment: DATABASE_URL, GETELEC_SECRET_KEY, GETELEC_DEBUG, "
        "GETELEC_ALLOWED_HOSTS, GETELEC_SECURE_COOKIES, GETELEC_DB_CONN_MAX_AGE.",
    )
    _serve_arguments(serve)
    serve.set_defaults(handler=run_serve)

    demo = sub.add_parser(
        "demo",
        help="load the Ningxia demo: regions, organisations, accounts, ~200 applications",
        description="Migrate if needed, load the Ningxia reference data, one demo account per "
        "role (DEMO-ONLY passwords, printed) and ~200 sample applications created through the "
        "connection services. Idempotent: running it twice changes nothing. --scale N adds N "
        "bulk applications for load tests.",
    )
    demo.add_argument(
        "--scale",
        type=_non_negative,
        default=0,
        metavar="N",
        help="also generate N bulk applications (load tests; e.g. 200000)",
    )
    demo.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    demo.add_argument(
        "--reset",
        action="store_true",
        help="first delete the demo applications (audit rows are kept: append-only)",
    )
    demo.add_argument(
        "--no-sample",
        action="store_true",
        help="skip the ~200 sample applications (reference data and accounts only)",
    )
    demo.add_argument(
        "--serve",
        action="store_true",
        help="then serve the demo on HOST:PORT (plain http; loopback only)",
    )
    _serve_arguments(demo)
    demo.set_defaults(handler=run_demo)

    manage = sub.add_parser(
        "manage",
        help="run a Django management command (migrate, createsuperuser, shell, ...)",
        description="Pass the arguments to Django's management utility, e.g. "
        "`getelec manage migrate` or `getelec manage createsuperuser`.",
    )
    manage.add_argument("args", nargs=argparse.REMAINDER, help="command and its arguments")
    manage.set_defaults(handler=run_manage)


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--no-access-log", action="store_true", help="do not log every request on standard output"
    )


def _non_negative(raw: str) -> int:
    try:
        value = int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {raw!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def getelec_command(*args: str) -> list[str]:
    """`getelec ARGS` run by this interpreter (works without the console script on PATH)."""
    return [
        sys.executable,
        "-c",
        "import sys; from getelec.cli import main; sys.exit(main())",
        *args,
    ]


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- serve ------------------------------------------------------------------------------------


def gunicorn_command(args: argparse.Namespace) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "getelec.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
    ]
    if not args.no_access_log:
        command += ["--access-logfile", "-"]
    return command


def run_serve(args: argparse.Namespace) -> int:
    from getelec.kernel.setup import django_setup

    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    db = settings.DATABASES["default"]
    print(
        f"getelec serve: http://{args.host}:{args.port}/  ({args.workers} gunicorn workers; "
        f"database {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}; "
        f"DEBUG={settings.DEBUG}; secure cookies={settings.SESSION_COOKIE_SECURE})",
        flush=True,
    )
    if settings.SESSION_COOKIE_SECURE and not settings.SECURE_PROXY_SSL_HEADER:
        print(
            "note: session cookies are Secure (GETELEC_SECURE_COOKIES=1): log-in works over "
            "https (behind a TLS proxy); for a plain-http demo on localhost use "
            "`getelec demo --serve`.",
            flush=True,
        )
    command = gunicorn_command(args)
    sys.stdout.flush()
    os.execv(command[0], command)  # gunicorn replaces this process (signals go to it)
    return 0  # pragma: no cover


def demo_serve_environment(host: str) -> dict[str, str]:
    """Environment changes for serving the demo over plain http on this machine.

    Only for a loopback address: cookies without the Secure flag (plain http), DEBUG off
    (production-like), and a secret key kept under var/ unless one is set.
    """
    if not is_loopback(host):
        raise ValueError(
            f"--serve is for a local demo over plain http; {host} is not a loopback address. "
            "Serve a real deployment with `getelec serve` behind TLS."
        )
    changes = {"GETELEC_SECURE_COOKIES": "0"}
    if "GETELEC_DEBUG" not in os.environ:
        changes["GETELEC_DEBUG"] = "0"
    if not os.environ.get("GETELEC_SECRET_KEY"):
        from django.conf import settings

        path = Path(settings.VAR_DIR) / "demo_secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        changes["GETELEC_SECRET_KEY"] = path.read_text().strip()
    return changes


# --- demo -------------------------------------------------------------------------------------


def run_demo(args: argparse.Namespace) -> int:
    from getelec.kernel.setup import django_setup

    if args.serve and not is_loopback(args.host):
        print(
            f"error: --host: {args.host} is not a loopback address; --serve serves the demo "
            "over plain http on this machine only",
            file=sys.stderr,
        )
        return 2
    django_setup()
    from getelec.demo import loader

    report = loader.load_demo(
        scale=args.scale,
        seed=args.seed,
        reset=args.reset,
        sample=not args.no_sample,
        out=sys.stdout,
    )
    print(report)
    if not args.serve:
        print("Serve it with: getelec demo --serve   (or: getelec serve, behind TLS)")
        return 0
    changes = demo_serve_environment(args.host)
    shown = {
        k: ("(var/demo_secret_key)" if k == "GETELEC_SECRET_KEY" else v) for k, v in changes.items()
    }
    print(
        "Serving the demo over plain http on this machine; environment for this run: "
        + " ".join(f"{k}={v}" for k, v in shown.items())
    )
    print(
        "  GETELEC_SECURE_COOKIES=0: cookies without the Secure flag, ONLY because this is a "
        "localhost demo over http. Never in production."
    )
    os.environ.update(changes)
    command = getelec_command(
        "serve", "--host", args.host, "--port", str(args.port), "--workers", str(args.workers)
    )
    if args.no_access_log:
        command.append("--no-access-log")
    sys.stdout.flush()
    os.execv(command[0], command)  # a fresh process reads the changed settings
    return 0  # pragma: no cover


# --- manage -----------------------------------------------------------------------------------


def run_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "getelec.settings")
    from django.core.management import execute_from_command_line

    rest = list(args.args)
    if rest and rest[0] == "--":
        rest = rest[1:]
    if not rest:
        rest = ["help"]
    execute_from_command_line(["getelec manage", *rest])
    return 0
