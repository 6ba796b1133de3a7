"""Benchmark `getelec outages analyze` (wall time, peak RSS) at several sizes.

Generates missing data sets with `getelec outages synth` into benchmarks/data/ (git-ignored),
runs every command as a child process and reads its peak RSS from os.wait4, and writes
benchmarks/out/results.json and results.md (git-ignored). See README.md beside this file.

    .venv/bin/python benchmarks/outages/run.py                    # 0.4 M, 1 M, 4 M + pandas 1 M
    .venv/bin/python benchmarks/outages/run.py --sizes 400000 --no-pandas
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "benchmarks" / "data"
OUT = ROOT / "benchmarks" / "out"
PY = sys.executable
YEAR = 2026
AS_OF = "2026-12-31"
SPLIT = dt.date(2026, 12, 31)  # the incremental run adds this day


def measure(cmd: list[str]) -> dict[str, object]:
    """Run `cmd`; wall seconds and the child's peak RSS (GiB) from os.wait4."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"failed ({code}): {shlex.join(cmd)}")
    return {
        "command": shlex.join(cmd),
        "wall_s": round(wall, 2),
        "peak_rss_gib": round(usage.ru_maxrss / 1024**2, 2),  # ru_maxrss is KiB on Linux
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def getelec(*args: str) -> list[str]:
    return [PY, "-m", "getelec.cli", "outages", *args]


def ensure_data(size: int) -> Path:
    folder = DATA / f"m{size}"
    if not (folder / "events-day.parquet").exists():
        measure(
            getelec(
                "synth",
                "--meters",
                str(size),
                "--year",
                str(YEAR),
                "--out",
                str(folder),
                "--split",
                SPLIT.isoformat(),
                "--quiet",
            )
        )
    return folder


def analyze(
    folder: Path, out: Path, *extra: str, events: str = "events.parquet", as_of: str = AS_OF
) -> list[str]:
    return getelec(
        "analyze", "--meters", str(folder / "meters.parquet"), "--events", str(folder / events),
        "--causes", str(folder / "causes.parquet"), "--year", str(YEAR), "--as-of", as_of,
        "--out", str(out), "--quiet", *extra,
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="400000,1000000,4000000")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (best is reported)")
    ap.add_argument("--no-pandas", action="store_true")
    ap.add_argument("--pandas-size", type=int, default=1_000_000)
    ap.add_argument("--no-incremental", action="store_true")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "analyze": {},
    }  # fmt: skip
    for size in sizes:
        folder = ensure_data(size)
        runs = [measure(analyze(folder, OUT / f"engine-{size}")) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["wall_s"])
        best["runs_wall_s"] = [r["wall_s"] for r in runs]
        best["event_rows"] = json.loads((OUT / f"engine-{size}" / "quality.json").read_text())[
            "rows_read"]["events"]  # fmt: skip
        results["analyze"][size] = best  # type: ignore[index]
        print(f"analyze {size:>9,} meters: {best['wall_s']:6.1f} s, {best['peak_rss_gib']} GiB")
    if not args.no_incremental:
        size = max(sizes)
        folder = ensure_data(size)
        daily = OUT / f"daily-{size}"
        before = (SPLIT - dt.timedelta(days=1)).isoformat()
        results["incremental_base"] = measure(
            analyze(folder, daily, "--keep-state", events="events-before.parquet", as_of=before)
        )
        results["incremental"] = measure(
            analyze(folder, daily, "--since", SPLIT.isoformat(), events="events-day.parquet",
                    as_of=SPLIT.isoformat())
        )  # fmt: skip
        inc = results["incremental"]
        print(f"incremental {size:,} meters, one day: {inc['wall_s']} s")  # type: ignore[index]
    if not args.no_pandas:
        folder = ensure_data(args.pandas_size)
        results["pandas"] = measure(
            [PY, str(ROOT / "benchmarks" / "outages" / "pandas_baseline.py"), "--data",
             str(folder), "--year", str(YEAR), "--as-of", AS_OF, "--out",
             str(OUT / f"pandas-{args.pandas_size}")]
        )  # fmt: skip
        engine = results["analyze"].get(args.pandas_size)  # type: ignore[union-attr]
        if engine:
            results["speedup_vs_pandas"] = round(
                results["pandas"]["wall_s"] / engine["wall_s"],
                1,  # type: ignore[index]
            )
        print(f"pandas {args.pandas_size:,} meters: {results['pandas']['wall_s']} s")  # type: ignore[index]
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    lines = ["| run | wall s | peak RSS GiB | load before/after |", "|---|---|---|---|"]
    for size, r in results["analyze"].items():  # type: ignore[union-attr]
        lines.append(
            f"| analyze {int(size):,} meters ({r['event_rows']:,} events) | "
            f"{r['wall_s']} | {r['peak_rss_gib']} | {r['load_before']}/{r['load_after']} |"
        )
    for key in ("incremental", "pandas"):
        if key in results:
            r = results[key]  # type: ignore[assignment]
            lines.append(
                f"| {key} | {r['wall_s']} | {r['peak_rss_gib']} | "
                f"{r['load_before']}/{r['load_after']} |"
            )
    lines.append("")
    lines += [f"- `{r['command']}`" for r in results["analyze"].values()]  # type: ignore[union-attr]
    for key in ("incremental_base", "incremental", "pandas"):
        if key in results:
            lines.append(f"- `{results[key]['command']}`")  # type: ignore[index]
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    print((OUT / "results.md").read_text())


if __name__ == "__main__":
    main()
