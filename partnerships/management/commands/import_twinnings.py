"""python manage.py import_twinnings FILE: twin-town pairs from a Wikidata P190 query result.

See partnerships/importer.py and the README for the file format.
"""

import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships.importer import BadFile, Importer


def _day(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-11-22") from None


class Command(BaseCommand):
    help = (
        "Import twin-town pairs (CSV or TSV in the shape of a Wikidata P190 query result). "
        "Idempotent; all-or-nothing: a file with bad rows imports nothing unless --skip-bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .tsv file (other names: the separator is sniffed)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, then save nothing")
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="import the good rows of a file that has bad rows (they are still reported)",
        )
        parser.add_argument(
            "--accessed",
            type=_day,
            default=None,
            help="the day the data was taken from Wikidata (YYYY-MM-DD; default: today)",
        )

    def handle(self, *args, file, dry_run, skip_bad, accessed, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        started = time.monotonic()
        try:
            result = Importer(
                accessed=accessed, note=f"Imported from {path.name} with import_twinnings."
            ).run(path, dry_run=dry_run, skip_bad=skip_bad)
        except BadFile as error:
            raise CommandError(f"{path.name}: {error}") from error
        for line, message in result.bad:
            self.stderr.write(f"{path.name}, line {line}: {message}")
        if result.bad and not skip_bad:
            raise CommandError(
                f"{len(result.bad)} bad row(s): nothing was imported. Correct them, or run again "
                "with --skip-bad to import the other rows."
            )
        seconds = time.monotonic() - started
        summary = (
            f"{result.created} created, {result.updated} updated, {result.skipped} skipped, "
            f"{len(result.bad)} bad; {result.cities_created} cities created, "
            f"{result.cities_updated} given their Wikidata ID ({seconds:.1f} s)."
        )
        if dry_run:
            summary = f"Dry run, nothing saved: {summary}"
        self.stdout.write(summary)
