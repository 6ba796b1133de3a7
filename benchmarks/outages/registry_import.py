"""Registry import benchmark: `import_registry` on a database of its own (created and dropped).

Steps (each timed, wall seconds): the first import of N meters (750 districts), the same file
again (nothing changes), the file with every meter address changed, and the file with every
meter moved to another district (a meter_count and district change per row).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python benchmarks/outages/registry_import.py --meters 50000

The database named in DATABASE_URL is not touched: Django's test-database machinery creates
test_<name>, migrates it and drops it at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def write(path: Path, n: int, districts: int, address: str, shift: int = 0) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "meter_id",
                "district_id",
                "feeder_id",
                "region",
                "area",
                "district_name",
                "feeder_name",
                "served_area",
                "meter_address",
            ]
        )
        for i in range(n):
            d = (i + shift) % districts
            region = "640104" if d % 2 else "640202"
            w.writerow(
                [
                    f"M{i:08d}",
                    f"T{d:05d}",
                    f"F{d // 10:04d}-{region}",
                    region,
                    "urban",
                    f"台区{d}",
                    f"线路{d // 10}",
                    f"小区{d}",
                    f"{address}{i}号",
                ]
            )
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meters", type=int, default=50_000)
    ap.add_argument("--districts", type=int, default=750)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "getelec.settings")
    import django

    django.setup()
    from django.db import connection

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from getelec.accounts.models import Organisation, Region
        from getelec.outages.registry import import_registry

        lv = Region.Level
        prov = Region.objects.get_or_create(
            code="640000", defaults={"name": "宁夏回族自治区", "level": lv.PROVINCE}
        )[0]
        for city, county, cname in (("640100", "640104", "银川"), ("640200", "640202", "石嘴山")):
            c = Region.objects.get_or_create(
                code=city, defaults={"name": cname, "level": lv.CITY, "parent": prov}
            )[0]
            Region.objects.get_or_create(
                code=county, defaults={"name": cname + "区", "level": lv.COUNTY, "parent": c}
            )
            Organisation.objects.get_or_create(
                name=f"国网{cname}供电公司",
                defaults={"kind": Organisation.Kind.SUPPLY_COMPANY, "region": c},
            )
        results = {"engine": connection.vendor, "meters": args.meters}
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            steps = [
                ("first import", write(t / "a.csv", args.meters, args.districts, "甲街")),
                ("same file again", t / "a.csv"),
                ("every address changed", write(t / "b.csv", args.meters, args.districts, "乙街")),
                ("every meter moved", write(t / "c.csv", args.meters, args.districts, "乙街", 1)),
            ]
            for label, path in steps:
                start = time.perf_counter()
                summary = import_registry(path)
                results[label] = round(time.perf_counter() - start, 2)
                print(f"{label}: {results[label]} s  {json.dumps(summary.as_dict())[:160]}")
        print(json.dumps(results, ensure_ascii=False))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
