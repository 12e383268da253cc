"""Time the open data downloads with 100,000 links (a benchmark, not a test).

    DATABASE_URL=postgres://user@host:5432/dbname .venv/bin/python scripts/bench_downloads.py [--links 100000]

The database must be migrated. The rows are created inside a transaction that is rolled back at
the end, so the database is left as it was. Prints the time and size of each download and the
process's peak memory.
"""

import argparse
import datetime
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twinning.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# A store of its own: the rows built here are never signalled as a change of content, so a
# download stored earlier at the same content version would be timed instead of the build.
os.environ["OPEN_DATA_ROOT"] = tempfile.mkdtemp(prefix="bench-downloads-")

import django


class Rollback(Exception):
    pass


def build(n):
    from partnerships.models import City, Event, Link, Person, Source, Statement

    source = Source.objects.create(title="Bench source", publisher="Bench")
    cities = City.objects.bulk_create(
        [
            City(
                name=f"Benchtown {i}",
                slug=f"benchtown-{i}",
                country="FR",
                latitude=Decimal("48.1"),
                longitude=Decimal("2.2"),
            )
            for i in range(n + 1)
        ],
        batch_size=5000,
    )
    links = Link.objects.bulk_create(
        [
            Link(city_a=cities[0], city_b=c, slug=f"bench-{c.pk}", kind="twin_town", is_published=True)
            for c in cities[1:]
        ],
        batch_size=5000,
    )
    events = Event.objects.bulk_create(
        [
            Event(
                link=lk,
                date=datetime.date(1990, 1, 1),
                date_precision="year",
                title="Twinned",
                status="active",
                is_published=True,
            )
            for lk in links
        ],
        batch_size=5000,
    )
    for model, field, objs in ((Link, "link", links), (Event, "event", events), (City, "city", cities)):
        through = model.sources.through
        through.objects.bulk_create([through(**{field: o, "source": source}) for o in objs], batch_size=5000)
    speaker = Person.objects.create(name="Bench Speaker", slug="bench-speaker")
    statements = Statement.objects.bulk_create(
        [
            Statement(
                quote=f"Said {i}", speaker=speaker, date=datetime.date(2000, 1, 1), link=lk, is_published=True
            )
            for i, lk in enumerate(links)
        ],
        batch_size=5000,
    )
    through = Statement.sources.through
    through.objects.bulk_create([through(statement=s, source=source) for s in statements], batch_size=5000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=100_000)
    args = parser.parse_args()
    django.setup()
    from django.db import connection, transaction
    from django.test import Client

    client = Client()
    print(
        f"{args.links} links, events and statements on {connection.vendor} ({connection.settings_dict['NAME']})"
    )
    try:
        with transaction.atomic():
            started = time.monotonic()
            build(args.links)
            print(f"built the rows in {time.monotonic() - started:.1f} s")
            for path in (
                "/data/links.csv",
                "/data/links.json",
                "/data/links.geojson",
                "/data/cities.csv",
                "/data/statements.csv",
            ):
                for label, headers in (
                    ("built", {}),
                    ("stored", {}),
                    ("stored, gzipped", {"HTTP_ACCEPT_ENCODING": "gzip"}),
                ):
                    started = time.monotonic()
                    response = client.get(path, secure=True, **headers)
                    size = sum(len(chunk) for chunk in response.streaming_content)
                    print(f"{path} ({label}): {time.monotonic() - started:.2f} s, {size / 1e6:.1f} MB")
            print(
                f"peak memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
            )
            raise Rollback
    except Rollback:
        print("rolled back: the database is unchanged")
    finally:
        shutil.rmtree(os.environ["OPEN_DATA_ROOT"], ignore_errors=True)


if __name__ == "__main__":
    main()
