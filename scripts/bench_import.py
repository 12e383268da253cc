"""Time import_twinnings on 25,000 synthetic pairs (a benchmark, not a test).

    DATABASE_URL=postgres://user@host:5432/dbname .venv/bin/python scripts/bench_import.py [--pairs 25000]

The database must be migrated. Everything runs inside one transaction that is rolled back at
the end, so the database is left as it was. Prints the time of a first import (everything
created) and of a second import of the same file (everything skipped).
"""

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twinning.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django


class Rollback(Exception):
    pass


def write_file(path, pairs, seed=1957):
    """``pairs`` distinct pairs among about pairs / 2 cities, the shape of a P190 query result:
    entity URIs, WKT points, start times (some mid-year) and a few end times."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, reproducible on purpose
    n_cities = max(2, pairs // 2)
    cities = [
        (
            f"http://www.wikidata.org/entity/Q{10_000_000 + i}",
            f"Benchtown {i}",
            rng.choice(["GB", "FR", "DE", "UA", "CZ", "PL"]),
            f"Point({rng.uniform(-10, 40):.5f} {rng.uniform(35, 65):.5f})",
        )
        for i in range(n_cities)
    ]
    seen = set()
    with open(path, "w", encoding="utf-8") as out:
        out.write("city,cityLabel,cityCountry,coord,twin,twinLabel,twinCountry,twinCoord,start,end\n")
        while len(seen) < pairs:
            a, b = rng.sample(range(n_cities), 2)
            key = (min(a, b), max(a, b))
            if key in seen:
                continue
            seen.add(key)
            year = rng.randint(1950, 2020)
            start = f"{year}-01-01T00:00:00Z" if rng.random() < 0.8 else f"{year}-06-15T00:00:00Z"
            end = f"{year + 3}-01-01T00:00:00Z" if rng.random() < 0.05 else ""
            out.write(",".join([*cities[a], *cities[b], start, end]) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=25_000)
    args = parser.parse_args()
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench_p190.csv"
        write_file(path, args.pairs)
        print(f"{args.pairs} pairs on {connection.vendor} ({connection.settings_dict['NAME']})")
        try:
            with transaction.atomic():
                for label in ("first import", "second import"):
                    started = time.monotonic()
                    call_command("import_twinnings", str(path))
                    print(f"{label}: {time.monotonic() - started:.1f} s")
                raise Rollback
        except Rollback:
            print("rolled back: the database is unchanged")


if __name__ == "__main__":
    main()
