"""Compare two builds of the outage engine on the same data, alternating their runs.

Each build is a checkout of this repository (e.g. a `git worktree` at the commit before a
change, and the current one). Both run with this interpreter, each importing its own code
(PYTHONPATH = the checkout). For every repetition the full `getelec outages analyze` and the
one-day `--since` run are timed for build A, then build B (then B, A on the next round, so
that neither always runs first); the report gives the median, min and max of each.

    git worktree add /tmp/before <commit>
    .venv/bin/python benchmarks/outages/compare.py --before /tmp/before --after . \\
        --meters 4000000 --repeat 5 --synth-arg=--lookback-days --synth-arg=59

Data are generated once by the *after* build's `getelec outages synth` (with `--synth-arg`s)
into benchmarks/data/compare-<meters>/; results go to benchmarks/out/compare.md and .json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
YEAR = 2026
AS_OF = dt.date(2026, 12, 31)


def run(build: Path, args: list[str]) -> float:
    """Wall seconds of `getelec outages <args>` with `build`'s code."""
    env = dict(os.environ, PYTHONPATH=str(build))
    cmd = [PY, "-m", "getelec.cli", "outages", *args]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=build, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}) in {build}: {shlex.join(cmd)}\n{done.stderr}")
    return wall


def analyze(data: Path, out: Path, events: str, as_of: dt.date, *extra: str) -> list[str]:
    return [
        "analyze", "--meters", str(data / "meters.parquet"), "--events", str(data / events),
        "--causes", str(data / "causes.parquet"), "--year", str(YEAR),
        "--as-of", as_of.isoformat(), "--out", str(out), "--quiet", *extra,
    ]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="checkout of the old build")
    ap.add_argument("--after", type=Path, required=True, help="checkout of the new build")
    ap.add_argument("--meters", type=int, default=4_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--synth-arg", action="append", default=[], help="extra synth argument")
    args = ap.parse_args()
    builds = {"before": args.before.resolve(), "after": args.after.resolve()}
    data = ROOT / "benchmarks" / "data" / f"compare-{args.meters}"
    out = ROOT / "benchmarks" / "out" / "compare"
    out.mkdir(parents=True, exist_ok=True)
    if not (data / "events-day.parquet").exists():
        synth = ["synth", "--meters", str(args.meters), "--year", str(YEAR), "--out", str(data)]
        synth += ["--split", AS_OF.isoformat(), "--quiet", *args.synth_arg]
        print("generating", data, "…", flush=True)
        run(builds["after"], synth)
    # the incremental base (year to 30 December, state kept) once per build;
    # each --since run starts from a copy of it
    for name, build in builds.items():
        base = analyze(data, out / f"base-{name}", "events-before.parquet",
                       AS_OF - dt.timedelta(days=1), "--keep-state")  # fmt: skip
        run(build, base)
    times: dict[str, dict[str, list[float]]] = {b: {"full": [], "since": []} for b in builds}
    order = list(builds)
    for i in range(args.repeat):
        for name in order if i % 2 == 0 else order[::-1]:
            build = builds[name]
            full = run(build, analyze(data, out / f"full-{name}", "events.parquet", AS_OF))
            times[name]["full"].append(round(full, 2))
            daily = out / f"daily-{name}"  # a fresh copy of the base state (not timed)
            shutil.rmtree(daily, ignore_errors=True)
            shutil.copytree(out / f"base-{name}", daily)
            since = analyze(data, daily, "events-day.parquet", AS_OF,
                            "--since", AS_OF.isoformat())  # fmt: skip
            times[name]["since"].append(round(run(build, since), 2))
            print(name, i + 1, times[name]["full"][-1], times[name]["since"][-1], flush=True)
    rows = ["| build | full run median (min–max) s | one-day --since median (min–max) s |",
            "|---|---|---|"]  # fmt: skip
    summary: dict[str, object] = {"meters": args.meters, "repeat": args.repeat, "runs": times}
    for name in builds:
        cells = []
        for kind in ("full", "since"):
            xs = times[name][kind]
            summary[f"{name}_{kind}_median"] = statistics.median(xs)
            cells.append(f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})")
        rows.append(f"| {name} ({builds[name]}) | {cells[0]} | {cells[1]} |")
    ratio = summary["after_full_median"] / summary["before_full_median"]  # type: ignore[operator]
    rows.append("")
    rows.append(f"full run after/before: {ratio:.3f}; meters {args.meters:,}; "
                f"synth args {args.synth_arg}")  # fmt: skip
    summary["full_ratio"] = round(ratio, 3)
    (out.parent / "compare.json").write_text(json.dumps(summary, indent=2))
    (out.parent / "compare.md").write_text("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
