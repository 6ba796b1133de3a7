"""`getelec serve / demo / manage`: the command lines they build and their safety rules."""

from __future__ import annotations

import pytest

from getelec.cli import build_parser, main
from getelec.cli.web import demo_serve_environment, gunicorn_command, is_loopback


@pytest.mark.pure
@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_only_loopback_addresses_count_as_local(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.pure
def test_serving_the_demo_on_a_public_address_is_refused():
    with pytest.raises(ValueError, match="loopback"):
        demo_serve_environment("0.0.0.0")


def test_the_local_demo_turns_secure_cookies_off_and_debug_off(monkeypatch, tmp_path, settings):
    monkeypatch.delenv("GETELEC_DEBUG", raising=False)
    monkeypatch.delenv("GETELEC_SECRET_KEY", raising=False)
    settings.VAR_DIR = tmp_path
    changes = demo_serve_environment("127.0.0.1")
    assert changes["GETELEC_SECURE_COOKIES"] == "0"
    assert changes["GETELEC_DEBUG"] == "0"
    assert len(changes["GETELEC_SECRET_KEY"]) > 40
    assert (
        demo_serve_environment("127.0.0.1")["GETELEC_SECRET_KEY"] == changes["GETELEC_SECRET_KEY"]
    )


def test_the_local_demo_keeps_an_operator_supplied_secret_and_debug(monkeypatch):
    monkeypatch.setenv("GETELEC_DEBUG", "1")
    monkeypatch.setenv("GETELEC_SECRET_KEY", "operator-key")
    changes = demo_serve_environment("localhost")
    assert changes == {"GETELEC_SECURE_COOKIES": "0"}


@pytest.mark.pure
def test_serve_runs_gunicorn_with_sync_workers_on_the_requested_address():
    args = build_parser().parse_args(["serve", "--port", "8123", "--workers", "3"])
    command = gunicorn_command(args)
    assert command[1:4] == ["-m", "gunicorn", "getelec.wsgi:application"]
    assert command[command.index("--bind") + 1] == "127.0.0.1:8123"
    assert command[command.index("--workers") + 1] == "3"
    assert command[command.index("--worker-class") + 1] == "sync"


@pytest.mark.pure
def test_demo_options_parse_scale_with_separators():
    args = build_parser().parse_args(["demo", "--scale", "200_000", "--seed", "5", "--reset"])
    assert (args.scale, args.seed, args.reset, args.serve) == (200_000, 5, True, False)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["demo", "--scale", "-1"])


@pytest.mark.pure
def test_demo_serve_on_a_public_address_exits_with_code_2(capsys):
    assert main(["demo", "--serve", "--host", "0.0.0.0"]) == 2
    assert "--host" in capsys.readouterr().err


def test_manage_passes_arguments_to_django(capsys):
    assert main(["manage", "check"]) == 0
    assert "System check identified" in capsys.readouterr().out
