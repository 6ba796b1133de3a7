"""Writing the outputs: Parquet files, hard links to unchanged ones, and the atomic swap of
the output folder (leftovers of interrupted runs removed)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq


class WritesFiles(Protocol):
    """What `write_outputs` swaps in: a result that writes its files into a folder
    (`getelec.analytics.results.Outcome`)."""

    def write_files(self, folder: Path, extra: Callable[[Path], None] | None = None) -> None: ...


OUTPUT_FILES = (
    "meters.parquet",
    "districts.parquet",
    "feeders.parquet",
    "interruptions.parquet",  # a folder: YYYY-MM.parquet per month of interruption start
    "indices.json",
    "quality.json",
    "parameters.json",
)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Plain string types for readers (store_schema=False); Parquet still dictionary-encodes."""
    ids = {"id", "meter_id"}  # unique-ish: plain encoding is cheaper than a huge dictionary
    pq.write_table(
        table,
        str(path),
        filesystem=pafs.LocalFileSystem(),
        compression="snappy",
        use_dictionary=[c for c in table.column_names if c not in ids],
        # min/max only where readers filter (the first, sorted id column; start)
        write_statistics=[c for c in (table.column_names[0], "start") if c in table.column_names],
        store_schema=False,
    )


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link (no bytes copied; files are never changed in place), or a copy where the
    file system has no hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def remove_leftovers(out: Path) -> list[Path]:
    """Remove the temporary and replaced folders that an interrupted run left beside `out`
    (`.OUT.tmp-PID-*`, `.OUT.old-PID`), except those of a process that is still running."""
    removed = []
    for kind in ("tmp", "old"):
        for path in out.parent.glob(f".{out.name}.{kind}-*"):
            pid_text = path.name[len(f".{out.name}.{kind}-") :].split("-", 1)[0]
            if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def write_outputs(
    outcome: WritesFiles, out: str | Path, extra: Callable[[Path], None] | None = None
) -> Path:
    """Write every output into a fresh temporary folder beside `out`, then swap it in:
    `out` either keeps its previous content or gets the complete new one."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    try:
        outcome.write_files(tmp, extra)
        os.chmod(tmp, 0o755)
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
